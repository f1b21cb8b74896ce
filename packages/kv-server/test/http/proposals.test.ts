import { expect } from 'chai';
import { Proposer, ERR_NO_LEADER, ERR_LEADER_CHANGED, ERR_TIMEOUT } from '../../src/proposals.js';
import { KvError } from '../../src/mvcc/types.js';
import { FakeRaft } from './fake-raft.js';
import { StubKvBackend } from './stub-kv-backend.js';

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(requestTimeoutMs = 3000) {
  const backend = new StubKvBackend();
  const raft = new FakeRaft((data) => backend.applyEntry(data));
  const proposer = new Proposer(raft, backend, { requestTimeoutMs, retryIntervalMs: 20 });
  return { backend, raft, proposer };
}

const put = (k: string, v: string) => ({ put: { key: Buffer.from(k), value: Buffer.from(v) } });

async function rejection(p: Promise<unknown>): Promise<KvError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(KvError);
    return err as KvError;
  }
  throw new Error('expected a rejection');
}

describe('proposals: writes through raft', () => {
  it('answers a write with the revision and response once it is applied', async () => {
    const { proposer, backend } = setup();
    const outcome = await proposer.write(put('a', '1'));
    expect(outcome.revision).to.equal(2);
    expect(backend.appliedCount).to.equal(1);
  });

  it('re-proposes a lost proposal with the same id until one commits', async () => {
    const { proposer, raft, backend } = setup();
    raft.dropProposals = true;
    const pending = proposer.write(put('a', '1'));
    await until(() => raft.proposals >= 3, 'three proposals');
    raft.dropProposals = false;
    expect((await pending).revision).to.equal(2);
    expect(backend.appliedCount).to.equal(1);
  });

  it('applies a write exactly once although its retries reach the log as duplicates', async () => {
    const { proposer, raft, backend } = setup();
    raft.commitDelayMs = 150;
    await proposer.write(put('a', '1'));
    expect(raft.proposals).to.be.greaterThan(1);
    await until(() => backend.entriesSeen === raft.proposals, 'every duplicate to be committed');
    expect(backend.appliedCount).to.equal(1);
    expect(backend.revision()).to.equal(2);
  });

  it('waits through a leaderless spell and proposes once a leader appears', async () => {
    const { proposer, raft } = setup();
    raft.setLeader(null);
    const pending = proposer.write(put('a', '1'));
    await new Promise((r) => setTimeout(r, 50));
    expect(raft.proposals).to.equal(0);
    raft.setLeader('n1');
    expect((await pending).revision).to.equal(2);
  });

  it("fails with 'no leader' (code 14) when no leader appears before the deadline", async () => {
    const { proposer, raft } = setup(200);
    raft.setLeader(null);
    const err = await rejection(proposer.write(put('a', '1')));
    expect([err.code, err.message]).to.deep.equal([14, ERR_NO_LEADER]);
  });

  it("fails with 'leader changed' when the term moved under an unanswered write", async () => {
    const { proposer, raft } = setup(200);
    raft.dropProposals = true;
    const pending = proposer.write(put('a', '1'));
    raft.setLeader('n2');
    const err = await rejection(pending);
    expect([err.code, err.message]).to.deep.equal([14, ERR_LEADER_CHANGED]);
  });

  it("fails with 'request timed out' when a steady leader never applies it", async () => {
    const { proposer, raft } = setup(150);
    raft.dropProposals = true;
    const err = await rejection(proposer.write(put('a', '1')));
    expect([err.code, err.message]).to.deep.equal([14, ERR_TIMEOUT]);
  });

  it('holds one raft listener and one timer however many requests wait, and no listener after stop', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const { proposer, raft } = setup(2000);
    raft.dropProposals = true;
    const before = timers();
    const pending = Array.from({ length: 50 }, (_, i) => rejection(proposer.write(put(`k${i}`, 'v'))));
    expect(raft.listenerCount('leader')).to.equal(1);
    expect(timers() - before).to.equal(1);
    proposer.stop();
    await Promise.all(pending);
    expect(raft.listenerCount('leader')).to.equal(0);
  });

  it('passes the store\'s KvError through unchanged', async () => {
    const { proposer } = setup();
    const err = await rejection(proposer.write({ compaction: { revision: 99 } }));
    expect(err.code).to.equal(11);
  });

  it('fails waiting requests at stop', async () => {
    const { proposer, raft } = setup();
    raft.dropProposals = true;
    const pending = proposer.write(put('a', '1'));
    proposer.stop();
    expect((await rejection(pending)).code).to.equal(14);
  });
});

describe('proposals: reads', () => {
  it('runs a linearizable read after a read index, retrying through a leaderless spell', async () => {
    const { proposer, raft } = setup();
    raft.setLeader(null);
    let ran = false;
    const pending = proposer.linearizableRead(() => {
      ran = true;
      return 7;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(ran).to.equal(false);
    raft.setLeader('n1');
    expect(await pending).to.equal(7);
    expect(raft.readIndexCalls).to.be.greaterThan(1);
  });
});

describe('proposals: reads that raft times out', () => {
  it('retries a read index that raft rejected with a timeout, within the request deadline', async () => {
    const { proposer, raft } = setup();
    let failures = 2;
    const realReadIndex = raft.readIndex.bind(raft);
    raft.readIndex = async () => {
      if (failures-- > 0) throw new Error('read index timed out after 5000 ms');
      return realReadIndex();
    };
    expect(await proposer.linearizableRead(() => 'ok')).to.equal('ok');
    expect(failures).to.be.below(0);
  });
});
