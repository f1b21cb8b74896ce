import { ByteReader, ByteWriter } from './binary.js';
import type { Revision } from './layout.js';
import type { KeyValue } from './types.js';

/** One revision of one key: the value written, or a tombstone (kv === null) left by a delete. */
export interface RevisionRecord {
  rev: Revision;
  key: Buffer;
  kv: KeyValue | null;
}

const TOMBSTONE = 1;

/** Encodes a record's body (its revision lives in the level key): flags, key, create, version, lease, value. */
export function encodeRecordBody(rec: RevisionRecord): Buffer {
  const w = new ByteWriter(32 + rec.key.length + (rec.kv?.value.length ?? 0));
  if (rec.kv === null) return w.u8(TOMBSTONE).bytes(rec.key).finish();
  return w
    .u8(0)
    .bytes(rec.key)
    .varint(rec.kv.createRevision)
    .varint(rec.kv.version)
    .varint(rec.kv.lease)
    .raw(rec.kv.value)
    .finish();
}

export function decodeRecordBody(rev: Revision, body: Buffer): RevisionRecord {
  const r = new ByteReader(body);
  const flags = r.u8();
  const key = r.bytes();
  if (flags & TOMBSTONE) return { rev, key, kv: null };
  const createRevision = r.varint();
  const version = r.varint();
  const lease = r.varint();
  const value = r.rest();
  return { rev, key, kv: freezeKv({ key, value, createRevision, modRevision: rev.main, version, lease }) };
}

/** Stored KeyValues are shared with readers; freezing keeps a caller from editing history by accident. */
export function freezeKv(kv: KeyValue): KeyValue {
  return Object.freeze(kv);
}
