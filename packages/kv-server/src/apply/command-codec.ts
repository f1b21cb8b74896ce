import { ByteReader, ByteWriter, DecodeError } from '../mvcc/binary.js';
import { KvError, type Command, type CommandOp, type CommandResult } from '../mvcc/types.js';
import { decodeValue, encodeValue, type Value } from './value-codec.js';

/** First byte of every encoded command, so a future format can be told apart. */
const COMMAND_FORMAT = 1;
const RESULT_FORMAT = 1;
const OP_KINDS = ['put', 'deleteRange', 'txn', 'compaction', 'leaseGrant', 'leaseRevoke', 'leaseKeepAlive'] as const;

export function encodeCommand(cmd: Command): Uint8Array {
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
  const w = new ByteWriter(64);
  w.u8(RESULT_FORMAT);
  if ('error' in result) encodeValue(w, { error: { code: result.error.code, message: result.error.message } });
  else encodeValue(w, result);
  return w.finish();
}

export function decodeResult(data: Uint8Array): CommandResult {
  const r = new ByteReader(data);
  const format = r.u8();
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
