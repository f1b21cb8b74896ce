import { crc32 } from 'node:zlib';
import type { Entry, HardState, Snapshot, SnapshotMeta } from '../core/messages.js';
import { ByteReader, ByteWriter, stringSize, uvarintSize } from '../codec/bytes.js';
import {
  configSize,
  entrySize,
  readConfig,
  readEntry,
  readEntryView,
  readSnapshotMeta,
  snapshotMetaSize,
  writeConfig,
  writeEntry,
  writeSnapshotMeta,
} from '../codec/message-codec.js';
import { CorruptStorageError } from './storage.js';
import type { StorageIdentity } from './storage.js';
import type { SnapshotFileRef } from './snapshot-files.js';

/**
 * A stored record is `crc32(key ‖ body)` (4 bytes, big-endian) followed by the body. Covering the key
 * too means a record that landed under the wrong key is caught as well as a flipped bit.
 */
const CRC_BYTES = 4;

/** Keys: one byte tag; entries add the index as 8 big-endian bytes so LevelDB order is index order. */
export const HARD_STATE_KEY = Uint8Array.of(0x68); // 'h'
/*
 * Where the log starts is said by exactly one of the next three records (or none: the log starts at 1).
 */
/** The log starts after this meta: compacted against the application's own durable state, so no data is kept. */
export const LOG_START_KEY = Uint8Array.of(0x6c); // 'l'
/** A snapshot installed from a leader, its data in a file (see snapshot-files.ts): the meta and the file's name, length and checksum. */
export const SNAPSHOT_REF_KEY = Uint8Array.of(0x53); // 'S'
/** A snapshot stored inline (meta and data in the record): written by older versions, still read. */
export const SNAPSHOT_KEY = Uint8Array.of(0x73); // 's'
export const IDENTITY_KEY = Uint8Array.of(0x69); // 'i'
const ENTRY_TAG = 0x65; // 'e'
export const ENTRY_KEYS_END = Uint8Array.of(ENTRY_TAG + 1);

export function entryKey(index: number): Uint8Array {
  const w = new ByteWriter(9);
  w.u8(ENTRY_TAG);
  w.u64(index);
  return w.finish();
}

export function indexOfEntryKey(key: Uint8Array): number {
  if (key.length !== 9 || key[0] !== ENTRY_TAG) throw new CorruptStorageError(`not an entry key: ${hex(key)}`);
  const r = new ByteReader(key, 1);
  return r.u64();
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function checksum(key: Uint8Array, body: Uint8Array): number {
  return crc32(body, crc32(key));
}

/** A writer with room for the checksum in front; `seal` fills it in once the body is written. */
function recordWriter(bodySize: number): ByteWriter {
  const w = new ByteWriter(CRC_BYTES + bodySize);
  w.u32(0);
  return w;
}

function seal(key: Uint8Array, w: ByteWriter): Uint8Array {
  const buf = w.finish() as Buffer;
  buf.writeUInt32BE(checksum(key, buf.subarray(CRC_BYTES)), 0);
  return buf;
}

/** Checks the checksum and decodes the body; anything wrong becomes CorruptStorageError naming the key. */
function openRecord<T>(key: Uint8Array, value: Uint8Array, what: string, decode: (r: ByteReader) => T): T {
  if (value.length < CRC_BYTES) throw new CorruptStorageError(`${what} record ${hex(key)} is truncated (${value.length} bytes)`);
  const r = new ByteReader(value);
  const stored = r.u32();
  const body = value.subarray(CRC_BYTES);
  if (checksum(key, body) !== stored) throw new CorruptStorageError(`${what} record ${hex(key)} fails its checksum`);
  try {
    const result = decode(r);
    r.done();
    return result;
  } catch (err) {
    throw new CorruptStorageError(`${what} record ${hex(key)} does not decode: ${(err as Error).message}`);
  }
}

export function encodeEntryRecord(e: Entry): Uint8Array {
  const w = recordWriter(entrySize(e));
  writeEntry(w, e);
  return seal(entryKey(e.index), w);
}

export function decodeEntryRecord(key: Uint8Array, value: Uint8Array): Entry {
  return checkedIndex(key, openRecord(key, value, 'entry', readEntry));
}

/** As decodeEntryRecord, the data left a view into `value` (see packEntryData). */
export function decodeEntryRecordView(key: Uint8Array, value: Uint8Array): Entry {
  return checkedIndex(key, openRecord(key, value, 'entry', readEntryView));
}

function checkedIndex(key: Uint8Array, e: Entry): Entry {
  const index = indexOfEntryKey(key);
  if (e.index !== index) throw new CorruptStorageError(`entry record under index ${index} holds index ${e.index}`);
  return e;
}

export function encodeHardStateRecord(hs: HardState): Uint8Array {
  const w = recordWriter(uvarintSize(hs.term) + uvarintSize(hs.commit) + 1 + (hs.vote === null ? 0 : stringSize(hs.vote)));
  w.uvarint(hs.term);
  w.uvarint(hs.commit);
  w.u8(hs.vote === null ? 0 : 1);
  if (hs.vote !== null) w.string(hs.vote);
  return seal(HARD_STATE_KEY, w);
}

export function decodeHardStateRecord(value: Uint8Array): HardState {
  return openRecord(HARD_STATE_KEY, value, 'hard state', (r) => {
    const term = r.uvarint();
    const commit = r.uvarint();
    const vote = r.u8() === 1 ? r.string() : null;
    return { term, vote, commit };
  });
}

export function encodeLogStartRecord(meta: SnapshotMeta): Uint8Array {
  const w = recordWriter(snapshotMetaSize(meta));
  writeSnapshotMeta(w, meta);
  return seal(LOG_START_KEY, w);
}

export function decodeLogStartRecord(value: Uint8Array): SnapshotMeta {
  return openRecord(LOG_START_KEY, value, 'log start', readSnapshotMeta);
}

/** Only tests write this record now (to stand for a store of an older version); load() still reads it. */
export function encodeSnapshotRecord(s: Snapshot): Uint8Array {
  const w = recordWriter(snapshotMetaSize(s.meta) + s.data.length);
  writeSnapshotMeta(w, s.meta);
  w.raw(s.data);
  return seal(SNAPSHOT_KEY, w);
}

export function decodeSnapshotRecord(value: Uint8Array): Snapshot {
  return openRecord(SNAPSHOT_KEY, value, 'snapshot', (r) => {
    const meta = readSnapshotMeta(r);
    return { meta, data: r.raw(r.remaining) };
  });
}

export function encodeSnapshotRefRecord(meta: SnapshotMeta, ref: SnapshotFileRef): Uint8Array {
  const w = recordWriter(snapshotMetaSize(meta) + stringSize(ref.file) + uvarintSize(ref.length) + 4);
  writeSnapshotMeta(w, meta);
  w.string(ref.file);
  w.uvarint(ref.length);
  w.u32(ref.crc);
  return seal(SNAPSHOT_REF_KEY, w);
}

export function decodeSnapshotRefRecord(value: Uint8Array): { meta: SnapshotMeta; ref: SnapshotFileRef } {
  return openRecord(SNAPSHOT_REF_KEY, value, 'snapshot reference', (r) => {
    const meta = readSnapshotMeta(r);
    const file = r.string();
    const length = r.uvarint();
    const crc = r.u32();
    if (file.includes('/') || file.includes('\\') || file.startsWith('.')) throw new Error(`bad snapshot file name ${file}`);
    return { meta, ref: { file, length, crc } };
  });
}

export function encodeIdentityRecord(id: StorageIdentity): Uint8Array {
  const w = recordWriter(stringSize(id.clusterId) + stringSize(id.nodeId) + configSize(id.config));
  w.string(id.clusterId);
  w.string(id.nodeId);
  writeConfig(w, id.config);
  return seal(IDENTITY_KEY, w);
}

export function decodeIdentityRecord(value: Uint8Array): StorageIdentity {
  return openRecord(IDENTITY_KEY, value, 'identity', (r) => {
    const clusterId = r.string();
    const nodeId = r.string();
    return { clusterId, nodeId, config: readConfig(r) };
  });
}
