import { expect } from 'chai';
import { MessageType } from '../../src/core/messages.js';
import { drain, entry, msg, newRaft } from './harness.js';

describe('malformed input', () => {
  it('drops an Append whose entries do not follow prevLogIndex', () => {
    const r = newRaft({ term: 2, logTerms: [1] });
    r.step(msg({ type: MessageType.Append, term: 2, index: 1, logTerm: 1, entries: [entry(3, 2)] }));
    expect(r.log.lastIndex()).to.equal(1);
    expect(drain(r)).to.deep.equal([]);
  });

  it('drops an Append carrying entries of a newer term than its own', () => {
    const r = newRaft({ term: 2, logTerms: [1] });
    r.step(msg({ type: MessageType.Append, term: 2, index: 1, logTerm: 1, entries: [entry(2, 7)] }));
    expect(r.log.lastIndex()).to.equal(1);
  });

  it('drops messages from unknown nodes or addressed to another node', () => {
    const r = newRaft({ term: 1 });
    r.step(msg({ type: MessageType.Vote, from: 'stranger', term: 5 }));
    r.step(msg({ type: MessageType.Vote, from: 'n2', to: 'n3', term: 5 }));
    expect(r.term).to.equal(1);
  });

  it('drops a snapshot chunk without metadata', () => {
    const r = newRaft({ term: 1 });
    r.step(msg({ type: MessageType.Snapshot, term: 1, snapshotOffset: 0, snapshotData: new Uint8Array(4), snapshotDone: true }));
    expect(r.log.snapshotIndex).to.equal(0);
    expect(drain(r)).to.deep.equal([]);
  });
});
