import { expect } from 'chai';
import { KvStateMachine } from '../../src/apply/state-machine.js';
import { openKvDb, type KvDb } from '../../src/mvcc/db.js';
import { META_APPLIED_INDEX } from '../../src/mvcc/layout.js';
import { b, tempDir } from '../mvcc/helpers.js';
import { LogBuilder, interceptBatches } from './helpers.js';

/** A level instance whose batches wait until the test releases them. */
async function gatedDb(dir: string): Promise<{ db: KvDb; release: () => void; held: () => number }> {
  const db = await openKvDb(dir);
  const gates: Array<() => void> = [];
  let open = false;
  interceptBatches(db, async () => {
    if (!open) await new Promise<void>((resolve) => gates.push(resolve));
  });
  return {
    db,
    release: () => {
      open = true;
      for (const gate of gates.splice(0)) gate();
    },
    held: () => gates.length,
  };
}

describe('KvStateMachine answers from memory', () => {
  it('tells watchers, answers a waiting write and advances the applied index before its level batch is written; sync() waits for the write', async () => {
    const { dir, cleanup } = await tempDir('sm-early');
    const { db, release, held } = await gatedDb(dir);
    const sm = await KvStateMachine.open(db, { writeBehind: { intervalMs: 0 } });
    try {
      const log = new LogBuilder(1, 2);
      const appliedEvents: number[] = [];
      sm.on('applied', (index) => appliedEvents.push(index));
      const changed: number[] = [];
      sm.on('changes', (changes) => changed.push(...changes.map((c) => c.revision)));
      let changedBeforeAnswer: number[] = [];
      const answer = sm.waitApplied('w1', 5000).then((o) => ((changedBeforeAnswer = [...changed]), o));
      await sm.apply([log.put('w1', 'k', 'v')]);
      const outcome = await answer;
      expect(outcome.revision).to.equal(2);
      expect(changedBeforeAnswer).to.deep.equal([2]);
      expect(sm.range({ key: b('k') }).kvs[0]?.value.toString()).to.equal('v');
      expect(sm.appliedIndex()).to.equal(1);
      expect(appliedEvents).to.deep.equal([1]);
      let synced = false;
      const syncing = sm.sync().then(() => (synced = true));
      while (held() === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(synced).to.equal(false);
      release();
      await syncing;
      expect((await db.get(META_APPLIED_INDEX))?.readUInt32BE(4)).to.equal(1);
    } finally {
      release();
      await sm.close();
      await db.close();
      await cleanup();
    }
  });
});

describe('KvStateMachine and the durability of the Raft log', () => {
  it("answers a write whose entry is not durable in this node's log yet, but keeps it off the disk until it is", async () => {
    const { dir, cleanup } = await tempDir('sm-log-durable');
    const db = await openKvDb(dir);
    const sm = await KvStateMachine.open(db, { writeBehind: { intervalMs: 0 } });
    try {
      const log = new LogBuilder(1, 2);
      let logHasIt!: (durable: boolean) => void;
      const answer = sm.waitApplied('w1', 5000);
      await sm.apply([log.put('w1', 'k', 'v1')], new Promise<boolean>((resolve) => (logHasIt = resolve)));
      expect((await answer).revision).to.equal(2);
      let synced = false;
      const syncing = sm.sync().then(() => (synced = true));
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(synced).to.equal(false);
      expect(await db.get(META_APPLIED_INDEX)).to.equal(undefined);
      logHasIt(true);
      await syncing;
      expect((await db.get(META_APPLIED_INDEX))?.readUInt32BE(4)).to.equal(1);

      // The node stopped before its log held the next one: it is served from memory but never written.
      await sm.apply([log.put('w2', 'k', 'v2')], Promise.resolve(false));
      expect(sm.range({ key: b('k') }).kvs[0]?.value.toString()).to.equal('v2');
      await sm.sync();
      expect((await db.get(META_APPLIED_INDEX))?.readUInt32BE(4)).to.equal(1);
    } finally {
      await sm.close();
      await db.close();
      await cleanup();
    }
  });
});
