import { expect } from 'chai';
import { ByteReader, ByteWriter, ownedCopy, SlabCopier } from '../../src/mvcc/binary.js';
import { writeLevelBatch } from '@raftkv/raft';
import { openKvDb, type KvDb } from '../../src/mvcc/db.js';
import { decodeRecordBody, encodeRecordBody, RevisionRecord } from '../../src/mvcc/record.js';
import { MvccStore } from '../../src/mvcc/store.js';
import type { RangeResponse } from '../../src/mvcc/types.js';
import { b, show, tempDir } from './helpers.js';

/** A buffer that is a slice of a larger allocation, as request bodies and Node's pool slices are. */
function sliceOfLarger(s: string): Buffer {
  const big = Buffer.alloc(4096, 0x2a);
  const bytes = Buffer.from(s, 'utf8');
  bytes.copy(big, 100);
  return big.subarray(100, 100 + bytes.length);
}

const ownsItsMemory = (buf: Buffer): boolean => buf.byteOffset === 0 && buf.buffer.byteLength === buf.length;
const SLAB_BYTES = 64 * 1024;

describe('MvccStore memory: what it keeps does not pin larger allocations', () => {
  it("keeps put values and new keys in its own slabs, neither in the request's memory nor in Node's shared pool", () => {
    const s = new MvccStore();
    const inputs = [sliceOfLarger('k1'), sliceOfLarger('v1'), sliceOfLarger('k1'), sliceOfLarger('v2')];
    s.put({ key: inputs[0]!, value: inputs[1]! });
    s.put({ key: inputs[2]!, value: inputs[3]!, prevKv: true });
    const kvs = s.range({ key: b('k1'), revision: 2 }).kvs.concat(s.range({ key: b('k1') }).kvs);
    expect(kvs.map(show).map((kv) => kv!.value)).to.deep.equal(['v1', 'v2']);
    for (const kv of [...kvs.map((k) => k.value), ...kvs.map((k) => k.key)]) {
      for (const input of inputs) expect(kv.buffer).to.not.equal(input.buffer);
      // A slab of the store's (64 KiB), not one of Node's 8 KiB pool slabs.
      expect(kv.buffer.byteLength).to.equal(SLAB_BYTES);
    }
    // Small copies share a slab: one ArrayBuffer for many values, not one each.
    expect(kvs[0]!.value.buffer).to.equal(kvs[1]!.value.buffer);
  });

  it('SlabCopier packs small copies into slabs of its own, starts a new one when full, and gives large ones their own memory', () => {
    const copier = new SlabCopier(64);
    const a = copier.copy(sliceOfLarger('12345678'));
    const b8 = copier.copy(sliceOfLarger('abcdefgh'));
    expect([a.toString(), b8.toString()]).to.deep.equal(['12345678', 'abcdefgh']);
    expect(a.buffer).to.equal(b8.buffer);
    expect(a.buffer.byteLength).to.equal(64);
    // 16 bytes used: six more copies of 8 fill the slab exactly, the seventh starts a new one.
    const fills = Array.from({ length: 7 }, (_, i) => copier.copy(sliceOfLarger(`${i}`.repeat(8))));
    expect(fills[5]!.buffer).to.equal(a.buffer);
    expect(fills[6]!.buffer).to.not.equal(a.buffer);
    expect(fills.map((f) => f.toString()[0]).join('')).to.equal('0123456');
    const large = copier.copy(sliceOfLarger('x'.repeat(9)));
    expect(ownsItsMemory(large)).to.equal(true);
    expect(large.toString()).to.equal('x'.repeat(9));
  });

  it('SlabCopier.place copies into the current slab and says where, without a view; large copies get their own memory', () => {
    const copier = new SlabCopier(64);
    const first = copier.place(sliceOfLarger('1234'));
    const firstAt = copier.placedAt;
    const second = copier.place(sliceOfLarger('abcd'));
    expect(second).to.equal(first);
    expect([firstAt, copier.placedAt]).to.deep.equal([0, 4]);
    expect(first.toString('latin1', 0, 8)).to.equal('1234abcd');
    expect(copier.copy(sliceOfLarger('xy')).buffer).to.equal(first.buffer);
    const large = copier.place(sliceOfLarger('z'.repeat(9)));
    expect([ownsItsMemory(large), copier.placedAt, large.toString()]).to.deep.equal([true, 0, 'z'.repeat(9)]);
  });

  it('gives ByteWriter.finish() results slab memory and ownedCopy() results memory of their own, with the same bytes', () => {
    const w = new ByteWriter(8).varint(300).string('héllo');
    const out = w.finish();
    expect(out.buffer.byteLength).to.equal(SLAB_BYTES);
    const r = new ByteReader(out);
    expect([r.varint(), r.string(), r.done]).to.deep.equal([300, 'héllo', true]);
    const copy = ownedCopy(sliceOfLarger('abc'));
    expect(ownsItsMemory(copy)).to.equal(true);
    expect(copy.toString()).to.equal('abc');
  });
});

describe('revision records', () => {
  it('hand out a new KeyValue on each read, so a reader that edits one cannot change history', () => {
    const key = b('k');
    const rec = RevisionRecord.put(5, 0, 3, 2, 7, sliceOfLarger('value'));
    const read = rec.kv(key);
    expect(show(read)).to.deep.equal({ key: 'k', value: 'value', create: 3, mod: 5, version: 2, lease: 7 });
    read.version = 99;
    read.value = b('other');
    expect(rec.kv(key)).to.not.equal(read);
    expect(show(rec.kv(key))).to.deep.equal({ key: 'k', value: 'value', create: 3, mod: 5, version: 2, lease: 7 });
  });

  it("keep values in the store's shared slabs; a put that keeps its value shares the bytes; a tombstone has none", () => {
    const a = RevisionRecord.put(2, 0, 2, 1, 0, sliceOfLarger('one'));
    const other = RevisionRecord.put(3, 0, 3, 1, 0, sliceOfLarger('two'));
    const kept = RevisionRecord.putKeepingValue(4, 0, 2, 2, 9, a);
    expect(a.value().buffer.byteLength).to.equal(SLAB_BYTES);
    expect(a.value().buffer).to.equal(other.value().buffer);
    expect([kept.value().byteOffset, kept.value().toString()]).to.deep.equal([a.value().byteOffset, 'one']);
    const tombstone = RevisionRecord.tombstone(5, 1);
    expect([tombstone.isTombstone, a.isTombstone, tombstone.value().length, tombstone.main, tombstone.sub]).to.deep.equal([true, false, 0, 5, 1]);
    expect([a.valueSize, kept.valueSize, tombstone.valueSize]).to.deep.equal([3, 3, 0]);
    const out = Buffer.alloc(6, 0x2e);
    expect([a.copyValueTo(out, 1), tombstone.copyValueTo(out, 4), out.toString()]).to.deep.equal([4, 4, '.one..']);
  });
});

describe('record bodies', () => {
  it('encode the stored layout byte for byte (flags, key, create, version, lease, value), and decode back', () => {
    const key = b('k');
    const rec = RevisionRecord.put(301, 0, 300, 2, 0, b('vv'));
    const body = encodeRecordBody(key, rec);
    expect([...body]).to.deep.equal([0, 1, 0x6b, 0xac, 0x02, 2, 0, 0x76, 0x76]);
    const decoded = decodeRecordBody(301, 0, body);
    expect(show(decoded.record.kv(decoded.key))).to.deep.equal(show(rec.kv(key)));
    expect(show(rec.kv(key))).to.deep.equal({ key: 'k', value: 'vv', create: 300, mod: 301, version: 2, lease: 0 });
    const tombstone = encodeRecordBody(key, RevisionRecord.tombstone(302, 0));
    expect([...tombstone]).to.deep.equal([1, 1, 0x6b]);
    const decodedTombstone = decodeRecordBody(302, 0, tombstone);
    expect([decodedTombstone.key.toString(), decodedTombstone.record.isTombstone, decodedTombstone.record.main]).to.deep.equal(['k', true, 302]);
  });
});

describe('MvccStore.load', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let db: KvDb;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('load'));
    db = await openKvDb(dir);
  });
  afterEach(async () => {
    await db.close();
    await cleanup();
  });

  /** Reads of all keys at the compacted revision, every 50th revision after it, and the last few. */
  function sampleReads(s: MvccStore): RangeResponse[] {
    const reads: RangeResponse[] = [];
    for (let rev = s.compactedRevision(); rev <= s.currentRevision(); rev++)
      if ((rev - s.compactedRevision()) % 50 === 0 || rev > s.currentRevision() - 5)
        reads.push(s.range({ key: b('\0'), rangeEnd: Buffer.of(0), revision: rev }));
    return reads;
  }

  it('rebuilds the same store from more records than one read batch, with history, deletes and a compaction', async () => {
    const s = new MvccStore();
    for (let i = 0; i < 2600; i++) {
      const key = `key-${(i * 7919) % 900}`;
      if (i % 11 === 0) s.deleteRange({ key: b(key) });
      else s.put({ key: b(key), value: b(`value-${i}`) });
      if (i === 1200) s.compact(s.currentRevision() - 100);
    }
    await writeLevelBatch(db, s.takeDbOps());
    const loaded = await MvccStore.load(db);
    expect(loaded.currentRevision()).to.equal(s.currentRevision());
    expect(loaded.compactedRevision()).to.equal(s.compactedRevision());
    expect(loaded.indexedKeys()).to.equal(s.indexedKeys());
    const json = (reads: RangeResponse[]) => JSON.stringify(reads);
    expect(json(sampleReads(loaded))).to.equal(json(sampleReads(s)));
  });

  it('gives every loaded record of one key the same key Buffer', async () => {
    const s = new MvccStore();
    for (let i = 0; i < 5; i++) s.put({ key: b('shared'), value: b(`${i}`) });
    s.put({ key: b('other'), value: b('x') });
    await writeLevelBatch(db, s.takeDbOps());
    const loaded = await MvccStore.load(db);
    const keys = loaded.records().keys.filter((k) => k.toString() === 'shared');
    expect(keys).to.have.length(5);
    expect(new Set(keys).size).to.equal(1);
  });
});
