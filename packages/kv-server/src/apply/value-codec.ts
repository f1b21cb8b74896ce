import { ByteReader, ByteWriter, DecodeError } from '../mvcc/binary.js';

/**
 * A compact self-describing binary encoding for request and result objects (MessagePack in spirit):
 * bytes stay raw (no base64), integers are varints, and the field names of the KV API are one byte each.
 * The dictionary below is append-only: an entry's position is part of the format.
 */
const FIELD_NAMES = [
  'key', 'value', 'rangeEnd', 'lease', 'prevKv', 'ignoreValue', 'ignoreLease', 'limit', 'revision',
  'sortOrder', 'sortTarget', 'serializable', 'keysOnly', 'countOnly', 'minModRevision', 'maxModRevision',
  'minCreateRevision', 'maxCreateRevision', 'compare', 'success', 'failure', 'target', 'result', 'version',
  'createRevision', 'modRevision', 'requestRange', 'requestPut', 'requestDeleteRange', 'requestTxn',
  'responseRange', 'responsePut', 'responseDeleteRange', 'responseTxn', 'kvs', 'more', 'count', 'deleted',
  'prevKvs', 'succeeded', 'responses', 'physical', 'put', 'deleteRange', 'txn', 'compaction', 'id',
  'idempotencyKey', 'op', 'ok', 'error', 'code', 'message', 'raftTerm', 'response',
  'leaseGrant', 'leaseRevoke', 'leaseKeepAlive', 'ttl',
] as const;
const FIELD_INDEX = new Map<string, number>(FIELD_NAMES.map((n, i) => [n, i]));

const enum Tag {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  UInt = 4,
  NegInt = 5,
  Float = 6,
  String = 7,
  Bytes = 8,
  Array = 9,
  Object = 10,
}
const KNOWN_FIELD = 0x80;
const MAX_DEPTH = 64;

export type Value = undefined | null | boolean | number | string | Buffer | Value[] | { [k: string]: Value };

export function encodeValue(w: ByteWriter, v: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new RangeError('value nested too deeply');
  if (v === undefined) w.u8(Tag.Undefined);
  else if (v === null) w.u8(Tag.Null);
  else if (v === true) w.u8(Tag.True);
  else if (v === false) w.u8(Tag.False);
  else if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) w.u8(v >= 0 ? Tag.UInt : Tag.NegInt).varint(Math.abs(v));
    else w.u8(Tag.Float).f64(v);
  } else if (typeof v === 'string') w.u8(Tag.String).string(v);
  else if (v instanceof Uint8Array) w.u8(Tag.Bytes).bytes(v);
  else if (Array.isArray(v)) {
    w.u8(Tag.Array).varint(v.length);
    for (const item of v) encodeValue(w, item, depth + 1);
  } else if (typeof v === 'object') {
    // Absent optional fields are left out rather than written as undefined.
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    w.u8(Tag.Object).varint(entries.length);
    for (const [k, x] of entries) {
      const known = FIELD_INDEX.get(k);
      if (known !== undefined) w.u8(KNOWN_FIELD | known);
      else w.u8(0).string(k);
      encodeValue(w, x, depth + 1);
    }
  } else throw new TypeError(`cannot encode a ${typeof v}`);
}

export function decodeValue(r: ByteReader, depth = 0): Value {
  if (depth > MAX_DEPTH) throw new DecodeError('value nested too deeply');
  const tag = r.u8();
  switch (tag) {
    case Tag.Undefined:
      return undefined;
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.UInt:
      return r.varint();
    case Tag.NegInt:
      return -r.varint();
    case Tag.Float:
      return r.f64();
    case Tag.String:
      return r.string();
    case Tag.Bytes:
      return r.bytes();
    case Tag.Array: {
      const n = r.varint();
      const out: Value[] = [];
      for (let i = 0; i < n; i++) out.push(decodeValue(r, depth + 1));
      return out;
    }
    case Tag.Object: {
      const n = r.varint();
      const out: { [k: string]: Value } = Object.create(null);
      for (let i = 0; i < n; i++) {
        const f = r.u8();
        const name = f & KNOWN_FIELD ? FIELD_NAMES[f & ~KNOWN_FIELD] : f === 0 ? r.string() : undefined;
        if (name === undefined) throw new DecodeError(`bad field tag ${f}`);
        if (name === '__proto__') throw new DecodeError('forbidden field name');
        out[name] = decodeValue(r, depth + 1);
      }
      return { ...out };
    }
    default:
      throw new DecodeError(`bad value tag ${tag}`);
  }
}
