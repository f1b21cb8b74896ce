import { ByteReader, ByteWriter, DecodeError } from '../mvcc/binary.js';
import { decodeRecordBody, encodeRecordBody, type RevisionRecord } from '../mvcc/record.js';
import { decodeEntry, encodeEntry, type DedupEntry } from './dedup.js';

/** The whole state machine as of one applied index. */
export interface KvSnapshotState {
  appliedIndex: number;
  currentRevision: number;
  /** etcd's compactMainRev (-1 before any compaction). */
  compactMainRevision: number;
  records: Iterable<RevisionRecord>;
  dedup: Iterable<DedupEntry>;
  /** Leases by id with their granted TTL (their keys follow from the records). */
  leases: Iterable<{ id: number; ttl: number }>;
}

const MAGIC = Buffer.from('RKVS', 'latin1');
/** Format 2 adds the lease list; format 1 (no leases) still decodes. */
const SNAPSHOT_FORMAT = 2;

/** Encoding runs for at most this long before yielding to the event loop, so requests and heartbeats keep flowing. */
const SLICE_MS = 10;
/** How often (in records) the clock is read. */
const RECORDS_PER_CLOCK_CHECK = 256;

/**
 * Layout: magic, format, indexes, then records and dedup entries, each list closed by a 0 marker.
 * The caller must keep `s` unchanged until the promise settles (the state machine hands over copied lists).
 */
export async function encodeSnapshot(s: KvSnapshotState): Promise<Buffer> {
  const w = new ByteWriter(1 << 16);
  w.raw(MAGIC).u8(SNAPSHOT_FORMAT).varint(s.appliedIndex).varint(s.currentRevision).varint(s.compactMainRevision + 1);
  let n = 0;
  let sliceStart = performance.now();
  for (const rec of s.records) {
    w.u8(1).varint(rec.rev.main).varint(rec.rev.sub).bytes(encodeRecordBody(rec));
    if (++n % RECORDS_PER_CLOCK_CHECK === 0 && performance.now() - sliceStart >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  w.u8(0);
  for (const e of s.dedup) w.u8(1).string(e.id).bytes(encodeEntry(e));
  w.u8(0);
  for (const l of s.leases) w.u8(1).varint(l.id).varint(l.ttl);
  w.u8(0);
  return w.finish();
}

export interface DecodedSnapshot {
  appliedIndex: number;
  currentRevision: number;
  /** etcd's compactMainRev (-1 before any compaction). */
  compactMainRevision: number;
  records: RevisionRecord[];
  dedup: DedupEntry[];
  leases: Array<{ id: number; ttl: number }>;
}

export function decodeSnapshot(data: Uint8Array): DecodedSnapshot {
  const r = new ByteReader(data);
  if (!r.raw(MAGIC.length).equals(MAGIC)) throw new DecodeError('not a raftkv snapshot');
  const format = r.u8();
  if (format !== 1 && format !== SNAPSHOT_FORMAT) throw new DecodeError(`unknown snapshot format ${format}`);
  const appliedIndex = r.varint();
  const currentRevision = r.varint();
  const compactMainRevision = r.varint() - 1;
  const records: RevisionRecord[] = [];
  while (r.u8() === 1) {
    const rev = { main: r.varint(), sub: r.varint() };
    records.push(decodeRecordBody(rev, r.bytes()));
  }
  const dedup: DedupEntry[] = [];
  while (r.u8() === 1) {
    const id = r.string();
    dedup.push(decodeEntry(id, r.bytes()));
  }
  const leases: Array<{ id: number; ttl: number }> = [];
  if (format >= 2) while (r.u8() === 1) leases.push({ id: r.varint(), ttl: r.varint() });
  if (!r.done) throw new DecodeError('trailing bytes after snapshot');
  return { appliedIndex, currentRevision, compactMainRevision, records, dedup, leases };
}
