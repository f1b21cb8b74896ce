import { expect } from 'chai';
import { MessageType } from '../../src/core/messages.js';
import { appendsTo, drain, enc, entry, msg, newRaft, replicatingLeader } from './harness.js';

describe('append batching', () => {
  it('a burst of proposals in one turn goes out as one Append per follower', () => {
    const r = replicatingLeader();
    for (let i = 0; i < 50; i++) r.propose(enc(`p${i}`));
    const msgs = drain(r);
    for (const to of ['n2', 'n3']) {
      const appends = appendsTo(msgs, to);
      expect(appends, to).to.have.length(1);
      expect(appends[0]!.entries.map((e) => e.index)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 2));
    }
  });

  it('a new commit index reaches each follower once, in one empty Append, when nothing else is new', () => {
    const r = replicatingLeader();
    r.propose(enc('a'));
    drain(r);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: 2 }));
    r.step(msg({ type: MessageType.AppendResponse, from: 'n3', term: 2, index: 2 }));
    expect(r.log.committed).to.equal(2);
    const msgs = drain(r);
    for (const to of ['n2', 'n3']) {
      const appends = appendsTo(msgs, to);
      expect(appends, to).to.have.length(1);
      expect(appends[0]!.entries).to.have.length(0);
      expect(appends[0]!.commit).to.equal(2);
    }
    expect(drain(r).filter((m) => m.type === MessageType.Append)).to.have.length(0);
  });

  it('entries proposed after an acknowledgement in the same turn carry the new commit index with them', () => {
    const r = replicatingLeader();
    r.propose(enc('a'));
    drain(r);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: 2 }));
    r.propose(enc('b'));
    const msgs = drain(r);
    for (const to of ['n2', 'n3']) {
      const appends = appendsTo(msgs, to);
      expect(appends, to).to.have.length(1);
      expect(appends[0]!.entries.map((e) => e.index)).to.deep.equal([3]);
      expect(appends[0]!.commit).to.equal(2);
    }
  });

  it('a follower answers several Appends handled in one turn with one acknowledgement of the highest index', () => {
    const r = newRaft({ term: 2 });
    for (let i = 1; i <= 5; i++) {
      r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: i - 1, logTerm: i === 1 ? 0 : 2, entries: [entry(i, 2)] }));
    }
    const acks = drain(r).filter((m) => m.type === MessageType.AppendResponse);
    expect(acks.map((m) => [m.to, m.index, m.reject])).to.deep.equal([['n2', 5, false]]);
  });

  it('keeps a rejection between acknowledgements', () => {
    const r = newRaft({ term: 2 });
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 0, logTerm: 0, entries: [entry(1, 2)] }));
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 7, logTerm: 2, entries: [entry(8, 2)] }));
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 1, logTerm: 2, entries: [entry(2, 2)] }));
    const acks = drain(r).filter((m) => m.type === MessageType.AppendResponse);
    expect(acks.map((m) => [m.index, m.reject])).to.deep.equal([
      [7, true],
      [2, false],
    ]);
  });

  it('marks an empty Append commit-only when the follower matches its index or still owes the answer that will say so', () => {
    const r = replicatingLeader();
    r.propose(enc('a'));
    drain(r);
    // n2 acknowledges index 2; n3 has not answered yet.
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: 2 }));
    expect(r.log.committed).to.equal(2);
    const msgs = drain(r);
    const [toN2] = appendsTo(msgs, 'n2');
    expect([toN2!.index, toN2!.entries.length, toN2!.commit, toN2!.commitOnly]).to.deep.equal([2, 0, 2, true]);
    // n3's answer to the Append in flight (ending at index 2) will tell the leader what an answer to this one would.
    const [toN3] = appendsTo(msgs, 'n3');
    expect([toN3!.index, toN3!.entries.length, toN3!.commitOnly]).to.deep.equal([2, 0, true]);
    expect(r.progress.get('n3')!.inflights.count()).to.equal(1);
  });

  it('an empty Append to a follower that owes no answer and is not known to match is not commit-only', () => {
    const r = replicatingLeader();
    r.propose(enc('a'));
    drain(r);
    // As after a heartbeat answer freed n3's (full) window: nothing in flight is owed an answer.
    r.progress.get('n3')!.inflights.reset();
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: 2 }));
    const [toN3] = appendsTo(drain(r), 'n3');
    expect([toN3!.index, toN3!.entries.length, toN3!.commitOnly]).to.deep.equal([2, 0, undefined]);
  });

  it('a lost acknowledgement is asked for again at the next heartbeat answer, not with a commit-only Append', () => {
    const r = replicatingLeader();
    r.propose(enc('a'));
    drain(r);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: 2 }));
    drain(r);
    r.step(msg({ type: MessageType.HeartbeatResponse, from: 'n3', term: 2 }));
    const [toN3] = appendsTo(drain(r), 'n3');
    expect(toN3, 'an Append to n3').to.not.equal(undefined);
    expect(toN3!.commitOnly).to.equal(undefined);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n3', term: 2, index: 2 }));
    expect(r.progress.get('n3')!.match).to.equal(2);
  });

  it('a follower takes the commit of a commit-only Append without answering, but answers anything else', () => {
    const r = newRaft({ term: 2 });
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 0, logTerm: 0, entries: [entry(1, 2)] }));
    expect(drain(r).filter((m) => m.type === MessageType.AppendResponse).map((m) => m.index)).to.deep.equal([1]);
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 1, logTerm: 2, commit: 1, commitOnly: true }));
    expect(r.log.committed).to.equal(1);
    expect(drain(r).filter((m) => m.type === MessageType.AppendResponse)).to.have.length(0);
    // One it cannot match is rejected, commit-only or not, so the leader backs up.
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 5, logTerm: 2, commit: 1, commitOnly: true }));
    expect(drain(r).filter((m) => m.type === MessageType.AppendResponse).map((m) => [m.index, m.reject])).to.deep.equal([[5, true]]);
    // Without the mark, an empty Append is acknowledged as before.
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 1, logTerm: 2, commit: 1 }));
    expect(drain(r).filter((m) => m.type === MessageType.AppendResponse).map((m) => [m.index, m.reject])).to.deep.equal([[1, false]]);
  });
});
