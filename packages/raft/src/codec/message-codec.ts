import { crc32 } from 'node:zlib';
import { EntryType, MessageType } from '../core/messages.js';
import type { ClusterConfig, Entry, RaftMessage, SnapshotMeta } from '../core/messages.js';
import { ByteReader, ByteWriter, CodecError, bytesSize, stringSize, uvarintSize } from './bytes.js';

/**
 * Binary encoding of RaftMessage for the peer path:
 *   version u8 | clusterTag u32 | type u8 | flags u8 | from | to | term | logTerm | index | commit
 *   | rejectHint | conflictTerm | context | entries | [snapshotMeta] | [snapshotOffset] | [snapshotData]
 * (flags: reject, which optional fields follow, snapshotDone, commitOnly).
 * Numbers are varints, strings and byte arrays are length-prefixed. One allocation per encode.
 */
export const MESSAGE_CODEC_VERSION = 1;

const FLAG_REJECT = 1;
const FLAG_META = 2;
const FLAG_OFFSET = 4;
const FLAG_DATA = 8;
const FLAG_DONE_SET = 16;
const FLAG_DONE = 32;
const FLAG_COMMIT_ONLY = 64;

const MAX_MESSAGE_TYPE = MessageType.TimeoutNow;

export function entrySize(e: Entry): number {
  return uvarintSize(e.term) + uvarintSize(e.index) + 1 + bytesSize(e.data);
}

export function writeEntry(w: ByteWriter, e: Entry): void {
  w.uvarint(e.term);
  w.uvarint(e.index);
  w.u8(e.type);
  w.bytes(e.data);
}

/** An entry with its data in an allocation of its own. */
export function readEntry(r: ByteReader): Entry {
  const e = readEntryView(r);
  const data = new Uint8Array(e.data.length);
  data.set(e.data);
  e.data = data;
  return e;
}

/** An entry whose data is still a view into the input: pass it, with the others read with it, to packEntryData. */
export function readEntryView(r: ByteReader): Entry {
  const term = r.uvarint();
  const index = r.uvarint();
  const type = r.u8();
  if (type !== EntryType.Normal && type !== EntryType.Config) throw new CodecError(`unknown entry type ${type}`);
  return { term, index, type, data: r.view(r.uvarint()) };
}

/**
 * A message's entries, their data copied into one allocation shared by all of them: they enter and leave the
 * log together, and an allocation per entry costs some 400 bytes beyond its data (its data also must not stay
 * a view into the frame, which would pin the whole frame).
 */
function readEntries(r: ByteReader, count: number): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) entries.push(readEntryView(r));
  packEntryData(entries);
  return entries;
}

/**
 * Copies the data of entries read together (one message, one batch of a log load) into one allocation they
 * share, so their data neither pins what it was read from nor costs an allocation each.
 */
export function packEntryData(entries: Entry[]): void {
  let total = 0;
  for (const e of entries) total += e.data.length;
  const block = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    block.set(e.data, at);
    e.data = block.subarray(at, at + e.data.length);
    at += e.data.length;
  }
}

export function configSize(c: ClusterConfig): number {
  let size = uvarintSize(c.voters.length);
  for (const v of c.voters) size += stringSize(v);
  return size;
}

export function writeConfig(w: ByteWriter, c: ClusterConfig): void {
  w.uvarint(c.voters.length);
  for (const v of c.voters) w.string(v);
}

export function readConfig(r: ByteReader): ClusterConfig {
  const n = r.uvarint();
  if (n > r.remaining) throw new CodecError(`voter count ${n} exceeds input`);
  const voters: string[] = [];
  for (let i = 0; i < n; i++) voters.push(r.string());
  return { voters };
}

export function snapshotMetaSize(m: SnapshotMeta): number {
  return uvarintSize(m.index) + uvarintSize(m.term) + configSize(m.config);
}

export function writeSnapshotMeta(w: ByteWriter, m: SnapshotMeta): void {
  w.uvarint(m.index);
  w.uvarint(m.term);
  writeConfig(w, m.config);
}

export function readSnapshotMeta(r: ByteReader): SnapshotMeta {
  const index = r.uvarint();
  const term = r.uvarint();
  return { index, term, config: readConfig(r) };
}

function messageSize(m: RaftMessage): number {
  let size = 1 + 4 + 1 + 1;
  size += stringSize(m.from) + stringSize(m.to);
  size += uvarintSize(m.term) + uvarintSize(m.logTerm) + uvarintSize(m.index) + uvarintSize(m.commit);
  size += uvarintSize(m.rejectHint) + uvarintSize(m.conflictTerm);
  size += bytesSize(m.context);
  size += uvarintSize(m.entries.length);
  for (const e of m.entries) size += entrySize(e);
  if (m.snapshotMeta !== undefined) size += snapshotMetaSize(m.snapshotMeta);
  if (m.snapshotOffset !== undefined) size += uvarintSize(m.snapshotOffset);
  if (m.snapshotData !== undefined) size += bytesSize(m.snapshotData);
  return size;
}

function messageFlags(m: RaftMessage): number {
  let flags = 0;
  if (m.reject) flags |= FLAG_REJECT;
  if (m.snapshotMeta !== undefined) flags |= FLAG_META;
  if (m.snapshotOffset !== undefined) flags |= FLAG_OFFSET;
  if (m.snapshotData !== undefined) flags |= FLAG_DATA;
  if (m.snapshotDone !== undefined) flags |= FLAG_DONE_SET | (m.snapshotDone ? FLAG_DONE : 0);
  if (m.commitOnly === true) flags |= FLAG_COMMIT_ONLY;
  return flags;
}

/** `clusterTag` lets a receiver drop messages from another cluster (see clusterTagOf). */
export function encodeMessage(m: RaftMessage, clusterTag = 0): Uint8Array {
  const w = new ByteWriter(messageSize(m));
  w.u8(MESSAGE_CODEC_VERSION);
  w.u32(clusterTag);
  w.u8(m.type);
  w.u8(messageFlags(m));
  w.string(m.from);
  w.string(m.to);
  w.uvarint(m.term);
  w.uvarint(m.logTerm);
  w.uvarint(m.index);
  w.uvarint(m.commit);
  w.uvarint(m.rejectHint);
  w.uvarint(m.conflictTerm);
  w.bytes(m.context);
  w.uvarint(m.entries.length);
  for (const e of m.entries) writeEntry(w, e);
  if (m.snapshotMeta !== undefined) writeSnapshotMeta(w, m.snapshotMeta);
  if (m.snapshotOffset !== undefined) w.uvarint(m.snapshotOffset);
  if (m.snapshotData !== undefined) w.bytes(m.snapshotData);
  return w.finish();
}

/** A stable 32-bit tag for a cluster id: messages carry it so a node drops another cluster's traffic. */
export function clusterTagOf(clusterId: string): number {
  return crc32(clusterId);
}

/** The cluster tag of an encoded message, without decoding the rest. */
export function readClusterTag(buf: Uint8Array): number {
  const r = new ByteReader(buf);
  const version = r.u8();
  if (version !== MESSAGE_CODEC_VERSION) throw new CodecError(`unknown message codec version ${version}`);
  return r.u32();
}

/** Decodes a message; throws CodecError on anything malformed (never returns a half-read message). */
export function decodeMessage(buf: Uint8Array): RaftMessage {
  const r = new ByteReader(buf);
  const version = r.u8();
  if (version !== MESSAGE_CODEC_VERSION) throw new CodecError(`unknown message codec version ${version}`);
  r.u32();
  const type = r.u8();
  if (type < 1 || type > MAX_MESSAGE_TYPE) throw new CodecError(`unknown message type ${type}`);
  const flags = r.u8();
  const m: RaftMessage = {
    type,
    from: r.string(),
    to: r.string(),
    term: r.uvarint(),
    logTerm: r.uvarint(),
    index: r.uvarint(),
    commit: r.uvarint(),
    reject: (flags & FLAG_REJECT) !== 0,
    rejectHint: r.uvarint(),
    conflictTerm: r.uvarint(),
    context: r.bytes(),
    entries: [],
  };
  const count = r.uvarint();
  if (count > r.remaining) throw new CodecError(`entry count ${count} exceeds input`);
  m.entries = readEntries(r, count);
  if (flags & FLAG_META) m.snapshotMeta = readSnapshotMeta(r);
  if (flags & FLAG_OFFSET) m.snapshotOffset = r.uvarint();
  if (flags & FLAG_DATA) m.snapshotData = r.bytes();
  if (flags & FLAG_DONE_SET) m.snapshotDone = (flags & FLAG_DONE) !== 0;
  if (flags & FLAG_COMMIT_ONLY) m.commitOnly = true;
  r.done();
  return m;
}

/** A standalone entry (used by storage records). */
export function encodeEntry(e: Entry): Uint8Array {
  const w = new ByteWriter(entrySize(e));
  writeEntry(w, e);
  return w.finish();
}

export function decodeEntry(buf: Uint8Array): Entry {
  const r = new ByteReader(buf);
  const e = readEntry(r);
  r.done();
  return e;
}
