import { ByteReader, storeBytes, varintSize, writeVarint } from './binary.js';
import type { KeyValue } from './types.js';

/**
 * One revision of one key: a value written, or a tombstone left by a delete. The store keeps one per revision for
 * as long as the revision lives, so it is a single object of numbers: its key is its history's, and its value's
 * bytes sit in a slab shared with other values (a view of them is made when read). Every object a revision kept
 * was copied by each young-generation collection it survived and then marked by every full one.
 */
export class RevisionRecord {
  private constructor(
    readonly main: number,
    readonly sub: number,
    /** 0 in a tombstone, as are version and lease. */
    readonly createRevision: number,
    readonly version: number,
    readonly lease: number,
    /** The slab holding the value's bytes at [valueStart, valueStart + valueLength); null in a tombstone. */
    private readonly slab: Buffer | null,
    private readonly valueStart: number,
    private readonly valueLength: number,
  ) {}

  /** A put's record, with a copy of `value` in the store's slabs. */
  static put(main: number, sub: number, createRevision: number, version: number, lease: number, value: Uint8Array): RevisionRecord {
    const slab = storeBytes.place(value);
    return new RevisionRecord(main, sub, createRevision, version, lease, slab, storeBytes.placedAt, value.length);
  }

  /** A put's record that keeps `prev`'s value bytes (a put with ignore_value). */
  static putKeepingValue(main: number, sub: number, createRevision: number, version: number, lease: number, prev: RevisionRecord): RevisionRecord {
    return new RevisionRecord(main, sub, createRevision, version, lease, prev.slab, prev.valueStart, prev.valueLength);
  }

  static tombstone(main: number, sub: number): RevisionRecord {
    return new RevisionRecord(main, sub, 0, 0, 0, null, 0, 0);
  }

  get isTombstone(): boolean {
    return this.slab === null;
  }

  /** Bytes in the value (0 in a tombstone). */
  get valueSize(): number {
    return this.valueLength;
  }

  /** Copies the value's bytes into `buf` at `pos` (no view made); returns the position after them. */
  copyValueTo(buf: Buffer, pos: number): number {
    if (this.slab === null) return pos;
    return pos + this.slab.copy(buf, pos, this.valueStart, this.valueStart + this.valueLength);
  }

  /** The value's bytes (empty in a tombstone): a new view of the slab on each call. */
  value(): Buffer {
    return this.slab === null ? Buffer.alloc(0) : this.slab.subarray(this.valueStart, this.valueStart + this.valueLength);
  }

  /** What a reader sees of this revision of `key`: a new object on each call, so no caller can edit history. */
  kv(key: Buffer): KeyValue {
    return {
      key,
      value: this.value(),
      createRevision: this.createRevision,
      modRevision: this.main,
      version: this.version,
      lease: this.lease,
    };
  }
}

const TOMBSTONE = 1;

/**
 * Encodes a record's body (its revision lives in the level key): flags, key, create, version, lease, value.
 * The result is meant to be short-lived (level copies it on write), so it may be a slice of Node's shared pool.
 */
export function encodeRecordBody(key: Buffer, rec: RevisionRecord): Buffer {
  const body = Buffer.allocUnsafe(recordBodySize(key, rec));
  writeRecordBody(body, 0, key, rec);
  return body;
}

/** Bytes encodeRecordBody(key, rec) takes. */
export function recordBodySize(key: Buffer, rec: RevisionRecord): number {
  const keySize = varintSize(key.length) + key.length;
  if (rec.isTombstone) return 1 + keySize;
  return 1 + keySize + varintSize(rec.createRevision) + varintSize(rec.version) + varintSize(rec.lease) + rec.valueSize;
}

/** Writes rec's body at `pos` (recordBodySize(key, rec) bytes must be there); returns the position after it. */
export function writeRecordBody(buf: Buffer, pos: number, key: Buffer, rec: RevisionRecord): number {
  buf[pos] = rec.isTombstone ? TOMBSTONE : 0;
  pos = writeKey(buf, pos + 1, key);
  if (rec.isTombstone) return pos;
  pos = writeVarint(buf, pos, rec.createRevision);
  pos = writeVarint(buf, pos, rec.version);
  pos = writeVarint(buf, pos, rec.lease);
  return rec.copyValueTo(buf, pos);
}

function writeKey(body: Buffer, at: number, key: Buffer): number {
  const pos = writeVarint(body, at, key.length);
  body.set(key, pos);
  return pos + key.length;
}

/** Gives the Buffer a decoded record's key is held in, found at body[start, end). */
export type KeyOf = (body: Buffer, start: number, end: number) => Buffer;

/** A copy of body[start, end) (from Node's pool: for a loader keeping everything it decodes). */
export const copyKey: KeyOf = (body, start, end) => {
  const key = Buffer.allocUnsafe(end - start);
  body.copy(key, 0, start, end);
  return key;
};

/** A stored body decoded: the record, and its key as `keyOf` gave it (so a loader can share one Buffer per key). */
export interface DecodedRecord {
  key: Buffer;
  record: RevisionRecord;
}

/** Decodes a stored body of revision (main, sub); the value is copied into the store's slabs. */
export function decodeRecordBody(main: number, sub: number, body: Buffer, keyOf: KeyOf = copyKey): DecodedRecord {
  const r = new ByteReader(body);
  const flags = r.u8();
  const keyLength = r.varint();
  const keyStart = r.skip(keyLength);
  const key = keyOf(body, keyStart, keyStart + keyLength);
  if (flags & TOMBSTONE) return { key, record: RevisionRecord.tombstone(main, sub) };
  const createRevision = r.varint();
  const version = r.varint();
  const lease = r.varint();
  return { key, record: RevisionRecord.put(main, sub, createRevision, version, lease, r.restView()) };
}

/** Records with their keys as parallel lists (keys[i] is records[i]'s key): a snapshot's, without an object per pair. */
export interface RecordList {
  keys: Buffer[];
  records: RevisionRecord[];
}
