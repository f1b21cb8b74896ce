import { expect } from 'chai';
import { KvStateMachine } from '../../src/apply/state-machine.js';
import { openKvDb, type KvDb } from '../../src/mvcc/db.js';
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
  it('tells watchers and answers a waiting write before its level batch is written; the applied index and event follow the write', async () => {
    const { dir, cleanup } = await tempDir('sm-early');
    const { db, release, held } = await gatedDb(dir);
    const sm = await KvStateMachine.open(db);
    try {
      const log = new LogBuilder(1, 2);
      const appliedEvents: number[] = [];
      sm.on('applied', (index) => appliedEvents.push(index));
      const changed: number[] = [];
      sm.on('changes', (changes) => changed.push(...changes.map((c) => c.revision)));
      let changedBeforeAnswer: number[] = [];
      const answer = sm.waitApplied('w1', 5000).then((o) => ((changedBeforeAnswer = [...changed]), o));
      const applying = sm.apply([log.put('w1', 'k', 'v')]);
      const outcome = await answer;
      expect(outcome.revision).to.equal(2);
      expect(changedBeforeAnswer).to.deep.equal([2]);
      expect(held()).to.equal(1);
      expect(sm.range({ key: b('k') }).kvs[0]?.value.toString()).to.equal('v');
      expect(sm.appliedIndex()).to.equal(0);
      expect(appliedEvents).to.deep.equal([]);
      release();
      await applying;
      expect(sm.appliedIndex()).to.equal(1);
      expect(appliedEvents).to.deep.equal([1]);
    } finally {
      release();
      await sm.close();
      await db.close();
      await cleanup();
    }
  });
});
