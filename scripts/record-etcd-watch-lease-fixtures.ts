/**
 * Records how a real etcd 3.4 answers watch and lease requests on its JSON gateway, streams included, into
 * packages/kv-server/test/fixtures/etcd-watch-lease.json. The kv-server test watch-lease-conformance replays
 * the recorded steps against raftkv and compares the answers (ids, term and named timing fields aside).
 *
 *   node scripts/dist/record-etcd-watch-lease-fixtures.js [--etcd /usr/bin/etcd] [--out path]
 *
 * Step kinds: `post` (one request, one answer), `open` (start a stream and keep it), `read` (the next lines
 * of an open stream), `exchange` (a stream read for `count` lines, or to its end, then closed).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { argValue, startEtcd } from './etcd-process.js';

type Step =
  | { kind: 'post'; name: string; path: string; body: unknown; ignore?: string[] }
  | { kind: 'open'; name: string; stream: string; path: string; body: unknown }
  | { kind: 'read'; name: string; stream: string; count: number }
  | { kind: 'exchange'; name: string; path: string; body: unknown; count: number; ignore?: string[] };

const b = (s: string) => Buffer.from(s).toString('base64');
const watch = (create: object) => ({ create_request: create });
/** A request stream of several messages, as the gateway reads them: JSON objects one after another. */
const several = (...messages: object[]) => messages.map((m) => JSON.stringify(m)).join('');

const SCRIPT: Step[] = [
  { kind: 'post', name: 'put a=1', path: '/v3/kv/put', body: { key: b('a'), value: b('1') } },
  { kind: 'open', name: 'watch [a, c) with prev_kv', stream: 'range', path: '/v3/watch', body: watch({ key: b('a'), range_end: b('c'), prev_kv: true }) },
  { kind: 'read', name: 'range watch: created', stream: 'range', count: 1 },
  { kind: 'open', name: 'watch a from revision 2, NODELETE', stream: 'history', path: '/v3/watch', body: watch({ key: b('a'), start_revision: 2, filters: ['NODELETE'] }) },
  { kind: 'read', name: 'history watch: created, then revision 2 from history', stream: 'history', count: 2 },
  { kind: 'post', name: 'txn put a=2, b=2', path: '/v3/kv/txn', body: { success: [{ request_put: { key: b('a'), value: b('2') } }, { request_put: { key: b('b'), value: b('2') } }] } },
  { kind: 'post', name: 'delete a', path: '/v3/kv/deleterange', body: { key: b('a') } },
  { kind: 'read', name: 'range watch: the txn in one message, then the delete with prev_kv', stream: 'range', count: 2 },
  { kind: 'read', name: 'history watch: the txn put of a (the delete filtered out)', stream: 'history', count: 1 },
  { kind: 'post', name: 'lease grant ID 1000 TTL 60', path: '/v3/lease/grant', body: { ID: 1000, TTL: 60 } },
  { kind: 'post', name: 'lease grant ID 1000 again', path: '/v3/lease/grant', body: { ID: '1000', TTL: 60 } },
  { kind: 'post', name: 'lease grant TTL too large', path: '/v3/lease/grant', body: { TTL: 9000000001 } },
  { kind: 'post', name: 'lease grant TTL 1 is raised to the minimum', path: '/v3/lease/grant', body: { ID: 2000, TTL: 1 } },
  { kind: 'post', name: 'lease revoke 2000', path: '/v3/lease/revoke', body: { ID: 2000 } },
  { kind: 'post', name: 'put c/1 with lease 1000', path: '/v3/kv/put', body: { key: b('c/1'), value: b('1'), lease: 1000 } },
  { kind: 'post', name: 'put c/2 with lease "1000"', path: '/v3/kv/put', body: { key: b('c/2'), value: b('2'), lease: '1000' } },
  { kind: 'post', name: 'put with an unknown lease', path: '/v3/kv/put', body: { key: b('c/3'), value: b('3'), lease: 999 } },
  { kind: 'post', name: 'put c/1 ignore_lease', path: '/v3/kv/put', body: { key: b('c/1'), value: b('x'), ignore_lease: true } },
  { kind: 'post', name: 'timetolive 1000 with keys', path: '/v3/lease/timetolive', body: { ID: 1000, keys: true }, ignore: ['TTL'] },
  { kind: 'post', name: 'timetolive (kv path) of an unknown lease', path: '/v3/kv/lease/timetolive', body: { ID: 5555 } },
  { kind: 'post', name: 'leases', path: '/v3/lease/leases', body: {} },
  { kind: 'exchange', name: 'keepalive 1000 and an unknown lease on one stream', path: '/v3/lease/keepalive', body: several({ ID: 1000 }, { ID: 5555 }), count: 2 },
  { kind: 'open', name: 'watch prefix c/ with prev_kv', stream: 'lease-keys', path: '/v3/watch', body: watch({ key: b('c/'), range_end: b('c0'), prev_kv: true }) },
  { kind: 'read', name: 'prefix watch: created', stream: 'lease-keys', count: 1 },
  { kind: 'post', name: 'lease revoke (kv path) 1000', path: '/v3/kv/lease/revoke', body: { ID: 1000 } },
  { kind: 'post', name: 'lease revoke 1000 again', path: '/v3/lease/revoke', body: { ID: 1000 } },
  { kind: 'read', name: "prefix watch: the lease's keys deleted in one message", stream: 'lease-keys', count: 1 },
  { kind: 'post', name: 'leases after revoke', path: '/v3/lease/leases', body: {} },
  { kind: 'post', name: 'compaction at 4', path: '/v3/kv/compaction', body: { revision: 4 } },
  { kind: 'exchange', name: 'watch from a compacted revision', path: '/v3/watch', body: watch({ key: b('a'), start_revision: 2 }), count: 2 },
  { kind: 'exchange', name: 'watch from the compaction revision', path: '/v3/watch', body: watch({ key: b('b'), start_revision: 4 }), count: 1 },
  {
    kind: 'exchange',
    name: 'two watches, a progress request and a cancel on one stream',
    path: '/v3/watch',
    body: several(watch({ key: b('b') }), watch({ key: b('c/'), range_end: b('c0') }), { progress_request: {} }, { cancel_request: { watch_id: 1 } }),
    count: 4,
  },
  { kind: 'exchange', name: 'watch with a numeric filter, cancel of an unknown id', path: '/v3/watch', body: several(watch({ key: b('b'), filters: [1] }), { cancel_request: { watch_id: 7 } }), count: 1 },
  { kind: 'exchange', name: 'watch: malformed JSON', path: '/v3/watch', body: 'xx', count: 1, ignore: ['error', 'message'] },
  { kind: 'exchange', name: 'watch: unknown filter', path: '/v3/watch', body: watch({ key: b('b'), filters: ['BAD'] }), count: 1 },
];

export interface RecordedStreamStep {
  kind: Step['kind'];
  name: string;
  stream?: string;
  path?: string;
  /** The exact request body sent. */
  request?: string;
  status?: number;
  /** post: the answer; read/exchange: the lines, each parsed. */
  response?: unknown;
  lines?: unknown[];
  /** Fields (at any depth) not compared: timing-dependent values, parser texts of Go. */
  ignore?: string[];
}

/** An answer read line by line as it streams. */
class LineReader {
  readonly lines: unknown[] = [];
  ended = false;
  private rest = '';

  constructor(
    readonly status: number,
    body: ReadableStream<Uint8Array>,
    readonly abort: AbortController,
  ) {
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          this.rest += decoder.decode(chunk, { stream: true });
          const parts = this.rest.split('\n');
          this.rest = parts.pop()!;
          for (const p of parts) if (p.trim() !== '') this.lines.push(JSON.parse(p));
        }
        if (this.rest.trim() !== '') this.lines.push(JSON.parse(this.rest));
      } catch {
        // aborted
      }
      this.ended = true;
    })();
  }

  /** Waits for `count` lines beyond `from` (or the end of the stream, or 5 s) and returns them. */
  async linesAfter(from: number, count: number): Promise<unknown[]> {
    const deadline = Date.now() + 5000;
    while (this.lines.length < from + count && !this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.lines.slice(from, from + count);
  }
}

async function openStream(url: string, body: string): Promise<LineReader> {
  const abort = new AbortController();
  const res = await fetch(url, { method: 'POST', body, signal: abort.signal });
  return new LineReader(res.status, res.body!, abort);
}

async function main(): Promise<void> {
  const out = argValue('--out', fileURLToPath(new URL('../../packages/kv-server/test/fixtures/etcd-watch-lease.json', import.meta.url)));
  const etcd = await startEtcd(argValue('--etcd', 'etcd'));
  const streams = new Map<string, { reader: LineReader; read: number }>();
  try {
    const recorded: RecordedStreamStep[] = [];
    for (const step of SCRIPT) {
      if (step.kind === 'read') {
        const s = streams.get(step.stream)!;
        const lines = await s.reader.linesAfter(s.read, step.count);
        s.read += lines.length;
        recorded.push({ kind: 'read', name: step.name, stream: step.stream, lines });
        continue;
      }
      const request = typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
      const url = etcd.clientUrl + step.path;
      if (step.kind === 'post') {
        const res = await fetch(url, { method: 'POST', body: request });
        const response = JSON.parse(await res.text()) as unknown;
        recorded.push({ kind: 'post', name: step.name, path: step.path, request, status: res.status, response, ...(step.ignore ? { ignore: step.ignore } : {}) });
      } else if (step.kind === 'open') {
        const reader = await openStream(url, request);
        streams.set(step.stream, { reader, read: 0 });
        recorded.push({ kind: 'open', name: step.name, stream: step.stream, path: step.path, request, status: reader.status });
      } else {
        const reader = await openStream(url, request);
        const lines = await reader.linesAfter(0, step.count);
        reader.abort.abort();
        recorded.push({ kind: 'exchange', name: step.name, path: step.path, request, status: reader.status, lines, ...(step.ignore ? { ignore: step.ignore } : {}) });
      }
    }
    await writeFile(out, JSON.stringify({ recordedFrom: `etcd ${etcd.version}`, steps: recorded }, null, 2) + '\n');
    console.log(`recorded ${recorded.length} steps from etcd ${etcd.version} into ${out}`);
  } catch (err) {
    console.error(etcd.log());
    throw err;
  } finally {
    for (const s of streams.values()) s.reader.abort.abort();
    await etcd.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
