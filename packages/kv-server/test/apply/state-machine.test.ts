import { expect } from 'chai';
import { EntryType, type Entry } from '@raftkv/raft';
import { KvStateMachine } from '../../src/apply/state-machine.js';
import { openKvDb, type KvDb } from '../../src/mvcc/db.js';
import { META_APPLIED_INDEX, type DbOp } from '../../src/mvcc/layout.js';
import { KvError, type CommandResult, type PutResponse } from '../../src/mvcc/types.js';
import { b, tempDir } from '../mvcc/helpers.js';
import { LogBuilder, interceptBatches } from './helpers.js';
import { until } from '../support/server-cluster.js';

const valueOf = (sm: KvStateMachine, key: string, revision?: number): string | undefined =>
  sm.range({ key: b(key), ...(revision === undefined ? {} : { revision }) }).kvs[0]?.value.toString();

/** A level instance whose batches are recorded and can be made to fail. */
async function spiedDb(dir: string): Promise<{ db: KvDb; batches: DbOp[][]; failNext: () => void }> {
  const db = await openKvDb(dir);
  const batches: DbOp[][] = [];
  let fail = false;
  interceptBatches(db, async (ops) => {
    if (fail) {
      fail = false;
      throw new Error('disk full (injected)');
    }
    batches.push(ops);
  });
  return { db, batches, failNext: () => (fail = true) };
}

describe('KvStateMachine', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const open: KvStateMachine[] = [];
  const dbs: KvDb[] = [];

  beforeEach(async () => ({ dir, cleanup } = await tempDir('sm')));
  afterEach(async () => {
    for (const sm of open.splice(0)) await sm.close();
    for (const db of dbs.splice(0)) if (db.status === 'open') await db.close();
    await cleanup();
  });

  async function openSm(location: string | KvDb = dir, options = {}): Promise<KvStateMachine> {
    const sm = await KvStateMachine.open(location, options);
    open.push(sm);
    return sm;
  }

  async function reopen(sm: KvStateMachine): Promise<KvStateMachine> {
    await sm.close();
    return openSm();
  }

  describe('apply', () => {
    it('applies commands and answers each waiter with revision, raft term and response', async () => {
      const sm = await openSm();
      const log = new LogBuilder(1, 3);
      const waiting = sm.waitForResult('w1', 5000);
      const waitingPrev = sm.waitForResult('w2', 5000);
      await sm.apply([log.put('w1', 'a', '1'), log.command({ id: 'w2', op: { put: { key: b('a'), value: b('2'), prevKv: true } } })]);
      expect(await waiting).to.deep.equal({ ok: { revision: 2, raftTerm: 3, response: {} } });
      const second = (await waitingPrev) as { ok: { revision: number; response: PutResponse } };
      expect(second.ok.revision).to.equal(3);
      expect(second.ok.response.prevKv?.value.toString()).to.equal('1');
      expect(sm.appliedIndex()).to.equal(2);
      expect(valueOf(sm, 'a')).to.equal('2');
    });

    it('answers a failing command with its KvError, and waitApplied rejects with it', async () => {
      const sm = await openSm();
      const log = new LogBuilder();
      const result = sm.waitForResult('bad', 5000);
      const unwrapped = sm.waitApplied('bad2').then(() => undefined, (e: unknown) => e);
      await sm.apply([
        log.command({ id: 'bad', op: { put: { key: b('a'), value: b('1'), lease: 9 } } }),
        log.command({ id: 'bad2', op: { compaction: { revision: 50 } } }),
      ]);
      const r = await result;
      expect('error' in r && r.error.code).to.equal(5);
      const err = await unwrapped;
      expect(err).to.be.instanceOf(KvError);
      expect((err as KvError).message).to.equal('etcdserver: mvcc: required revision is a future revision');
      expect(sm.currentRevision()).to.equal(1);
      expect(sm.appliedIndex()).to.equal(2);
    });

    it('queues the effects of apply calls and writes them as one level batch, holding the last applied index', async () => {
      const { db, batches } = await spiedDb(dir);
      dbs.push(db);
      const sm = await openSm(db, { writeBehind: { intervalMs: 60_000 } });
      const log = new LogBuilder();
      await sm.apply([log.put('1', 'a', '1'), log.put('2', 'b', '2'), log.noop()]);
      await sm.apply([log.put('3', 'c', '3')]);
      expect(sm.appliedIndex()).to.equal(4);
      expect(batches).to.have.length(0);
      await sm.sync();
      expect(batches).to.have.length(1);
      const batch = batches[0]!;
      const applied = batch.filter((op) => op.type === 'put' && op.key.equals(META_APPLIED_INDEX));
      expect(applied.map((op) => op.type === 'put' && op.value.readUInt32BE(4))).to.deep.equal([3, 4]);
      expect(batch.filter((op) => op.key[0] === 0x72 /* 'r' record */)).to.have.length(3);
      expect(batch.filter((op) => op.key[0] === 0x64 /* 'd' dedup */)).to.have.length(3);
    });

    it('writes queued effects once the interval runs out, or at once when the batch is full', async () => {
      const { db, batches } = await spiedDb(dir);
      dbs.push(db);
      const log = new LogBuilder();
      const timed = await KvStateMachine.open(db, { writeBehind: { intervalMs: 30 } });
      await timed.apply([log.put('1', 'a', '1')]);
      expect(batches).to.have.length(0);
      await until(() => (batches.length === 1 ? true : undefined), 'the write after the interval', 5000);
      await timed.close();
      const sm = await openSm(db, { writeBehind: { intervalMs: 60_000, maxOps: 10 } });
      // Three puts are 3 records + 3 dedup entries + 3 meta records (revisions, applied index): 9 operations, under 10.
      await sm.apply([log.put('2', 'b', '1'), log.put('3', 'c', '1'), log.put('4', 'd', '1')]);
      expect(batches).to.have.length(1);
      await sm.apply([log.put('5', 'e', '1')]);
      await until(() => (batches.length === 2 ? true : undefined), 'the write of a full batch', 5000);
      expect(batches[1]!.filter((op) => op.key[0] === 0x72 /* 'r' record */)).to.have.length(4);
    });

    it('advances the applied index over no-op and config entries without a revision', async () => {
      const sm = await openSm();
      const log = new LogBuilder();
      await sm.apply([log.noop(), log.config(), log.noop()]);
      expect(sm.appliedIndex()).to.equal(3);
      expect(sm.currentRevision()).to.equal(1);
    });

    it('answers malformed requests inside a well-formed command with an InvalidArgument error, never a crash', async () => {
      const sm = await openSm();
      const log = new LogBuilder();
      const malformed = [
        { put: { key: 'a', value: 5 } },
        { put: { key: b('a') } },
        { deleteRange: { key: 7 } },
        { compaction: { revision: 'soon' } },
        { txn: { compare: [null], success: [], failure: [] } },
        { txn: { compare: [], success: [{ requestPut: 'x' }], failure: [] } },
        { txn: { compare: [], success: [{ requestRange: { key: b('a'), sortTarget: 'COLOR' } }], failure: [] } },
      ];
      const results = malformed.map((_, i) => sm.waitForResult(`m${i}`, 5000));
      await sm.apply(malformed.map((op, i) => log.command({ id: `m${i}`, op: op as never })));
      for (const r of await Promise.all(results)) expect('error' in r && r.error.code).to.equal(3);
      expect(sm.currentRevision()).to.equal(1);
      expect(sm.appliedIndex()).to.equal(malformed.length);
    });

    it('skips an undecodable entry but still advances past it', async () => {
      const sm = await openSm();
      const log = new LogBuilder();
      await sm.apply([log.raw(Uint8Array.of(1, 2, 3)), log.put('p', 'a', '1')]);
      expect(sm.appliedIndex()).to.equal(2);
      expect(valueOf(sm, 'a')).to.equal('1');
    });

    it('ignores entries it already applied and refuses to skip one', async () => {
      const sm = await openSm();
      const log = new LogBuilder();
      const first = [log.put('1', 'a', '1'), log.put('2', 'a', '2')];
      await sm.apply(first);
      await sm.apply(first);
      expect(sm.currentRevision()).to.equal(3);
      const gap = new LogBuilder(5);
      const err = await sm.apply([gap.put('5', 'b', '1')]).then(() => undefined, (e: unknown) => e);
      expect(String(err)).to.match(/skip entries: expected index 3, got 5/);
      expect(sm.appliedIndex()).to.equal(2);
      await sm.apply([log.put('3', 'b', '1')]);
      expect(sm.appliedIndex()).to.equal(3);
    });

    it('emits applied and lets a reader wait for an index', async () => {
      const sm = await openSm();
      const log = new LogBuilder();
      const seen: Array<[number, number]> = [];
      sm.on('applied', (index, revision) => seen.push([index, revision]));
      const reached = sm.waitForAppliedIndex(2, 5000);
      await sm.apply([log.put('1', 'a', '1')]);
      await sm.apply([log.noop()]);
      await reached;
      expect(seen).to.deep.equal([
        [1, 2],
        [2, 2],
      ]);
      const late = await sm.waitForAppliedIndex(9, 20).then(() => 'resolved', (e: KvError) => e.message);
      expect(late).to.equal('etcdserver: request timed out');
    });
  });

  describe('restart', () => {
    it('sync() moves what was applied out of LevelDB\'s memtable and log into a synced table file', async () => {
      const db = await openKvDb(dir);
      dbs.push(db);
      const sm = await openSm(db);
      const log = new LogBuilder();
      await sm.apply([log.put('1', 'a', '1'), log.put('2', 'b', '2')]);
      const property = (name: string): string => (db as unknown as { getProperty(p: string): string }).getProperty(name);
      // A flushed memtable may land on level 0, 1 or 2 (LevelDB's PickLevelForMemTableOutput).
      const tableFiles = (): number => [0, 1, 2, 3, 4, 5, 6].reduce((n, level) => n + Number(property(`leveldb.num-files-at-level${level}`)), 0);
      // Unsynced writes sit in the memtable (and LevelDB's log) until something flushes them.
      expect(tableFiles()).to.equal(0);
      await sm.sync();
      expect(tableFiles()).to.equal(1);
      expect(valueOf(sm, 'b')).to.equal('2');
      expect(sm.appliedIndex()).to.equal(2);
    });

    it('keeps data, history, compaction, the applied index and the dedup table across a reopen', async () => {
      let sm = await openSm();
      const log = new LogBuilder();
      await sm.apply([log.put('1', 'a', '1'), log.put('2', 'a', '2'), log.put('3', 'b', '1')]);
      await sm.apply([log.command({ id: '4', op: { deleteRange: { key: b('b') } } }), log.put('5', 'a', '3')]);
      await sm.apply([log.command({ id: '6', op: { compaction: { revision: 3 } } })]);
      sm = await reopen(sm);
      expect(sm.appliedIndex()).to.equal(6);
      expect(sm.currentRevision()).to.equal(6);
      expect(sm.compactedRevision()).to.equal(3);
      expect(valueOf(sm, 'a')).to.equal('3');
      expect(valueOf(sm, 'a', 3)).to.equal('2');
      expect(valueOf(sm, 'b', 4)).to.equal('1');
      expect(valueOf(sm, 'b')).to.equal(undefined);
      expect(() => sm.range({ key: b('a'), revision: 2 })).to.throw('required revision has been compacted');
      expect(sm.dedupSize()).to.equal(6);
      // A retry of an applied id after the restart is answered from the table, not applied again.
      const retry = sm.waitForResult('5', 5000);
      await sm.apply([log.put('5', 'a', '3')]);
      expect(await retry).to.deep.equal({ ok: { revision: 6, raftTerm: 1, response: {} } });
      expect(sm.currentRevision()).to.equal(6);
    });

    it('keeps revisions made by compacted-away tombstones (the revision never goes back)', async () => {
      let sm = await openSm();
      const log = new LogBuilder();
      await sm.apply([log.put('1', 'a', '1'), log.command({ id: '2', op: { deleteRange: { key: b('a') } } })]);
      await sm.apply([log.command({ id: '3', op: { compaction: { revision: 3 } } })]);
      sm = await reopen(sm);
      expect(sm.currentRevision()).to.equal(3);
      await sm.apply([log.put('4', 'c', '1')]);
      expect(sm.range({ key: b('c') }).kvs[0]!.modRevision).to.equal(4);
    });

    it('after a failed batch, a reopen neither re-applies nor skips: replaying the log gives the same state', async () => {
      const { db, failNext } = await spiedDb(dir);
      let sm = await openSm(db);
      const log = new LogBuilder();
      const batch1 = [log.put('1', 'a', '1'), log.put('2', 'b', '1')];
      const batch2 = [log.put('3', 'a', '2'), log.command({ id: '4', op: { deleteRange: { key: b('b') } } })];
      await sm.apply(batch1);
      await sm.sync();
      failNext();
      // Applied in memory; the failure shows when its batch is written.
      await sm.apply(batch2);
      const err = await sm.sync().then(() => undefined, (e: unknown) => e);
      expect(String(err)).to.match(/disk full/);
      // Memory ran ahead of disk: the instance refuses further work until restarted.
      expect(String(await sm.apply([]).then(() => undefined, (e: unknown) => e))).to.match(/unusable/);
      await sm.close();
      await db.close();
      sm = await openSm();
      expect(sm.appliedIndex()).to.equal(2);
      expect(sm.currentRevision()).to.equal(3);
      // The driver redelivers from appliedIndex+1, possibly overlapping what is durable.
      await sm.apply([...batch1, ...batch2]);
      expect(sm.appliedIndex()).to.equal(4);
      expect(sm.currentRevision()).to.equal(5);
      expect(valueOf(sm, 'a')).to.equal('2');
      expect(valueOf(sm, 'b')).to.equal(undefined);
      expect(sm.range({ key: b('a') }).kvs[0]!.version).to.equal(2);
    });
  });

  describe('exactly-once', () => {
    it('applies an id once even when the log holds it twice, and answers with the first result', async () => {
      const sm = await openSm();
      const log = new LogBuilder();
      const waiter = sm.waitForResult('dup', 5000);
      await sm.apply([log.put('dup', 'a', '1'), log.put('x', 'a', '2'), log.put('dup', 'a', '1')]);
      expect(await waiter).to.deep.equal({ ok: { revision: 2, raftTerm: 1, response: {} } });
      expect(sm.currentRevision()).to.equal(3);
      expect(sm.range({ key: b('a') }).kvs[0]!.version).to.equal(2);
      expect(await sm.waitForResult('dup')).to.deep.equal({ ok: { revision: 2, raftTerm: 1, response: {} } });
    });

    it('applies an idempotency key once: a new id with the same key gets the first result', async () => {
      const sm = await openSm();
      const log = new LogBuilder();
      const retry = sm.waitForResult('second', 5000);
      await sm.apply([log.put('first', 'a', '1', 'client-op-7'), log.put('second', 'a', '1', 'client-op-7'), log.put('third', 'a', '1', 'client-op-8')]);
      expect(await retry).to.deep.equal({ ok: { revision: 2, raftTerm: 1, response: {} } });
      expect(sm.currentRevision()).to.equal(3);
    });

    it('records errors too, so a retried failing command fails the same way without effects', async () => {
      const sm = await openSm();
      const log = new LogBuilder();
      await sm.apply([log.command({ id: 'c', op: { compaction: { revision: 1 } } })]);
      expect(sm.compactedRevision()).to.equal(1);
      const again = sm.waitForResult('c2', 5000);
      await sm.apply([log.command({ id: 'c2', op: { compaction: { revision: 1 } } })]);
      const r: CommandResult = await again;
      expect('error' in r && r.error.message).to.equal('etcdserver: mvcc: required revision has been compacted');
    });

    it('bounds the table by entry count and by age in applied entries, identically on every node', async () => {
      const limits = { maxEntries: 3, maxAgeEntries: 4, maxBytes: 1 << 20 };
      const a = await openSm(dir, { dedupLimits: limits });
      const other = await tempDir('sm-b');
      try {
        const bNode = await KvStateMachine.open(other.dir, { dedupLimits: limits });
        const entries: Entry[] = [];
        const log = new LogBuilder();
        for (let i = 1; i <= 5; i++) entries.push(log.put(`id${i}`, `k${i}`, 'v'));
        entries.push(log.noop(), log.noop(), log.noop());
        entries.push(log.put('id9', 'k9', 'v'));
        await a.apply(entries.slice(0, 3));
        await a.apply(entries.slice(3));
        await bNode.apply(entries);
        // count bound evicted id1, id2; the age bound (index 9 - 4) evicted id3, id4.
        expect(a.dedupSize()).to.equal(2);
        expect(bNode.dedupSize()).to.equal(2);
        // An evicted id is no longer recognised: a very late duplicate applies again (the price of a bounded table).
        const late = new LogBuilder(10);
        await a.apply([late.put('id1', 'k1', 'v')]);
        expect(a.range({ key: b('k1') }).kvs[0]!.version).to.equal(2);
        await bNode.close();
      } finally {
        await other.cleanup();
      }
    });
  });

  describe('snapshots', () => {
    it('restores a snapshot into a fresh instance with the same data, history, indexes and dedup table', async () => {
      const src = await openSm();
      const log = new LogBuilder(1, 2);
      await src.apply([log.put('1', 'a', '1'), log.put('2', 'a', '2'), log.put('3', 'b', Buffer.of(0, 1).toString('latin1'))]);
      await src.apply([log.command({ id: '4', op: { deleteRange: { key: b('b') } } }), log.put('5', 'c', '1')]);
      await src.apply([log.command({ id: '6', op: { compaction: { revision: 3 } } }), log.noop()]);
      const data = await src.takeSnapshot();

      const other = await tempDir('sm-restore');
      try {
        let dst = await KvStateMachine.open(other.dir);
        // The target had state of its own, which the snapshot replaces entirely.
        const own = new LogBuilder();
        await dst.apply([own.put('old', 'zzz', 'gone'), own.put('old2', 'zzz', 'gone2')]);
        const waiting = dst.waitForResult('5', 5000);
        await dst.restoreSnapshot({ meta: { index: 7, term: 2, config: { voters: ['n1'] } }, data });
        expect(await waiting).to.deep.equal({ ok: { revision: 6, raftTerm: 2, response: {} } });

        const check = (sm: KvStateMachine): void => {
          expect(sm.appliedIndex()).to.equal(7);
          expect(sm.currentRevision()).to.equal(src.currentRevision());
          expect(sm.compactedRevision()).to.equal(3);
          expect(sm.dedupSize()).to.equal(src.dedupSize());
          for (const rev of [3, 4, 5, 6]) {
            const all = { key: Buffer.of(0), rangeEnd: Buffer.of(0), revision: rev };
            expect(sm.range(all)).to.deep.equal(src.range(all));
          }
          expect(valueOf(sm, 'zzz')).to.equal(undefined);
        };
        check(dst);
        await dst.close();
        dst = await KvStateMachine.open(other.dir);
        check(dst);
        // Dedup survived: an id from before the snapshot is not applied again.
        await dst.apply([new LogBuilder(8, 2).put('2', 'a', '2')]);
        expect(dst.currentRevision()).to.equal(src.currentRevision());
        await dst.close();
      } finally {
        await other.cleanup();
      }
    });

    it('round-trips a store larger than one encoding slice, with applies queued behind the snapshot', async () => {
      const src = await openSm();
      const log = new LogBuilder();
      const entries = Array.from({ length: 6_000 }, (_, i) => log.put(`id${i}`, `key${i % 4000}`, `v${i}`));
      await src.apply(entries);
      const snapshotting = src.takeSnapshot();
      const applying = src.apply([log.put('late', 'key0', 'after')]);
      const data = await snapshotting;
      await applying;
      const other = await tempDir('sm-big');
      try {
        const dst = await KvStateMachine.open(other.dir);
        await dst.restoreSnapshot({ meta: { index: 6_000, term: 1, config: { voters: ['n1'] } }, data });
        expect(dst.appliedIndex()).to.equal(6_000);
        expect(dst.currentRevision()).to.equal(6_001);
        const all = { key: Buffer.of(0), rangeEnd: Buffer.of(0), revision: 6_001 };
        expect(dst.range(all)).to.deep.equal(src.range(all));
        expect(dst.range({ key: b('key0'), revision: 2 }).kvs[0]!.value.toString()).to.equal('v0');
        expect(valueOf(src, 'key0')).to.equal('after');
        await dst.close();
      } finally {
        await other.cleanup();
      }
    });

    it('rejects a corrupt snapshot and keeps its state', async () => {
      const sm = await openSm();
      await sm.apply([new LogBuilder().put('1', 'a', '1')]);
      const err = await sm
        .restoreSnapshot({ meta: { index: 9, term: 1, config: { voters: [] } }, data: Uint8Array.of(1, 2, 3) })
        .then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(Error);
      expect(sm.appliedIndex()).to.equal(1);
      expect(valueOf(sm, 'a')).to.equal('1');
    });
  });

  describe('waiters', () => {
    it('times out with etcd’s text, resolves at once for an applied id, and rejects on forget and close', async () => {
      const sm = await openSm();
      const timedOut = await sm.waitForResult('never', 10).then(() => 'resolved', (e: KvError) => e.message);
      expect(timedOut).to.equal('etcdserver: request timed out');
      await sm.apply([new LogBuilder().put('done', 'a', '1')]);
      expect(await sm.waitForResult('done')).to.deep.equal({ ok: { revision: 2, raftTerm: 1, response: {} } });
      const forgotten = sm.waitForResult('f');
      sm.forget('f');
      expect(await forgotten.then(() => 'resolved', (e: KvError) => e.code)).to.equal(4);
      const pending = sm.waitForResult('p').then(() => 'resolved', (e: KvError) => e.message);
      await sm.close();
      expect(await pending).to.equal('etcdserver: server stopped');
    });
  });

  it('treats Config entries as data-free even when they carry bytes', async () => {
    const sm = await openSm();
    await sm.apply([{ term: 1, index: 1, type: EntryType.Config, data: Buffer.from('not a command') }]);
    expect(sm.appliedIndex()).to.equal(1);
    expect(sm.dedupSize()).to.equal(0);
  });
});
