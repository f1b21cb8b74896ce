import { expect } from 'chai';
import { NoLeaderError } from '../../src/node-api.js';
import { RaftTimeoutError } from '../../src/driver/errors.js';
import { ReadIndexBatcher } from '../../src/driver/read-batcher.js';
import { SnapshotPolicy } from '../../src/driver/snapshot-policy.js';

/** A batcher over a fake core: records every context asked, with a settable clock and leader. */
function setup(options: { leader?: boolean } = {}) {
  const asked: Uint8Array[] = [];
  const env = { now: 0, leader: options.leader ?? true };
  const batcher = new ReadIndexBatcher({
    requestRead: (context) => {
      asked.push(context);
      return env.leader;
    },
    hasLeader: () => env.leader,
    now: () => env.now,
    retryMs: 100,
    timeoutMs: 1000,
  });
  return { batcher, asked, env };
}

type Outcome = { value?: number; error?: unknown };

function track(p: Promise<number>): Outcome {
  const outcome: Outcome = {};
  p.then(
    (value) => (outcome.value = value),
    (error: unknown) => (outcome.error = error),
  );
  return outcome;
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ReadIndexBatcher', () => {
  it('asks once for the first caller and once more for everyone who arrived meanwhile', async () => {
    const { batcher, asked } = setup();
    batcher.onApplied(10);
    const first = track(batcher.request());
    const later = Array.from({ length: 50 }, () => track(batcher.request()));
    expect(asked).to.have.length(1);
    batcher.onReadState({ index: 7, context: asked[0]! });
    expect(asked).to.have.length(2);
    batcher.onReadState({ index: 9, context: asked[1]! });
    await settle();
    expect(first.value).to.equal(7);
    for (const o of later) expect(o.value).to.equal(9);
  });

  it('resolves only once the applied index reaches the read index', async () => {
    const { batcher, asked } = setup();
    batcher.onApplied(3);
    const read = track(batcher.request());
    batcher.onReadState({ index: 5, context: asked[0]! });
    await settle();
    expect(read).to.deep.equal({});
    batcher.onApplied(4);
    await settle();
    expect(read).to.deep.equal({});
    batcher.onApplied(5);
    await settle();
    expect(read.value).to.equal(5);
  });

  it('ignores answers to contexts it did not ask in the current round', async () => {
    const { batcher, asked } = setup();
    const read = track(batcher.request());
    batcher.onReadState({ index: 1, context: Uint8Array.of(9, 9) });
    await settle();
    expect(read).to.deep.equal({});
    batcher.onReadState({ index: 0, context: asked[0]! });
    await settle();
    expect(read.value).to.equal(0);
  });

  it('asks again after retryMs, and takes an answer to either try', async () => {
    const { batcher, asked, env } = setup();
    const read = track(batcher.request());
    env.now = 50;
    batcher.sweep();
    expect(asked).to.have.length(1);
    env.now = 100;
    batcher.sweep();
    expect(asked).to.have.length(2);
    batcher.onReadState({ index: 0, context: asked[0]! });
    await settle();
    expect(read.value).to.equal(0);
  });

  it('fails at once with NoLeaderError when no leader is known', async () => {
    const { batcher } = setup({ leader: false });
    const read = track(batcher.request());
    await settle();
    expect(read.error).to.be.instanceOf(NoLeaderError);
    expect(batcher.pendingCount()).to.equal(0);
  });

  it('times out with RaftTimeoutError when a leader is known but never answers', async () => {
    const { batcher, env } = setup();
    const read = track(batcher.request());
    env.now = 999;
    batcher.sweep();
    await settle();
    expect(read).to.deep.equal({});
    env.now = 1000;
    batcher.sweep();
    await settle();
    expect(read.error).to.be.instanceOf(RaftTimeoutError);
  });

  it('failAll rejects every waiting caller', async () => {
    const { batcher, asked } = setup();
    const a = track(batcher.request());
    const b = track(batcher.request());
    batcher.onReadState({ index: 100, context: asked[0]! });
    batcher.failAll(new Error('stopped'));
    await settle();
    expect((a.error as Error).message).to.equal('stopped');
    expect((b.error as Error).message).to.equal('stopped');
  });
});

describe('SnapshotPolicy', () => {
  it('is due every `count` applied entries, counting from the last snapshot taken', () => {
    const policy = new SnapshotPolicy(10, 0);
    expect(policy.due(9)).to.equal(false);
    expect(policy.due(10)).to.equal(true);
    policy.took(10);
    expect(policy.due(19)).to.equal(false);
    expect(policy.due(20)).to.equal(true);
    policy.took(23);
    expect(policy.due(32)).to.equal(false);
    expect(policy.due(33)).to.equal(true);
    expect(policy.taken).to.equal(2);
  });

  it('staggers the first snapshot by the node\'s place among the voters, then keeps the spacing', () => {
    const voters = ['n3', 'n1', 'n2'];
    expect(voters.map((id) => SnapshotPolicy.staggerFor(id, voters, 600))).to.deep.equal([200, 0, 100]);
    const policy = new SnapshotPolicy(600, 0, SnapshotPolicy.staggerFor('n2', voters, 600));
    expect(policy.due(699)).to.equal(false);
    expect(policy.due(700)).to.equal(true);
    policy.took(700);
    expect(policy.due(1299)).to.equal(false);
    expect(policy.due(1300)).to.equal(true);
  });

  it('after installing a leader snapshot, counts from it', () => {
    const policy = new SnapshotPolicy(10, 0);
    policy.took(10);
    policy.installed(50);
    expect(policy.due(59)).to.equal(false);
    expect(policy.due(60)).to.equal(true);
    expect(policy.taken).to.equal(1);
  });
});
