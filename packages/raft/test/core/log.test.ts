import { expect } from 'chai';
import { RaftLog } from '../../src/core/log.js';
import { EntryType, MessageType, type Entry } from '../../src/core/messages.js';
import type { Raft } from '../../src/core/raft.js';
import { drain, msg, replicatingLeader } from './harness.js';

/** Entry `index` of term `term`, with data of varied sizes (some larger than a slab's share). */
function entryAt(index: number, term: number): Entry {
  const size = index % 97 === 0 ? 20_000 : index % 13;
  return { term, index, type: index % 11 === 0 ? EntryType.Config : EntryType.Normal, data: new Uint8Array(size).fill(index % 256) };
}

const entriesIn = (from: number, to: number, termOf: (i: number) => number = () => 1): Entry[] =>
  Array.from({ length: to - from + 1 }, (_, k) => entryAt(from + k, termOf(from + k)));

const packedCount = (log: RaftLog): number => (log as unknown as { packed: { length: number } }).packed.length;

/** A log holding entries 1..last, all durable, applied up to `applied`. */
function settledLog(last: number, applied: number, termOf?: (i: number) => number): RaftLog {
  const log = new RaftLog(null, entriesIn(1, last, termOf), applied, applied);
  return log;
}

describe('RaftLog', () => {
  it('keeps applied, durable entries packed and gives them back as they were, across the packed/recent boundary', () => {
    const termOf = (i: number): number => 1 + Math.floor(i / 100);
    const log = settledLog(1_000, 700, termOf);
    expect(packedCount(log)).to.equal(700);
    expect(log.slice(1, 1_001)).to.deep.equal(entriesIn(1, 1_000, termOf));
    expect(log.slice(650, 760)).to.deep.equal(entriesIn(650, 759, termOf));
    for (const i of [1, 99, 100, 700, 701, 1_000]) expect(log.term(i)).to.equal(termOf(i));
    expect(log.findConflictByTerm(1_000, 4)).to.deep.equal({ index: 399, term: 4 });
  });

  it('bounds a slice by bytes the same for packed and recent entries, and always gives at least one', () => {
    const log = settledLog(400, 200);
    const bytesOf = (es: Entry[]): number => es.reduce((n, e) => n + e.data.byteLength + 16, 0);
    for (const lo of [150, 195, 201]) {
      const out = log.slice(lo, 401, 300);
      expect(out[0]!.index).to.equal(lo);
      expect(bytesOf(out)).to.be.at.most(300);
      expect(bytesOf(log.slice(lo, lo + out.length + 1))).to.be.above(300);
    }
    expect(log.slice(194, 401, 1)).to.have.length(1); // entry 194 alone is 20,016 bytes
  });

  it('packs entries only once they are both applied and durable, in batches', () => {
    const log = new RaftLog(null, [], 0, 0);
    log.append(entriesIn(1, 300));
    log.commitTo(300);
    log.appliedTo(300);
    expect(packedCount(log)).to.equal(0); // applied, not durable yet
    log.stableTo(300, 1);
    expect(packedCount(log)).to.equal(300);
    log.append(entriesIn(301, 330));
    log.stableTo(330, 1);
    log.commitTo(330);
    log.appliedTo(330);
    expect(packedCount(log)).to.equal(300); // fewer than a batch
    expect(log.slice(295, 331)).to.deep.equal(entriesIn(295, 330));
  });

  it('compacts into the packed entries and past them', () => {
    const log = settledLog(1_000, 900);
    expect(log.compact(500)).to.equal(1);
    expect(log.firstIndex()).to.equal(501);
    expect(log.slice(501, 1_001)).to.deep.equal(entriesIn(501, 1_000));
    log.commitTo(1_000);
    log.appliedTo(1_000);
    expect(packedCount(log)).to.equal(500);
    log.append(entriesIn(1_001, 1_010));
    log.commitTo(1_010);
    log.appliedTo(1_010); // applied, not durable: stays in recent
    expect(log.compact(1_005)).to.equal(1);
    expect(log.slice(1_006, 1_011)).to.deep.equal(entriesIn(1_006, 1_010));
    expect(log.term(1_005)).to.equal(1);
    expect(log.term(1_004)).to.equal(undefined);
  });

  it('truncates a follower\'s conflicting suffix after packed entries and keeps the packed ones', () => {
    const log = settledLog(500, 300);
    const fromNewLeader = entriesIn(350, 360, () => 2);
    log.appendFromLeader(349, fromNewLeader);
    expect(log.lastIndex()).to.equal(360);
    expect(log.slice(1, 361)).to.deep.equal([...entriesIn(1, 349), ...fromNewLeader]);
    expect(log.stableIndex).to.equal(349);
  });

  it('keeps its own copy of packed data', () => {
    const source = entriesIn(1, 100);
    const log = new RaftLog(null, source, 100, 100);
    for (const e of source) e.data.fill(255);
    expect(log.slice(1, 101)).to.deep.equal(entriesIn(1, 100));
  });
});

describe('RaftLog on a leader', () => {
  const packedOf = (r: Raft): number => packedCount(r.log);

  it('keeps entries a follower has not matched yet as objects, and packs them once every follower has', () => {
    const r = replicatingLeader();
    for (let i = 0; i < 300; i++) r.propose(new Uint8Array([i % 256]));
    drain(r);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: 301 }));
    r.step(msg({ type: MessageType.AppendResponse, from: 'n3', term: 2, index: 100 }));
    drain(r);
    expect(r.log.committed).to.equal(301);
    expect(packedOf(r)).to.equal(100);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n3', term: 2, index: 301 }));
    drain(r);
    expect(packedOf(r)).to.equal(301);
    expect(r.log.slice(2, 302).map((e) => e.data[0])).to.deep.equal(Array.from({ length: 300 }, (_, i) => i % 256));
  });
});
