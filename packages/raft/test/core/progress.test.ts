import { expect } from 'chai';
import { MessageType } from '../../src/core/messages.js';
import { Inflights, Progress, ProgressState } from '../../src/core/progress.js';
import { drain, enc, makeLeader, msg, newRaft } from './harness.js';

describe('replication flow control', () => {
  it('the in-flight window is bounded by count and by bytes', () => {
    const byCount = new Inflights(2, 1000);
    byCount.add(1, 10);
    expect(byCount.full()).to.equal(false);
    byCount.add(2, 10);
    expect(byCount.full()).to.equal(true);
    byCount.freeLE(1);
    expect(byCount.full()).to.equal(false);
    const byBytes = new Inflights(100, 50);
    byBytes.add(1, 30);
    byBytes.add(2, 30);
    expect(byBytes.full()).to.equal(true);
  });

  it('a leader pipelines several Appends to a replicating follower, then waits for acknowledgements', () => {
    const r = newRaft({ term: 1, config: { maxInflightMessages: 3, maxMessageBytes: 1 } });
    makeLeader(r);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: 1 }));
    drain(r);
    expect(r.progress.get('n2')!.state).to.equal(ProgressState.Replicate);
    for (let i = 0; i < 10; i++) r.propose(enc(`p${i}`));
    const toN2 = drain(r).filter((m) => m.type === MessageType.Append && m.to === 'n2');
    expect(toN2.map((m) => m.entries.length)).to.deep.equal([1, 1, 1]);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: toN2[1]!.index + 1 }));
    const more = drain(r).filter((m) => m.type === MessageType.Append && m.to === 'n2');
    expect(more).to.have.length(2);
  });

  it('a probing leader sends one Append at a time until it hears back', () => {
    const r = newRaft({ term: 1, logTerms: [1, 1, 1] });
    makeLeader(r);
    r.propose(enc('a'));
    r.propose(enc('b'));
    const toN3 = drain(r).filter((m) => m.type === MessageType.Append && m.to === 'n3');
    expect(toN3).to.have.length(0); // the first probe went out in makeLeader and is unanswered
    expect(r.progress.get('n3')!.state).to.equal(ProgressState.Probe);
  });

  it('ignores stale rejections', () => {
    const pr = new Progress(10, 4, 1 << 20);
    pr.becomeReplicate();
    pr.maybeUpdate(8);
    expect(pr.maybeDecrTo(5, 2)).to.equal(false);
    const probe = new Progress(10, 4, 1 << 20);
    expect(probe.maybeDecrTo(7, 2)).to.equal(false); // not the last probe sent (prev index 9)
    expect(probe.maybeDecrTo(9, 2)).to.equal(true);
    expect(probe.next).to.equal(3);
  });
});

describe('check-quorum and lease', () => {
  it('a leader that hears from no follower for an election timeout steps down', () => {
    const r = newRaft({ term: 1 });
    makeLeader(r);
    for (let i = 0; i < 20; i++) r.tick();
    expect(r.role).to.equal('follower');
  });

  it('a leader that hears from a majority stays', () => {
    const r = newRaft({ term: 1 });
    makeLeader(r);
    for (let i = 0; i < 40; i++) {
      r.tick();
      r.step(msg({ type: MessageType.HeartbeatResponse, from: 'n2', term: 2 }));
    }
    expect(r.role).to.equal('leader');
  });

  it('a follower in lease ignores a higher-term vote, but not a transfer campaign', () => {
    const r = newRaft({ term: 2 });
    r.step(msg({ type: MessageType.Heartbeat, from: 'n2', term: 2 }));
    r.step(msg({ type: MessageType.Vote, from: 'n3', term: 3 }));
    expect(r.term).to.equal(2);
    r.step(msg({ type: MessageType.Vote, from: 'n3', term: 3, context: new TextEncoder().encode('transfer') }));
    expect(r.term).to.equal(3);
    expect(r.vote).to.equal('n3');
  });
});
