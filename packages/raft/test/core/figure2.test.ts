import { expect } from 'chai';
import { MessageType, Role } from '../../src/core/messages.js';
import { drain, entry, makeLeader, msg, newRaft } from './harness.js';

const appendResponses = (ms: ReturnType<typeof drain>) => ms.filter((m) => m.type === MessageType.AppendResponse);
const terms = (r: ReturnType<typeof newRaft>) => {
  const out: number[] = [];
  for (let i = r.log.firstIndex(); i <= r.log.lastIndex(); i++) out.push(r.log.term(i)!);
  return out;
};

describe('Figure 2: AppendEntries receiver', () => {
  it('1. replies with its newer term to an Append from an older term and keeps its log', () => {
    const r = newRaft({ term: 3, logTerms: [1, 2] });
    r.step(msg({ type: MessageType.Append, term: 2, index: 2, logTerm: 2, entries: [entry(3, 2)] }));
    const [resp] = appendResponses(drain(r));
    expect(resp?.term).to.equal(3);
    expect(terms(r)).to.deep.equal([1, 2]);
  });

  it('2. rejects when the log has no entry at prevLogIndex with prevLogTerm, with a conflict hint', () => {
    const r = newRaft({ term: 3, logTerms: [1, 1, 1] });
    r.step(msg({ type: MessageType.Append, term: 3, index: 5, logTerm: 3, entries: [entry(6, 3)] }));
    const [resp] = appendResponses(drain(r));
    expect(resp).to.include({ reject: true, index: 5, rejectHint: 3, conflictTerm: 1 });
    expect(terms(r)).to.deep.equal([1, 1, 1]);
  });

  it('3. deletes a conflicting entry and all that follow it', () => {
    const r = newRaft({ term: 3, logTerms: [1, 1, 2, 2] });
    r.step(msg({ type: MessageType.Append, term: 3, index: 2, logTerm: 1, entries: [entry(3, 3)] }));
    drain(r);
    expect(terms(r)).to.deep.equal([1, 1, 3]);
  });

  it('4. appends entries not already in the log, keeping those that match', () => {
    const r = newRaft({ term: 2, logTerms: [1, 2] });
    r.step(msg({ type: MessageType.Append, term: 2, index: 1, logTerm: 1, entries: [entry(2, 2), entry(3, 2)] }));
    const [resp] = appendResponses(drain(r));
    expect(resp).to.include({ reject: false, index: 3 });
    expect(terms(r)).to.deep.equal([1, 2, 2]);
  });

  it('5. sets commitIndex to min(leaderCommit, index of last new entry)', () => {
    const r = newRaft({ term: 2, logTerms: [1] });
    r.step(msg({ type: MessageType.Append, term: 2, index: 1, logTerm: 1, entries: [entry(2, 2)], commit: 10 }));
    expect(r.log.committed).to.equal(2);
    r.step(msg({ type: MessageType.Append, term: 2, index: 2, logTerm: 2, entries: [entry(3, 2), entry(4, 2)], commit: 3 }));
    expect(r.log.committed).to.equal(3);
  });

  it('defect: a stale (reordered) Append whose entries all match does not truncate later entries', () => {
    const r = newRaft({ term: 2, logTerms: [1] });
    r.step(msg({ type: MessageType.Append, term: 2, index: 1, logTerm: 1, entries: [entry(2, 2), entry(3, 2), entry(4, 2)] }));
    r.step(msg({ type: MessageType.Append, term: 2, index: 1, logTerm: 1, entries: [entry(2, 2)] }));
    expect(terms(r)).to.deep.equal([1, 2, 2, 2]);
  });

  it('defect: a stale Append does not reset the election timer', () => {
    const r = newRaft({ term: 5, logTerms: [1] });
    for (let i = 0; i < 5; i++) r.tick();
    r.step(msg({ type: MessageType.Append, term: 4, index: 1, logTerm: 1 }));
    r.step(msg({ type: MessageType.Heartbeat, term: 4 }));
    expect(r.electionElapsed).to.equal(5);
    r.step(msg({ type: MessageType.Heartbeat, term: 5 }));
    expect(r.electionElapsed).to.equal(0);
  });
});

describe('Figure 2: RequestVote receiver', () => {
  const vote = (from: string, term: number, index: number, logTerm: number) =>
    msg({ type: MessageType.Vote, from, term, index, logTerm });
  const voteReplies = (r: ReturnType<typeof newRaft>) => drain(r).filter((m) => m.type === MessageType.VoteResponse);

  it('1. does not grant a vote to a candidate of an older term', () => {
    const r = newRaft({ term: 3, logTerms: [1] });
    r.step(vote('n2', 2, 5, 2));
    expect(voteReplies(r).filter((m) => !m.reject)).to.have.length(0);
    expect(r.vote).to.equal(null);
  });

  it('2. grants a vote when it has not voted and the candidate log is at least as up to date', () => {
    const r = newRaft({ term: 1, logTerms: [1, 1] });
    r.step(vote('n2', 2, 2, 1));
    expect(voteReplies(r)[0]).to.include({ reject: false, term: 2, to: 'n2' });
    expect(r.vote).to.equal('n2');
  });

  it('2. does not grant a second vote in the same term, but repeats a vote for the same candidate', () => {
    const r = newRaft({ term: 1 });
    r.step(vote('n2', 2, 0, 0));
    r.step(vote('n3', 2, 0, 0));
    r.step(vote('n2', 2, 0, 0));
    expect(voteReplies(r).map((m) => [m.to, m.reject])).to.deep.equal([
      ['n2', false],
      ['n3', true],
      ['n2', false],
    ]);
  });

  it('2. rejects a candidate whose last log term is older', () => {
    const r = newRaft({ term: 2, logTerms: [1, 2] });
    r.step(vote('n2', 3, 10, 1));
    expect(voteReplies(r)[0]?.reject).to.equal(true);
  });

  it('2. rejects a candidate with the same last term but a shorter log', () => {
    const r = newRaft({ term: 2, logTerms: [1, 2, 2] });
    r.step(vote('n2', 3, 2, 2));
    expect(voteReplies(r)[0]?.reject).to.equal(true);
  });

  it('the vote is in the hard state of the Ready that carries the reply (persist before send)', () => {
    const r = newRaft({ term: 1 });
    r.step(vote('n2', 2, 0, 0));
    const rd = r.ready();
    expect(rd.hardState).to.deep.include({ term: 2, vote: 'n2' });
    expect(rd.messages.map((m) => m.type)).to.deep.equal([MessageType.VoteResponse]);
  });
});

describe('Figure 2: rules for all servers', () => {
  it('hands committed entries to the application once commitIndex > lastApplied', () => {
    const r = newRaft({ term: 1, logTerms: [1] });
    r.step(msg({ type: MessageType.Append, term: 1, index: 1, logTerm: 1, entries: [entry(2, 1, 'x')], commit: 2 }));
    const rd = r.ready();
    expect(rd.committedEntries.map((e) => e.index)).to.deep.equal([1, 2]);
    r.advance(rd);
    expect(r.status().appliedIndex).to.equal(2);
    expect(r.hasReady()).to.equal(false);
  });

  it('a message with a newer term updates currentTerm and turns the node into a follower', () => {
    const r = newRaft({ term: 1 });
    makeLeader(r);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 9 }));
    expect(r.role).to.equal(Role.Follower);
    expect(r.term).to.equal(9);
    expect(r.vote).to.equal(null);
  });

  it('entries carry their term and index (defect: entries without a term)', () => {
    const r = newRaft({ term: 4 });
    makeLeader(r);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 5, index: 1 }));
    drain(r);
    r.propose(new Uint8Array([1]));
    const rd = r.ready();
    expect(rd.entries.map((e) => [e.index, e.term])).to.deep.equal([[2, 5]]);
    const append = rd.messages.find((m) => m.type === MessageType.Append && m.to === 'n2');
    expect(append?.entries.map((e) => [e.index, e.term])).to.deep.equal([[2, 5]]);
  });
});

describe('Figure 2: followers', () => {
  it('start an election (pre-vote first) after the randomized election timeout without a leader', () => {
    const r = newRaft({ term: 1 });
    for (let i = 0; i < 2 * 10 && r.role === Role.Follower; i++) r.tick();
    expect(r.role).to.equal(Role.PreCandidate);
    const pre = drain(r).filter((m) => m.type === MessageType.PreVote);
    expect(pre.map((m) => m.to).sort()).to.deep.equal(['n2', 'n3']);
    expect(pre[0]?.term).to.equal(2);
    expect(r.term).to.equal(1);
  });

  it('keep following while a leader of the current term is heard from', () => {
    const r = newRaft({ term: 1 });
    for (let i = 0; i < 100; i++) {
      r.tick();
      r.step(msg({ type: MessageType.Heartbeat, term: 1 }));
    }
    expect(r.role).to.equal(Role.Follower);
    expect(r.leader).to.equal('n2');
  });

  it('forward proposals to the leader, with the command', () => {
    const r = newRaft({ term: 1 });
    r.step(msg({ type: MessageType.Heartbeat, from: 'n3', term: 1 }));
    drain(r);
    expect(r.propose(new Uint8Array([7]))).to.equal(true);
    const [fwd] = drain(r);
    expect(fwd).to.include({ type: MessageType.Propose, to: 'n3' });
    expect([...fwd!.entries[0]!.data]).to.deep.equal([7]);
  });

  it('refuse proposals when no leader is known', () => {
    expect(newRaft({ term: 1 }).propose(new Uint8Array([1]))).to.equal(false);
  });
});

describe('Figure 2: candidates', () => {
  it('on conversion increment the term, vote for themselves and request votes', () => {
    const r = newRaft({ term: 1, config: { preVote: false }, logTerms: [1] });
    r.campaign();
    expect(r.role).to.equal(Role.Candidate);
    const rd = r.ready();
    expect(rd.hardState).to.deep.include({ term: 2, vote: 'n1' });
    const votes = rd.messages.filter((m) => m.type === MessageType.Vote);
    expect(votes.map((m) => [m.to, m.term, m.index, m.logTerm])).to.deep.equal([
      ['n2', 2, 1, 1],
      ['n3', 2, 1, 1],
    ]);
  });

  it('become leader with votes from a majority', () => {
    const r = newRaft({ term: 1, config: { preVote: false } });
    r.campaign();
    r.step(msg({ type: MessageType.VoteResponse, from: 'n2', term: 2 }));
    expect(r.role).to.equal(Role.Leader);
  });

  it('become follower when a leader of the same term appends', () => {
    const r = newRaft({ term: 1, config: { preVote: false } });
    r.campaign();
    r.step(msg({ type: MessageType.Append, from: 'n3', term: 2 }));
    expect(r.role).to.equal(Role.Follower);
    expect(r.leader).to.equal('n3');
  });

  it('start a new election after a split vote times out', () => {
    const r = newRaft({ term: 1, config: { preVote: false } });
    r.campaign();
    for (let i = 0; i < 20 && r.term === 2; i++) r.tick();
    expect(r.role).to.equal(Role.Candidate);
    expect(r.term).to.equal(3);
  });

  it('step down after a majority rejects', () => {
    const r = newRaft({ term: 1, config: { preVote: false } });
    r.campaign();
    r.step(msg({ type: MessageType.VoteResponse, from: 'n2', term: 2, reject: true }));
    r.step(msg({ type: MessageType.VoteResponse, from: 'n3', term: 2, reject: true }));
    expect(r.role).to.equal(Role.Follower);
  });

  it('defect: a late vote reply from an earlier term is not counted', () => {
    const r = newRaft({ term: 1, config: { preVote: false }, voters: ['n1', 'n2', 'n3', 'n4', 'n5'] });
    r.campaign(); // term 2
    r.step(msg({ type: MessageType.VoteResponse, from: 'n2', term: 2 }));
    for (let i = 0; i < 20 && r.term === 2; i++) r.tick(); // times out → term 3
    expect(r.term).to.equal(3);
    r.step(msg({ type: MessageType.VoteResponse, from: 'n3', term: 2 }));
    r.step(msg({ type: MessageType.VoteResponse, from: 'n4', term: 2 }));
    expect(r.role).to.equal(Role.Candidate);
  });

  it('defect: a late vote reply reaching a node that is no longer a candidate is ignored', () => {
    const r = newRaft({ term: 1, config: { preVote: false } });
    r.campaign();
    r.step(msg({ type: MessageType.Heartbeat, from: 'n3', term: 2 }));
    expect(r.role).to.equal(Role.Follower);
    r.step(msg({ type: MessageType.VoteResponse, from: 'n2', term: 2 }));
    expect(r.role).to.equal(Role.Follower);
  });
});

describe('Figure 2: leaders', () => {
  it('append a no-op of their term on election and send it to every follower', () => {
    const r = newRaft({ term: 1, logTerms: [1] });
    makeLeader(r);
    expect(r.log.lastIndex()).to.equal(2);
    expect(r.log.term(2)).to.equal(r.term);
  });

  it('defect: a new leader keeps its own vote in its term', () => {
    const r = newRaft({ term: 1 });
    makeLeader(r);
    expect(r.vote).to.equal('n1');
    expect(r.ready().hardState ?? r.hardState()).to.deep.include({ vote: 'n1', term: r.term });
  });

  it('defect: several proposals can be outstanding at once', () => {
    const r = newRaft({ term: 1 });
    makeLeader(r);
    for (let i = 0; i < 50; i++) expect(r.propose(new Uint8Array([i]))).to.equal(true);
    expect(r.log.lastIndex()).to.equal(51);
  });

  it('defect: nextIndex never goes below 1 however often a follower rejects', () => {
    const r = newRaft({ term: 1, logTerms: [1] });
    makeLeader(r);
    for (let i = 0; i < 10; i++) {
      const pr = r.progress.get('n2')!;
      r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: r.term, reject: true, index: pr.next - 1, rejectHint: 0 }));
    }
    expect(r.progress.get('n2')!.next).to.equal(1);
    const appends = drain(r).filter((m) => m.type === MessageType.Append && m.to === 'n2');
    expect(appends.at(-1)).to.include({ index: 0, logTerm: 0 });
  });

  it('defect (Figure 8): do not commit an entry of an older term by counting replicas', () => {
    // Leader of term 4 holds entry 2 of term 2 (replicated on a majority) but nothing of its own term yet acked.
    const r = newRaft({ term: 3, logTerms: [1, 2] });
    makeLeader(r); // term 4, no-op at 3
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 4, index: 2 }));
    expect(r.log.committed).to.equal(0);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 4, index: 3 }));
    expect(r.log.committed).to.equal(3);
  });

  it('count their own entries only once persisted (advance)', () => {
    const r = newRaft({ term: 1, voters: ['n1', 'n2', 'n3'] });
    r.campaign();
    r.step(msg({ type: MessageType.PreVoteResponse, from: 'n2', term: 2 }));
    r.step(msg({ type: MessageType.VoteResponse, from: 'n2', term: 2 }));
    expect(r.role).to.equal(Role.Leader);
    // Only n3 acks the no-op; the leader's copy is not durable yet: 1 of 3.
    r.step(msg({ type: MessageType.AppendResponse, from: 'n3', term: 2, index: 1 }));
    expect(r.log.committed).to.equal(0);
    const rd = r.ready();
    expect(rd.entries.map((e) => e.index)).to.deep.equal([1]);
    r.advance(rd);
    expect(r.log.committed).to.equal(1);
  });

  it('use the follower conflict hint to skip a whole term of entries at once', () => {
    const r = newRaft({ term: 5, logTerms: [1, 1, 1, 4, 4, 4, 4, 4] });
    makeLeader(r); // the probe to n2 carried prevIndex 8 and the no-op at 9
    // The follower has entries 1..3 of term 1 and then 4..8 of term 3.
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 6, reject: true, index: 8, rejectHint: 8, conflictTerm: 3 }));
    expect(r.progress.get('n2')!.next).to.equal(4);
  });
});
