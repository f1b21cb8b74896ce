/**
 * Measures what the apply path keeps in memory and how long a restart's load takes (issue 6); not a test.
 * Run after `npx tsc -b packages/kv-server`:
 *   node --expose-gc packages/kv-server/dist/test/support/measure-memory.js [puts=100000] [log=leader|follower|none] [keys=puts]
 * Applies `puts` puts (8-byte keys out of `keys`, 256-byte values) through KvStateMachine in batches of 64 entries
 * (with fewer keys than puts, later puts add revisions to existing keys, as the benchmark's random keys do), keeping
 * the entries in Raft's in-memory log (RaftLog; leader: the proposed encoding; follower: decoded from one encoded
 * append message per batch), prints heap/RSS/arrayBuffers after GC, then times KvStateMachine.open on that db.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { EntryType, MessageType, RaftLog, decodeMessage, encodeMessage, type Entry } from '@raftkv/raft';
import { KvStateMachine } from '../../src/apply/state-machine.js';

const BATCH = 64;
const VALUE_BYTES = 256;

type LogMode = 'leader' | 'follower' | 'none';

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run node with --expose-gc');
  for (let i = 0; i < 3; i++) collect();
}

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

function memoryLine(label: string): NodeJS.MemoryUsage {
  gc();
  const m = process.memoryUsage();
  console.log(
    `${label}: heapUsed ${mib(m.heapUsed)} of ${mib(m.heapTotal)}, rss ${mib(m.rss)}, arrayBuffers ${mib(m.arrayBuffers)}, external ${mib(m.external)}`,
  );
  return m;
}

/** One batch of put entries as the apply loop receives it from the given side of the log. */
function batchOf(sm: KvStateMachine, first: number, count: number, mode: LogMode, keys: number): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const key = Buffer.alloc(8);
    key.writeUInt32BE(n % keys, 4);
    const value = Buffer.alloc(VALUE_BYTES, n % 251);
    const data = sm.encodeWrite({ id: randomUUID(), op: { put: { key, value } } });
    entries.push({ term: 1, index: n + 1, type: EntryType.Normal, data });
  }
  if (mode !== 'follower') return entries;
  const frame = encodeMessage({
    type: MessageType.Append,
    from: 'n1',
    to: 'n2',
    term: 1,
    logTerm: 1,
    index: first,
    commit: first,
    reject: false,
    rejectHint: 0,
    conflictTerm: 0,
    context: new Uint8Array(0),
    entries,
  });
  return decodeMessage(frame).entries;
}

/** Applies the puts to a fresh state machine in `location`, prints what stays in memory, closes it; returns its revision. */
async function applyPuts(location: string, puts: number, mode: LogMode, keys: number): Promise<number> {
  const base = memoryLine('before');
  const sm = await KvStateMachine.open(location);
  const log = new RaftLog(null, [], 0, 0);
  const started = performance.now();
  for (let first = 0; first < puts; first += BATCH) {
    const batch = batchOf(sm, first, Math.min(BATCH, puts - first), mode, keys);
    await sm.apply(batch);
    if (mode === 'none') continue;
    // As a node's log holds them: appended, then durable, committed and applied.
    const last = batch[batch.length - 1]!;
    if (mode === 'leader') log.append(batch);
    else log.appendFromLeader(first, batch);
    log.stableTo(last.index, last.term);
    log.commitTo(last.index);
    log.appliedTo(last.index);
  }
  const applyMs = performance.now() - started;
  const after = memoryLine(`after ${puts} puts (log kept: ${mode})`);
  console.log(
    `apply: ${applyMs.toFixed(0)} ms; per put: heap ${((after.heapUsed - base.heapUsed) / puts).toFixed(0)} B, ` +
      `arrayBuffers ${((after.arrayBuffers - base.arrayBuffers) / puts).toFixed(0)} B, ` +
      `rss ${((after.rss - base.rss) / puts).toFixed(0)} B; log entries ${log.lastIndex()}, dedup ${sm.dedupSize()}`,
  );
  const revision = sm.currentRevision();
  await sm.close();
  return revision;
}

async function main(): Promise<void> {
  const puts = Number(process.argv[2] ?? 100_000);
  const mode = (process.argv[3] ?? 'leader') as LogMode;
  const keys = Math.min(Number(process.argv[4] ?? puts), 2 ** 32);
  const dir = await mkdtemp(join(tmpdir(), 'raftkv-measure-'));
  try {
    const revision = await applyPuts(join(dir, 'kv'), puts, mode, keys);
    const base = memoryLine('closed');
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const reopened = await KvStateMachine.open(join(dir, 'kv'));
      times.push(performance.now() - t0);
      if (reopened.currentRevision() !== revision) throw new Error('reopened store lost writes');
      if (i === 2) {
        const loaded = memoryLine('after open');
        console.log(`loaded store: heap ${mib(loaded.heapUsed - base.heapUsed)}, arrayBuffers ${mib(loaded.arrayBuffers - base.arrayBuffers)}`);
      }
      await reopened.close();
    }
    console.log(`open with ${puts} puts to ${keys} keys: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
