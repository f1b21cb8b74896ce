import { expect } from 'chai';
import { MessageType } from '../../src/core/messages.js';
import { appendsTo, enc, entry, msg, newRaft, replicatingLeader } from './harness.js';

describe('early output while a Ready persists (takeEarly)', () => {
  it('gives nothing when no Ready is outstanding', () => {
    const r = replicatingLeader();
    r.propose(enc('a'));
    expect(r.takeEarly()).to.deep.equal({ committedEntries: [], messages: [] });
  });

  it('a follower applies an entry committed while the Ready that writes it persists, and not again after it', () => {
    const r = newRaft({ term: 2 });
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 0, logTerm: 0, entries: [entry(1, 2, 'x')] }));
    const rd = r.ready();
    expect(rd.entries.map((e) => e.index)).to.deep.equal([1]);
    expect(rd.committedEntries).to.have.length(0);
    // The leader committed it with the other follower's copy: this node's is still being written.
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 1, logTerm: 2, commit: 1, commitOnly: true }));
    const early = r.takeEarly();
    expect(early.committedEntries.map((e) => e.index)).to.deep.equal([1]);
    expect(early.messages, 'a follower acknowledges only once durable').to.have.length(0);
    expect(r.durableIndex()).to.equal(0);
    expect(r.takeEarly().committedEntries, 'handed out once').to.have.length(0);
    r.advance(rd);
    expect(r.durableIndex()).to.equal(1);
    expect(r.status().appliedIndex).to.equal(1);
    const next = r.hasReady() ? r.ready() : undefined;
    expect(next?.committedEntries ?? []).to.have.length(0);
  });

  it("a follower passes on a client's proposal and read while its write persists; its acknowledgement waits", () => {
    const r = newRaft({ term: 2 });
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 0, logTerm: 0, entries: [entry(1, 2, 'x')] }));
    const rd = r.ready();
    expect(rd.messages.map((m) => m.type), 'the acknowledgement of index 1, for after the write').to.deep.equal([MessageType.AppendResponse]);
    r.propose(enc('w'));
    r.readIndex(enc('read-1'));
    const early = r.takeEarly();
    expect(early.messages.map((m) => [m.type, m.to])).to.deep.equal([
      [MessageType.Propose, 'n2'],
      [MessageType.ReadIndex, 'n2'],
    ]);
    expect(early.messages[0]!.entries.map((e) => new TextDecoder().decode(e.data))).to.deep.equal(['w']);
    expect(r.takeEarly().messages, 'handed out once').to.have.length(0);
    r.advance(rd);
    expect(r.hasReady() ? r.ready().messages : [], 'not sent again with the next Ready').to.have.length(0);
  });

  it('a leader commits with both followers while its own write persists, and tells idle followers at once', () => {
    const r = replicatingLeader();
    r.propose(enc('a'));
    const rd = r.ready();
    expect(rd.entries.map((e) => e.index)).to.deep.equal([2]);
    // One follower: with the leader's copy not durable yet, that is not a quorum of durable copies.
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: 2 }));
    expect(r.log.committed).to.equal(1);
    expect(r.takeEarly()).to.deep.equal({ committedEntries: [], messages: [] });
    r.step(msg({ type: MessageType.AppendResponse, from: 'n3', term: 2, index: 2 }));
    expect(r.log.committed).to.equal(2);
    const early = r.takeEarly();
    expect(early.committedEntries.map((e) => e.index)).to.deep.equal([2]);
    for (const to of ['n2', 'n3']) {
      const [notice] = appendsTo(early.messages, to);
      expect([notice?.index, notice?.entries.length, notice?.commit, notice?.commitOnly]).to.deep.equal([2, 0, 2, true]);
    }
    expect(early.messages).to.have.length(2);
    r.advance(rd);
    // The next Ready repeats neither the entry nor the notices.
    const after = r.hasReady() ? r.ready() : undefined;
    expect(after?.committedEntries ?? []).to.have.length(0);
    expect(appendsTo(after?.messages ?? [], 'n2')).to.have.length(0);
  });

  it('a leader with newer proposals waiting sends no notices: its next Ready carries the commit with them', () => {
    const r = replicatingLeader();
    r.propose(enc('a'));
    const rd = r.ready();
    r.propose(enc('b')); // arrives while index 2 is being written
    for (const from of ['n2', 'n3']) r.step(msg({ type: MessageType.AppendResponse, from, term: 2, index: 2 }));
    const early = r.takeEarly();
    expect(early.committedEntries.map((e) => e.index)).to.deep.equal([2]);
    expect(early.messages).to.have.length(0);
    r.advance(rd);
    const next = r.ready();
    expect(next.entries.map((e) => e.index)).to.deep.equal([3]);
    // Both followers hear commit 2 in this Ready (with index 3, or after it when the acknowledgement already sent it).
    for (const to of ['n2', 'n3']) expect(appendsTo(next.messages, to).some((m) => m.commit === 2), `commit 2 to ${to}`).to.equal(true);
  });

  it('a snapshot taken while a Ready persists counts as durable only once its own Ready is written', () => {
    const r = newRaft({ term: 2 });
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 0, logTerm: 0, entries: [entry(1, 2, 'a')] }));
    r.advance(r.ready());
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 1, logTerm: 2, entries: [entry(2, 2, 'b'), entry(3, 2, 'c')], commit: 3 }));
    const writing = r.ready();
    expect(writing.entries.map((e) => e.index)).to.deep.equal([2, 3]);
    const meta = { index: 10, term: 2, config: { voters: ['n1', 'n2', 'n3'] } };
    r.step(msg({ type: MessageType.Snapshot, from: 'n2', term: 2, index: 10, logTerm: 2, snapshotMeta: meta, snapshotOffset: 0, snapshotData: enc('state'), snapshotDone: true }));
    expect(r.durableIndex(), 'the stored log still ends at 1').to.equal(1);
    r.advance(writing);
    expect(r.durableIndex(), 'entries 2-3 were replaced by the snapshot, which is not written yet').to.equal(1);
    const install = r.ready();
    expect(install.snapshot?.meta.index).to.equal(10);
    r.advance(install);
    expect(r.durableIndex()).to.equal(10);
  });

  it('hands out nothing early around a snapshot: the application restores it first', () => {
    const r = newRaft({ term: 2 });
    const data = enc('state');
    const meta = { index: 10, term: 2, config: { voters: ['n1', 'n2', 'n3'] } };
    r.step(msg({ type: MessageType.Snapshot, from: 'n2', term: 2, index: 10, logTerm: 2, snapshotMeta: meta, snapshotOffset: 0, snapshotData: data, snapshotDone: true }));
    const rd = r.ready();
    expect(rd.snapshot?.meta.index).to.equal(10);
    r.step(msg({ type: MessageType.Append, from: 'n2', term: 2, index: 10, logTerm: 2, entries: [entry(11, 2)], commit: 11 }));
    expect(r.takeEarly()).to.deep.equal({ committedEntries: [], messages: [] });
  });
});
