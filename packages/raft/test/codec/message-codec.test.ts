import { expect } from 'chai';
import fc from 'fast-check';
import { EntryType, MessageType } from '../../src/core/messages.js';
import type { Entry, RaftMessage } from '../../src/core/messages.js';
import { CodecError } from '../../src/codec/bytes.js';
import {
  decodeEntry,
  decodeMessage,
  encodeEntry,
  encodeMessage,
  readClusterTag,
} from '../../src/codec/message-codec.js';

const safeUint = fc.maxSafeNat();
const smallUint = fc.nat({ max: 1_000_000 });
const nodeId = fc.string({ unit: 'grapheme', maxLength: 12 });

const entryArb: fc.Arbitrary<Entry> = fc.record({
  term: safeUint,
  index: safeUint,
  type: fc.constantFrom(EntryType.Normal, EntryType.Config),
  data: fc.uint8Array({ maxLength: 64 }),
});

const messageArb: fc.Arbitrary<RaftMessage> = fc.record(
  {
    type: fc.integer({ min: MessageType.Vote, max: MessageType.TimeoutNow }),
    from: nodeId,
    to: nodeId,
    term: safeUint,
    logTerm: smallUint,
    index: safeUint,
    entries: fc.array(entryArb, { maxLength: 6 }),
    commit: safeUint,
    reject: fc.boolean(),
    rejectHint: smallUint,
    conflictTerm: smallUint,
    context: fc.uint8Array({ maxLength: 16 }),
    snapshotMeta: fc.record({
      index: safeUint,
      term: safeUint,
      config: fc.record({ voters: fc.array(nodeId, { maxLength: 5 }) }),
    }),
    snapshotOffset: safeUint,
    snapshotData: fc.uint8Array({ maxLength: 128 }),
    snapshotDone: fc.boolean(),
    // Only ever set when true (absent means false), as the sender and the decoder do.
    commitOnly: fc.constant(true),
  },
  {
    requiredKeys: [
      'type', 'from', 'to', 'term', 'logTerm', 'index', 'entries', 'commit', 'reject', 'rejectHint', 'conflictTerm', 'context',
    ],
  },
);

function appendMessage(): RaftMessage {
  return {
    type: MessageType.Append,
    from: 'n1',
    to: 'n2',
    term: 3,
    logTerm: 2,
    index: 41,
    entries: [
      { term: 3, index: 42, type: EntryType.Normal, data: new Uint8Array([1, 2, 3]) },
      { term: 3, index: 43, type: EntryType.Config, data: new Uint8Array() },
    ],
    commit: 40,
    reject: false,
    rejectHint: 0,
    conflictTerm: 0,
    context: new Uint8Array(),
  };
}

describe('message codec', () => {
  it('round-trips an AppendEntries message with entries', () => {
    const m = appendMessage();
    expect(decodeMessage(encodeMessage(m))).to.deep.equal(m);
  });

  it('round-trips a snapshot chunk, keeping absent optional fields absent', () => {
    const m: RaftMessage = {
      ...appendMessage(),
      type: MessageType.Snapshot,
      entries: [],
      snapshotMeta: { index: 100, term: 4, config: { voters: ['n1', 'n2', 'n3'] } },
      snapshotOffset: 65536,
      snapshotData: new Uint8Array([9, 8, 7]),
      snapshotDone: false,
    };
    const decoded = decodeMessage(encodeMessage(m));
    expect(decoded).to.deep.equal(m);
    const plain = decodeMessage(encodeMessage(appendMessage()));
    expect(plain).to.not.have.any.keys('snapshotMeta', 'snapshotOffset', 'snapshotData', 'snapshotDone');
  });

  it('carries commitOnly only when set', () => {
    const m: RaftMessage = { ...appendMessage(), entries: [], commitOnly: true };
    expect(decodeMessage(encodeMessage(m))).to.deep.equal(m);
    expect(decodeMessage(encodeMessage(appendMessage()))).to.not.have.property('commitOnly');
  });

  it('round-trips arbitrary messages (property)', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        expect(decodeMessage(encodeMessage(m))).to.deep.equal(m);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips arbitrary entries (property)', () => {
    fc.assert(
      fc.property(entryArb, (e) => {
        expect(decodeEntry(encodeEntry(e))).to.deep.equal(e);
      }),
    );
  });

  it('carries the cluster tag in the header', () => {
    const buf = encodeMessage(appendMessage(), 0xdeadbeef);
    expect(readClusterTag(buf)).to.equal(0xdeadbeef);
    expect(decodeMessage(buf).from).to.equal('n1');
  });

  it('is far smaller than JSON for a typical append', () => {
    const m = appendMessage();
    const json = JSON.stringify({ ...m, entries: m.entries.map((e) => ({ ...e, data: Array.from(e.data) })) });
    expect(encodeMessage(m).length).to.be.lessThan(json.length / 4);
  });

  it('rejects every truncation of a valid message with CodecError (property)', () => {
    fc.assert(
      fc.property(messageArb, fc.nat(), (m, cut) => {
        const buf = encodeMessage(m);
        const truncated = buf.subarray(0, cut % buf.length);
        expect(() => decodeMessage(truncated)).to.throw(CodecError);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects trailing bytes, unknown versions, message and entry types', () => {
    const buf = encodeMessage(appendMessage());
    const trailing = new Uint8Array(buf.length + 1);
    trailing.set(buf);
    expect(() => decodeMessage(trailing)).to.throw(CodecError, /trailing/);

    const badVersion = Uint8Array.from(buf);
    badVersion[0] = 99;
    expect(() => decodeMessage(badVersion)).to.throw(CodecError, /version/);

    const badType = Uint8Array.from(buf);
    badType[5] = 200;
    expect(() => decodeMessage(badType)).to.throw(CodecError, /message type/);

    const entry = encodeEntry({ term: 1, index: 1, type: EntryType.Normal, data: new Uint8Array() });
    const badEntry = Uint8Array.from(entry);
    badEntry[2] = 7;
    expect(() => decodeEntry(badEntry)).to.throw(CodecError, /entry type/);
  });

  it('never throws anything but CodecError on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeMessage(bytes);
        } catch (err) {
          expect(err).to.be.instanceOf(CodecError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses to encode negative or fractional numbers', () => {
    expect(() => encodeMessage({ ...appendMessage(), term: -1 })).to.throw(CodecError);
    expect(() => encodeMessage({ ...appendMessage(), index: 1.5 })).to.throw(CodecError);
  });

  it('does not alias decoded data to the input buffer', () => {
    const buf = Uint8Array.from(encodeMessage(appendMessage()));
    const decoded = decodeMessage(buf);
    buf.fill(0);
    expect(Array.from(decoded.entries[0]!.data)).to.deep.equal([1, 2, 3]);
  });
});

describe('message codec memory', () => {
  it("keeps a message's entry data in one allocation of exactly their size, apart from the frame", () => {
    const m = appendMessage();
    m.entries.push({ term: 3, index: 44, type: EntryType.Normal, data: new Uint8Array([4, 5]) });
    const frame = encodeMessage(m);
    const decoded = decodeMessage(frame);
    const blocks = new Set(decoded.entries.map((e) => e.data.buffer));
    expect(blocks.size).to.equal(1);
    const [block] = blocks;
    expect(block).to.not.equal(frame.buffer);
    expect(block!.byteLength).to.equal(5);
    expect(decoded.entries.map((e) => Array.from(e.data))).to.deep.equal([[1, 2, 3], [], [4, 5]]);
  });

  it('gives a standalone entry its data in an allocation of its own', () => {
    const buf = encodeEntry({ term: 1, index: 2, type: EntryType.Normal, data: new Uint8Array([7, 8, 9]) });
    const e = decodeEntry(buf);
    expect(e.data.buffer).to.not.equal(buf.buffer);
    expect(e.data.buffer.byteLength).to.equal(3);
  });
});
