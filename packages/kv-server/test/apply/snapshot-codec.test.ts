import { expect } from 'chai';
import { decodeSnapshot, encodeSnapshot, type KvSnapshotState } from '../../src/apply/snapshot-codec.js';
import { encodeEntry, type DedupEntry } from '../../src/apply/dedup.js';
import { ByteWriter } from '../../src/mvcc/binary.js';
import { RevisionRecord, type RecordList } from '../../src/mvcc/record.js';
import { b } from '../mvcc/helpers.js';

type Keyed = [key: Buffer, record: RevisionRecord];
const put = (main: number, sub: number, key: string, value: string, version: number, lease = 0): Keyed => [
  b(key),
  RevisionRecord.put(main, sub, main - version + 1, version, lease, b(value)),
];
const tombstone = (main: number, key: string): Keyed => [b(key), RevisionRecord.tombstone(main, 0)];

function state(keyed: Keyed[]): KvSnapshotState {
  const records: RecordList = { keys: keyed.map(([k]) => k), records: keyed.map(([, r]) => r) };
  const dedup: DedupEntry[] = [
    { id: 'req-1', index: 7, result: Buffer.from([1, 2, 3]) },
    { id: 'req-2', index: 9, idempotencyKey: 'client-key', result: Buffer.from([4]) },
  ];
  return { appliedIndex: 12, currentRevision: 300, compactMainRevision: -1, records, dedup, leases: [{ id: 2 ** 40, ttl: 60 }] };
}

/** The layout written field by field, as the format defines it (magic, format 2, indexes, three 0-closed lists). */
function reference(s: KvSnapshotState): Buffer {
  const w = new ByteWriter(256);
  w.raw(Buffer.from('RKVS', 'latin1')).u8(2).varint(s.appliedIndex).varint(s.currentRevision).varint(s.compactMainRevision + 1);
  s.records.records.forEach((rec, i) => {
    const body = new ByteWriter(64).u8(rec.isTombstone ? 1 : 0).bytes(s.records.keys[i]!);
    if (!rec.isTombstone) body.varint(rec.createRevision).varint(rec.version).varint(rec.lease).raw(rec.value());
    w.u8(1).varint(rec.main).varint(rec.sub).bytes(body.finish());
  });
  w.u8(0);
  for (const e of s.dedup) w.u8(1).string(e.id).bytes(encodeEntry(e));
  w.u8(0);
  for (const l of s.leases) w.u8(1).varint(l.id).varint(l.ttl);
  w.u8(0);
  return w.finish();
}

describe('snapshot codec', () => {
  const records = [put(2, 0, 'a', 'one', 1), put(200, 1, 'a', 'x'.repeat(300), 2, 2 ** 40), tombstone(250, 'a'), put(3, 0, 'b', '', 1)];

  it('writes the format byte for byte (snapshots travel between nodes of different versions)', async () => {
    const s = state(records);
    expect((await encodeSnapshot(s)).equals(reference(s))).to.equal(true);
  });

  it('round-trips records, tombstones, dedup entries, leases and a never-compacted store', async () => {
    const decoded = decodeSnapshot(await encodeSnapshot(state(records)));
    expect(decoded).to.include({ appliedIndex: 12, currentRevision: 300, compactMainRevision: -1 });
    const { keys, records: recs } = decoded.records;
    expect(recs.map((r, i) => [r.main, r.sub, keys[i]!.toString(), r.isTombstone ? null : r.value().toString(), r.lease])).to.deep.equal([
      [2, 0, 'a', 'one', 0],
      [200, 1, 'a', 'x'.repeat(300), 2 ** 40],
      [250, 0, 'a', null, 0],
      [3, 0, 'b', '', 0],
    ]);
    // One Buffer per key, shared by its records.
    expect(keys[0]).to.equal(keys[2]);
    expect(decoded.dedup.map((e) => [e.id, e.index, e.idempotencyKey])).to.deep.equal([
      ['req-1', 7, undefined],
      ['req-2', 9, 'client-key'],
    ]);
    expect(decoded.leases).to.deep.equal([{ id: 2 ** 40, ttl: 60 }]);
  });

  it('encodes 30,000 records of varied sizes into exactly the measured size, byte for byte', async () => {
    const many = Array.from({ length: 30_000 }, (_, i) => put(i + 2, 0, `key-${i}`, 'v'.repeat(i % 512), 1));
    const s = state(many);
    const encoded = await encodeSnapshot(s);
    expect(encoded.equals(reference(s))).to.equal(true);
    expect(decodeSnapshot(encoded).records.records.length).to.equal(30_000);
  });
});
