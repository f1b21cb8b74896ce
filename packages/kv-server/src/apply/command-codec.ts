import { ByteReader, ByteWriter, DecodeError, queueBytes, varintSize, writeVarint } from '../mvcc/binary.js';
import { KvError, type Command, type CommandOp, type CommandResult, type PutRequest } from '../mvcc/types.js';
import { decodeValue, encodeValue, type Value } from './value-codec.js';

/**
 * First byte of every encoded command and result, so formats can be told apart. The self-describing format
 * carries anything; puts and results without data (most of what a cluster applies) have fixed layouts that
 * every node decodes without building and copying intermediate objects.
 */
const COMMAND_FORMAT = 1;
const PUT_COMMAND_FORMAT = 2;
const RESULT_FORMAT = 1;
const BARE_RESULT_FORMAT = 2;

/** Flag bits of a put command: which optional fields are present, and the booleans' values. */
const PUT_HAS_IDEMPOTENCY_KEY = 1;
const PUT_HAS_LEASE = 2;
const PUT_HAS_PREV_KV = 4;
const PUT_PREV_KV = 8;
const PUT_HAS_IGNORE_VALUE = 16;
const PUT_IGNORE_VALUE = 32;
const PUT_HAS_IGNORE_LEASE = 64;
const PUT_IGNORE_LEASE = 128;
const RESULT_HAS_RAFT_TERM = 1;
const OP_KINDS = ['put', 'deleteRange', 'txn', 'compaction', 'leaseGrant', 'leaseRevoke', 'leaseKeepAlive'] as const;

export function encodeCommand(cmd: Command): Uint8Array {
  const put = 'put' in cmd.op ? cmd.op.put : undefined;
  if (put !== undefined && fitsPutLayout(put)) return encodePutCommand(cmd.id, cmd.idempotencyKey, put);
  // Room for a typical put at once: growing 64 → 512 bytes took three copies per write.
  const w = new ByteWriter(512);
  w.u8(COMMAND_FORMAT);
  encodeValue(w, { id: cmd.id, idempotencyKey: cmd.idempotencyKey, op: cmd.op });
  return w.finish();
}

/** Decodes and checks the envelope; the request inside is checked by the store when applied. */
export function decodeCommand(data: Uint8Array): Command {
  const r = new ByteReader(data);
  const format = r.u8();
  if (format === PUT_COMMAND_FORMAT) return decodePutCommand(r);
  if (format !== COMMAND_FORMAT) throw new DecodeError(`unknown command format ${format}`);
  const v = decodeValue(r);
  if (!r.done) throw new DecodeError('trailing bytes after command');
  if (!isRecord(v) || typeof v.id !== 'string' || v.id.length === 0) throw new DecodeError('command without an id');
  if (v.idempotencyKey !== undefined && typeof v.idempotencyKey !== 'string')
    throw new DecodeError('idempotencyKey must be a string');
  const op = v.op;
  if (!isRecord(op)) throw new DecodeError('command without an op');
  const kinds = Object.keys(op);
  if (kinds.length !== 1 || !(OP_KINDS as readonly string[]).includes(kinds[0]!) || !isRecord(op[kinds[0]!]))
    throw new DecodeError(`command op must be one of ${OP_KINDS.join(', ')}`);
  const cmd: Command = { id: v.id, op: op as unknown as CommandOp };
  if (v.idempotencyKey !== undefined) cmd.idempotencyKey = v.idempotencyKey;
  return cmd;
}

export function encodeResult(result: CommandResult): Buffer {
  if ('ok' in result && isBare(result.ok)) return encodeBareResult(result.ok.revision, result.ok.raftTerm);
  const w = new ByteWriter(64);
  w.u8(RESULT_FORMAT);
  if ('error' in result) encodeValue(w, { error: { code: result.error.code, message: result.error.message } });
  else encodeValue(w, result);
  return w.finish();
}

export function decodeResult(data: Uint8Array): CommandResult {
  const r = new ByteReader(data);
  const format = r.u8();
  if (format === BARE_RESULT_FORMAT) return decodeBareResult(r);
  if (format !== RESULT_FORMAT) throw new DecodeError(`unknown result format ${format}`);
  const v = decodeValue(r);
  if (isRecord(v) && isRecord(v.error) && typeof v.error.code === 'number' && typeof v.error.message === 'string')
    return { error: new KvError(v.error.code, v.error.message) };
  if (isRecord(v) && isRecord(v.ok)) return v as unknown as CommandResult;
  throw new DecodeError('not a command result');
}

function isRecord(v: Value): v is { [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/**
 * A well-typed put whose lease (if any) is a varint: the fixed layout holds exactly that. Anything else goes in the
 * self-describing format, as it came, so every node's validation refuses it alike.
 */
function fitsPutLayout(put: PutRequest): boolean {
  if (!(put.key instanceof Uint8Array) || !(put.value instanceof Uint8Array)) return false;
  if (!isOptionalBoolean(put.prevKv) || !isOptionalBoolean(put.ignoreValue) || !isOptionalBoolean(put.ignoreLease)) return false;
  const lease = put.lease;
  return lease === undefined || (Number.isSafeInteger(lease) && lease >= 0);
}

function isOptionalBoolean(v: unknown): boolean {
  return v === undefined || typeof v === 'boolean';
}

/** [2][flags][id][idempotency key?][key][value][lease?]: strings and bytes length-prefixed, numbers varints. */
function encodePutCommand(id: string, idempotencyKey: string | undefined, put: PutRequest): Buffer {
  let flags = 0;
  if (idempotencyKey !== undefined) flags |= PUT_HAS_IDEMPOTENCY_KEY;
  if (put.lease !== undefined) flags |= PUT_HAS_LEASE;
  if (put.prevKv !== undefined) flags |= PUT_HAS_PREV_KV | (put.prevKv ? PUT_PREV_KV : 0);
  if (put.ignoreValue !== undefined) flags |= PUT_HAS_IGNORE_VALUE | (put.ignoreValue ? PUT_IGNORE_VALUE : 0);
  if (put.ignoreLease !== undefined) flags |= PUT_HAS_IGNORE_LEASE | (put.ignoreLease ? PUT_IGNORE_LEASE : 0);
  const idBytes = Buffer.byteLength(id);
  const keyBytes = idempotencyKey === undefined ? 0 : Buffer.byteLength(idempotencyKey);
  const size =
    2 +
    varintSize(idBytes) + idBytes +
    (idempotencyKey === undefined ? 0 : varintSize(keyBytes) + keyBytes) +
    varintSize(put.key.length) + put.key.length +
    varintSize(put.value.length) + put.value.length +
    (put.lease === undefined ? 0 : varintSize(put.lease));
  const out = queueBytes.alloc(size);
  out[0] = PUT_COMMAND_FORMAT;
  out[1] = flags;
  let pos = writeVarint(out, 2, idBytes);
  pos += out.write(id, pos, 'utf8');
  if (idempotencyKey !== undefined) {
    pos = writeVarint(out, pos, keyBytes);
    pos += out.write(idempotencyKey, pos, 'utf8');
  }
  pos = writeVarint(out, pos, put.key.length);
  out.set(put.key, pos);
  pos = writeVarint(out, pos + put.key.length, put.value.length);
  out.set(put.value, pos);
  pos += put.value.length;
  if (put.lease !== undefined) writeVarint(out, pos, put.lease);
  return out;
}

function decodePutCommand(r: ByteReader): Command {
  const flags = r.u8();
  const id = r.string();
  if (id.length === 0) throw new DecodeError('command without an id');
  const idempotencyKey = flags & PUT_HAS_IDEMPOTENCY_KEY ? r.string() : undefined;
  const put: PutRequest = { key: r.bytes(), value: r.bytes() };
  if (flags & PUT_HAS_LEASE) put.lease = r.varint();
  if (flags & PUT_HAS_PREV_KV) put.prevKv = (flags & PUT_PREV_KV) !== 0;
  if (flags & PUT_HAS_IGNORE_VALUE) put.ignoreValue = (flags & PUT_IGNORE_VALUE) !== 0;
  if (flags & PUT_HAS_IGNORE_LEASE) put.ignoreLease = (flags & PUT_IGNORE_LEASE) !== 0;
  if (!r.done) throw new DecodeError('trailing bytes after command');
  const cmd: Command = { id, op: { put } };
  if (idempotencyKey !== undefined) cmd.idempotencyKey = idempotencyKey;
  return cmd;
}

/** A success whose response carries nothing (a put without prev_kv, a compaction, …): only numbers to store. */
function isBare(ok: { revision: number; raftTerm?: number; response: object }): boolean {
  if (!isVarint(ok.revision) || (ok.raftTerm !== undefined && !isVarint(ok.raftTerm))) return false;
  for (const field in ok.response) if ((ok.response as Record<string, unknown>)[field] !== undefined) return false;
  return true;
}

function isVarint(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** [2][flags][revision][raft term?] */
function encodeBareResult(revision: number, raftTerm: number | undefined): Buffer {
  const out = queueBytes.alloc(2 + varintSize(revision) + (raftTerm === undefined ? 0 : varintSize(raftTerm)));
  out[0] = BARE_RESULT_FORMAT;
  out[1] = raftTerm === undefined ? 0 : RESULT_HAS_RAFT_TERM;
  const pos = writeVarint(out, 2, revision);
  if (raftTerm !== undefined) writeVarint(out, pos, raftTerm);
  return out;
}

function decodeBareResult(r: ByteReader): CommandResult {
  const flags = r.u8();
  const revision = r.varint();
  const ok: { revision: number; raftTerm?: number; response: object } = { revision, response: {} };
  if (flags & RESULT_HAS_RAFT_TERM) ok.raftTerm = r.varint();
  if (!r.done) throw new DecodeError('trailing bytes after result');
  return { ok } as CommandResult;
}
