/**
 * Key layout of the KV database (a level DB of its own, separate from the Raft log):
 *   'r' + main(8, BE) + sub(4, BE) → one revision record (ordered by revision)
 *   'm' + name                     → meta: applied index, current revision, compacted revision
 *   'd' + request id               → an entry of the apply loop's dedup table
 *   'l' + lease id(8, BE)          → a lease's granted TTL (its keys are found from the records' lease field)
 */
export const RECORD_PREFIX = 0x72; // 'r'
export const META_PREFIX = 0x6d; // 'm'
export const DEDUP_PREFIX = 0x64; // 'd'
export const LEASE_PREFIX = 0x6c; // 'l'

export const META_APPLIED_INDEX = metaKey('appliedIndex');
export const META_CURRENT_REVISION = metaKey('currentRevision');
export const META_COMPACTED_REVISION = metaKey('compactedRevision');

export interface Revision {
  main: number;
  sub: number;
}

export function recordKey(rev: Revision): Buffer {
  const k = Buffer.allocUnsafe(13);
  k[0] = RECORD_PREFIX;
  k.writeUIntBE(Math.floor(rev.main / 2 ** 32), 1, 4);
  k.writeUInt32BE(rev.main % 2 ** 32, 5);
  k.writeUInt32BE(rev.sub, 9);
  return k;
}

export function parseRecordKey(k: Buffer): Revision {
  if (k.length !== 13 || k[0] !== RECORD_PREFIX) throw new Error('not a record key');
  return { main: k.readUInt32BE(1) * 2 ** 32 + k.readUInt32BE(5), sub: k.readUInt32BE(9) };
}

export function metaKey(name: string): Buffer {
  return Buffer.concat([Buffer.of(META_PREFIX), Buffer.from(name, 'utf8')]);
}

export function dedupKey(id: string): Buffer {
  // Written for every applied command: one allocation, not three.
  const key = Buffer.allocUnsafe(1 + Buffer.byteLength(id));
  key[0] = DEDUP_PREFIX;
  key.write(id, 1, 'utf8');
  return key;
}

export function leaseKey(id: number): Buffer {
  return Buffer.concat([Buffer.of(LEASE_PREFIX), encodeUint(id)]);
}

/** Bounds that select every key of one prefix in an iterator. */
export function prefixBounds(prefix: number): { gte: Buffer; lt: Buffer } {
  return { gte: Buffer.of(prefix), lt: Buffer.of(prefix + 1) };
}

export function encodeUint(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(Math.floor(n / 2 ** 32), 0);
  b.writeUInt32BE(n % 2 ** 32, 4);
  return b;
}

export function decodeUint(b: Buffer): number {
  if (b.length !== 8) throw new Error('bad meta value');
  return b.readUInt32BE(0) * 2 ** 32 + b.readUInt32BE(4);
}

/** A write for level's batch(). */
export type DbOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };
