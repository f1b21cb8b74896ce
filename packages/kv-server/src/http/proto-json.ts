import { KvError } from '../mvcc/types.js';
import { decodeGoBase64 } from './go-base64.js';

/**
 * Reading proto3 JSON as etcd's gateway does: a field may be named in snake_case or lowerCamelCase,
 * null means "not set", unknown fields are ignored, 64-bit integers come as numbers or strings.
 * Type errors carry the texts of Go's encoding/json so clients see what etcd would say.
 */
export type JsonObject = Record<string, unknown>;

export function invalid(message: string): KvError {
  return new KvError(3, message);
}

function goTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  return typeof value; // string, number, boolean
}

function cannotUnmarshal(value: unknown, goType: string): KvError {
  return invalid(`json: cannot unmarshal ${goTypeOf(value)} into Go value of type ${goType}`);
}

/** Field names come from a small fixed set in the codecs: each is converted once, not on every request. */
const camelNames = new Map<string, string>();

function camelCase(snake: string): string {
  let camel = camelNames.get(snake);
  if (camel === undefined) {
    camel = snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    camelNames.set(snake, camel);
  }
  return camel;
}

/** The value of a field by its proto name (snake_case) or JSON name (lowerCamelCase); undefined when unset. */
export function field(obj: JsonObject, snakeName: string): unknown {
  const camel = camelCase(snakeName);
  const value = Object.prototype.hasOwnProperty.call(obj, camel) ? obj[camel] : obj[snakeName];
  return value === null ? undefined : value;
}

/** Parses a request body; an empty body is an empty message, as with etcd. */
export function parseBody(raw: Buffer): JsonObject {
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  return asObject(parsed, 'map[string]json.RawMessage');
}

export function asObject(value: unknown, goType: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw cannotUnmarshal(value, goType);
  return value as JsonObject;
}

export function readBytes(obj: JsonObject, name: string): Buffer | undefined {
  const value = field(obj, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw cannotUnmarshal(value, '[]uint8');
  return decodeGoBase64(value);
}

export function readBool(obj: JsonObject, name: string): boolean | undefined {
  const value = field(obj, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw cannotUnmarshal(value, 'bool');
  return value;
}

const INT_TEXT = /^\s*-?\d+\s*$/;

/**
 * An int64 as a JS number. Values beyond 2^53 are refused: revisions, leases and limits never get there,
 * and silently rounding one would be worse than saying so.
 */
export function readInt64(obj: JsonObject, name: string): number | undefined {
  const value = field(obj, name);
  if (value === undefined) return undefined;
  let asNumber: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw invalid(`json: cannot unmarshal number ${value} into Go value of type int64`);
    asNumber = value;
  } else if (typeof value === 'string') {
    if (!INT_TEXT.test(value)) throw invalid(`json: cannot unmarshal number ${value.trim()} into Go value of type int64`);
    asNumber = Number(value.trim());
  } else {
    throw cannotUnmarshal(value, 'int64');
  }
  if (!Number.isSafeInteger(asNumber)) {
    throw invalid(`json: cannot unmarshal number ${String(value).trim()} into Go value of type int64 (beyond 2^53)`);
  }
  return asNumber;
}

/** An enum by name or number; an unknown name is an error, an unknown number maps to `fallback` (as proto3 keeps it). */
export function readEnum<T extends string>(
  obj: JsonObject,
  name: string,
  values: readonly T[],
  protoEnumName: string,
  fallback: T | null,
): T | undefined {
  const value = field(obj, name);
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const found = values.find((v) => v === value);
    if (found === undefined) throw invalid(`unknown value ${JSON.stringify(value)} for enum ${protoEnumName}`);
    return found;
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    const byNumber = values[value];
    if (byNumber !== undefined) return byNumber;
    if (fallback !== null) return fallback;
    throw invalid(`unknown value ${value} for enum ${protoEnumName}`);
  }
  throw cannotUnmarshal(value, protoEnumName);
}

export function readArray(obj: JsonObject, name: string, goElemType: string): unknown[] {
  const value = field(obj, name);
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw cannotUnmarshal(value, `[]*${goElemType}`);
  return value;
}

/** Writes an int64 the proto3 JSON way (a decimal string), or leaves it out when zero. */
export function putInt64(target: JsonObject, name: string, value: number | bigint | undefined): void {
  if (value !== undefined && value !== 0 && value !== 0n) target[name] = String(value);
}
