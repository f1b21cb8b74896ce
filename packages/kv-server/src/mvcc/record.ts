import { ByteReader, varintSize, writeVarint } from './binary.js';
import type { Revision } from './layout.js';
import type { KeyValue } from './types.js';

/** One revision of one key: the value written, or a tombstone (kv === null) left by a delete. */
export interface RevisionRecord {
  rev: Revision;
  key: Buffer;
  kv: KeyValue | null;
}

const TOMBSTONE = 1;

/**
 * Encodes a record's body (its revision lives in the level key): flags, key, create, version, lease, value.
 * The result is meant to be short-lived (level copies it on write), so it may be a slice of Node's shared pool.
 */
export function encodeRecordBody(rec: RevisionRecord): Buffer {
  const body = Buffer.allocUnsafe(recordBodySize(rec));
  writeRecordBody(body, 0, rec);
  return body;
}

/** Bytes encodeRecordBody(rec) takes. */
export function recordBodySize(rec: RevisionRecord): number {
  const kv = rec.kv;
  const keySize = varintSize(rec.key.length) + rec.key.length;
  if (kv === null) return 1 + keySize;
  return 1 + keySize + varintSize(kv.createRevision) + varintSize(kv.version) + varintSize(kv.lease) + kv.value.length;
}

/** Writes rec's body at `pos` (recordBodySize(rec) bytes must be there); returns the position after it. */
export function writeRecordBody(buf: Buffer, pos: number, rec: RevisionRecord): number {
  const kv = rec.kv;
  buf[pos] = kv === null ? TOMBSTONE : 0;
  pos = writeKey(buf, pos + 1, rec.key);
  if (kv === null) return pos;
  pos = writeVarint(buf, pos, kv.createRevision);
  pos = writeVarint(buf, pos, kv.version);
  pos = writeVarint(buf, pos, kv.lease);
  buf.set(kv.value, pos);
  return pos + kv.value.length;
}

function writeKey(body: Buffer, at: number, key: Buffer): number {
  const pos = writeVarint(body, at, key.length);
  body.set(key, pos);
  return pos + key.length;
}

/** Gives the Buffer a decoded record holds for its key, found at body[start, end). */
export type KeyOf = (body: Buffer, start: number, end: number) => Buffer;

/** A copy of body[start, end) (from Node's pool: for a loader keeping everything it decodes). */
export const copyKey: KeyOf = (body, start, end) => {
  const key = Buffer.allocUnsafe(end - start);
  body.copy(key, 0, start, end);
  return key;
};

/**
 * Decodes a stored body. `keyOf` gives the key Buffer the record holds, so a loader can give every record of
 * one key the same Buffer; by default a copy.
 */
export function decodeRecordBody(rev: Revision, body: Buffer, keyOf: KeyOf = copyKey): RevisionRecord {
  const r = new ByteReader(body);
  const flags = r.u8();
  const keyLength = r.varint();
  const keyStart = r.skip(keyLength);
  const key = keyOf(body, keyStart, keyStart + keyLength);
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
