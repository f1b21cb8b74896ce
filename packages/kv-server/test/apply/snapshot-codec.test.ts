import { expect } from 'chai';
import { decodeSnapshot, encodeSnapshot, type KvSnapshotState } from '../../src/apply/snapshot-codec.js';
import { encodeEntry, type DedupEntry } from '../../src/apply/dedup.js';
import { ByteWriter } from '../../src/mvcc/binary.js';
import { freezeKv, type RevisionRecord } from '../../src/mvcc/record.js';
import { b } from '../mvcc/helpers.js';

const put = (main: number, sub: number, key: string, value: string, version: number, lease = 0): RevisionRecord => ({
  rev: { main, sub },
  key: b(key),
  kv: freezeKv({ key: b(key), value: b(value), createRevision: main - version + 1, modRevision: main, version, lease }),
});
const tombstone = (main: number, key: string): RevisionRecord => ({ rev: { main, sub: 0 }, key: b(key), kv: null });

function state(records: RevisionRecord[]): KvSnapshotState {
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
  for (const rec of s.records) {
    const body = new ByteWriter(64).u8(rec.kv === null ? 1 : 0).bytes(rec.key);
    if (rec.kv !== null) body.varint(rec.kv.createRevision).varint(rec.kv.version).varint(rec.kv.lease).raw(rec.kv.value);
    w.u8(1).varint(rec.rev.main).varint(rec.rev.sub).bytes(body.finish());
  }
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
    expect(decoded.records.map((r) => [r.rev.main, r.rev.sub, r.key.toString(), r.kv?.value.toString() ?? null, r.kv?.lease ?? null])).to.deep.equal([
      [2, 0, 'a', 'one', 0],
      [200, 1, 'a', 'x'.repeat(300), 2 ** 40],
      [250, 0, 'a', null, null],
      [3, 0, 'b', '', 0],
    ]);
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
    expect(decodeSnapshot(encoded).records.length).to.equal(30_000);
  });
});
