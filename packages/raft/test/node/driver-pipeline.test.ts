import { expect } from 'chai';
import { ApplyQueue } from '../../src/driver/apply-queue.js';
import { DurableLog } from '../../src/driver/durable-log.js';
import { HardStatePlan } from '../../src/driver/hard-state-plan.js';
import { EntryType, type Entry } from '../../src/core/messages.js';

const entry = (index: number): Entry => ({ index, term: 1, type: EntryType.Normal, data: new Uint8Array(0) });
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
const DURABLE = Promise.resolve(true);

describe('HardStatePlan', () => {
  it('holds back a commit-only change and writes it with the next entries', () => {
    const plan = new HardStatePlan({ term: 2, vote: 'n1', commit: 5 });
    expect(plan.plan({ hardState: { term: 2, vote: 'n1', commit: 6 }, entries: [] })).to.equal(null);
    expect(plan.pending()).to.deep.equal({ term: 2, vote: 'n1', commit: 6 });
    const write = plan.plan({ entries: [entry(7)] });
    expect(write).to.deep.equal({ hardState: { term: 2, vote: 'n1', commit: 6 } });
    plan.written(write!.hardState);
    expect(plan.pending()).to.equal(null);
  });

  it('writes a new term or vote at once, with the newest commit', () => {
    const plan = new HardStatePlan({ term: 2, vote: null, commit: 5 });
    expect(plan.plan({ hardState: { term: 2, vote: null, commit: 6 }, entries: [] })).to.equal(null);
    expect(plan.plan({ hardState: { term: 3, vote: null, commit: 6 }, entries: [] })).to.deep.equal({
      hardState: { term: 3, vote: null, commit: 6 },
    });
    plan.written({ term: 3, vote: null, commit: 6 });
    expect(plan.plan({ hardState: { term: 3, vote: 'n2', commit: 6 }, entries: [] })).to.not.equal(null);
  });

  it('writes a snapshot or entries even without a hard state change, and has nothing pending then', () => {
    const plan = new HardStatePlan({ term: 1, vote: null, commit: 0 });
    expect(plan.plan({ entries: [entry(1)] })).to.deep.equal({});
    expect(plan.plan({ entries: [], snapshot: {} })).to.deep.equal({});
    expect(plan.plan({ entries: [] })).to.equal(null);
    expect(plan.pending()).to.equal(null);
  });
});

describe('ApplyQueue', () => {
  /** A state machine whose applies finish only when the test says so. */
  function gatedQueue() {
    const started: number[] = [];
    const applied: number[] = [];
    const errors: Error[] = [];
    const gates: Array<{ release: () => void; fail: (err: Error) => void }> = [];
    const queue = new ApplyQueue(
      (entries) =>
        new Promise<void>((release, fail) => {
          started.push(entries[0]!.index);
          gates.push({ release, fail });
        }),
      (last) => applied.push(last.index),
      (err) => errors.push(err),
    );
    return { queue, started, applied, errors, gates };
  }

  it('applies batches one at a time in order and reports the last index of each', async () => {
    const { queue, started, applied, gates } = gatedQueue();
    queue.push([entry(1), entry(2)], DURABLE);
    queue.push([entry(3)], DURABLE);
    await settle();
    expect(started).to.deep.equal([1]);
    gates[0]!.release();
    await settle();
    expect(applied).to.deep.equal([2]);
    expect(started).to.deep.equal([1, 3]);
    gates[1]!.release();
    await queue.idle();
    expect(applied).to.deep.equal([2, 3]);
  });

  it('hands each batch the promise of its durability in the log, untouched', async () => {
    const seen: Array<Promise<boolean>> = [];
    const queue = new ApplyQueue(
      async (_entries, logDurable) => void seen.push(logDurable),
      () => undefined,
      () => undefined,
    );
    const later = new Promise<boolean>(() => undefined);
    queue.push([entry(1)], DURABLE);
    queue.push([entry(2)], later);
    await queue.idle();
    expect(seen[0]).to.equal(DURABLE);
    expect(seen[1]).to.equal(later);
  });

  it('whenRoom waits until no more than the given number of batches are left', async () => {
    const { queue, gates } = gatedQueue();
    queue.push([entry(1)], DURABLE);
    queue.push([entry(2)], DURABLE);
    let roomForOne = false;
    void queue.whenRoom(1).then(() => (roomForOne = true));
    await settle();
    expect(roomForOne).to.equal(false);
    gates[0]!.release();
    await settle();
    expect(roomForOne).to.equal(true);
    gates[1]!.release();
    await queue.idle();
  });

  it('after a failed batch reports the error once and applies nothing more', async () => {
    const { queue, started, applied, errors, gates } = gatedQueue();
    queue.push([entry(1)], DURABLE);
    queue.push([entry(2)], DURABLE);
    await settle();
    gates[0]!.fail(new Error('disk full'));
    await queue.idle();
    expect(errors.map((e) => e.message)).to.deep.equal(['disk full']);
    expect(started).to.deep.equal([1]);
    expect(applied).to.deep.equal([]);
    queue.push([], DURABLE);
    await queue.idle();
  });
});

describe('DurableLog', () => {
  const state = (p: Promise<boolean>): Promise<boolean | 'pending'> => Promise.race([p, settle().then(() => 'pending' as const)]);

  it('resolves true at once for what is durable, and for later indexes once the log reaches them, in any order asked', async () => {
    const log = new DurableLog(5);
    expect(await state(log.through(5))).to.equal(true);
    const seven = log.through(7);
    const nine = log.through(9);
    expect([await state(seven), await state(nine)]).to.deep.equal(['pending', 'pending']);
    log.reached(8);
    expect([await state(seven), await state(nine)]).to.deep.equal([true, 'pending']);
    log.reached(6); // never backwards: committed entries stay durable
    expect(await state(log.through(8))).to.equal(true);
    log.reached(9);
    expect(await state(nine)).to.equal(true);
  });

  it('resolves false for what is not durable when the node halts, and for anything asked after', async () => {
    const log = new DurableLog(3);
    const waiting = log.through(4);
    log.halt();
    expect(await state(waiting)).to.equal(false);
    expect(await state(log.through(10))).to.equal(false);
    expect(await state(log.through(2))).to.equal(true);
  });
});
