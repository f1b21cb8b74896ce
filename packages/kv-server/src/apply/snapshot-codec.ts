import { ByteReader, ByteWriter, DecodeError, varintSize, writeVarint } from '../mvcc/binary.js';
import { copyKey, decodeRecordBody, recordBodySize, writeRecordBody, type KeyOf, type RecordList } from '../mvcc/record.js';
import { decodeEntry, encodeEntry, type DedupEntry } from './dedup.js';

/** The whole state machine as of one applied index. */
export interface KvSnapshotState {
  appliedIndex: number;
  currentRevision: number;
  /** etcd's compactMainRev (-1 before any compaction). */
  compactMainRevision: number;
  records: RecordList;
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
 * The records are measured first and written straight into one buffer of the exact size: a snapshot is tens of
 * megabytes, and growing a buffer by doubling (then copying it out) cost three times that in copies.
 */
export async function encodeSnapshot(s: KvSnapshotState): Promise<Buffer> {
  const { keys, records } = s.records;
  const head = new ByteWriter(64);
  head.raw(MAGIC).u8(SNAPSHOT_FORMAT).varint(s.appliedIndex).varint(s.currentRevision).varint(s.compactMainRevision + 1);
  const tail = new ByteWriter(1 << 12);
  tail.u8(0);
  for (const e of s.dedup) tail.u8(1).string(e.id).bytes(encodeEntry(e));
  tail.u8(0);
  for (const l of s.leases) tail.u8(1).varint(l.id).varint(l.ttl);
  tail.u8(0);
  const headBytes = head.finish();
  const tailBytes = tail.finish();

  const clock = new SliceClock();
  let size = headBytes.length + tailBytes.length;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    const body = recordBodySize(keys[i]!, rec);
    size += 1 + varintSize(rec.main) + varintSize(rec.sub) + varintSize(body) + body;
    if (clock.due(i)) await clock.yield();
  }
  const out = Buffer.allocUnsafe(size);
  let pos = headBytes.copy(out, 0);
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    const key = keys[i]!;
    out[pos++] = 1;
    pos = writeVarint(out, pos, rec.main);
    pos = writeVarint(out, pos, rec.sub);
    pos = writeVarint(out, pos, recordBodySize(key, rec));
    pos = writeRecordBody(out, pos, key, rec);
    if (clock.due(i)) await clock.yield();
  }
  pos += tailBytes.copy(out, pos);
  if (pos !== size) throw new Error(`snapshot encoding: wrote ${pos} bytes, measured ${size}`);
  return out;
}

/** Runs work for at most SLICE_MS at a time, checking the clock every RECORDS_PER_CLOCK_CHECK items. */
class SliceClock {
  private sliceStart = performance.now();

  due(item: number): boolean {
    return (item + 1) % RECORDS_PER_CLOCK_CHECK === 0 && performance.now() - this.sliceStart >= SLICE_MS;
  }

  async yield(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}

export interface DecodedSnapshot {
  appliedIndex: number;
  currentRevision: number;
  /** etcd's compactMainRev (-1 before any compaction). */
  compactMainRevision: number;
  records: RecordList;
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
  const records: RecordList = { keys: [], records: [] };
  // Each key is copied once, at its first record; its later records share that Buffer.
  const seen = new Map<string, Buffer>();
  const keyOf: KeyOf = (body, start, end) => {
    const name = body.toString('latin1', start, end);
    let key = seen.get(name);
    if (key === undefined) seen.set(name, (key = copyKey(body, start, end)));
    return key;
  };
  while (r.u8() === 1) {
    const main = r.varint();
    const sub = r.varint();
    const { key, record } = decodeRecordBody(main, sub, r.bytes(), keyOf);
    records.keys.push(key);
    records.records.push(record);
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
