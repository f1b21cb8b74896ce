import type { ChangeEvent } from '../mvcc/store.js';
import { KvError } from '../mvcc/types.js';
import { encodeKeyValue } from '../http/kv-codec.js';
import { asObject, field, putInt64, readBool, readBytes, readInt64, type JsonObject } from '../http/proto-json.js';
import type { WatchFilter, WatchRequest } from './watch-hub.js';

/** etcd's WatchRequest JSON (one message of the stream) ⇄ the hub's types; WatchResponse JSON out. */

export type WatchStreamRequest =
  | { create: WatchRequest & { watchId?: number } }
  | { cancel: { watchId: number } }
  | { progress: true }
  | { none: true };

const FILTERS: readonly WatchFilter[] = ['NOPUT', 'NODELETE'];
const EMPTY = Buffer.alloc(0);

/** Every error in a stream's request is gRPC code 2 on the gateway. */
function streamError(err: unknown): KvError {
  return new KvError(2, err instanceof Error ? err.message : String(err));
}

export function decodeWatchStreamRequest(obj: JsonObject): WatchStreamRequest {
  try {
    const create = field(obj, 'create_request');
    if (create !== undefined) return { create: decodeCreate(asObject(create, 'etcdserverpb.WatchCreateRequest')) };
    const cancel = field(obj, 'cancel_request');
    if (cancel !== undefined) {
      return { cancel: { watchId: readInt64(asObject(cancel, 'etcdserverpb.WatchCancelRequest'), 'watch_id') ?? 0 } };
    }
    if (field(obj, 'progress_request') !== undefined) return { progress: true };
    return { none: true };
  } catch (err) {
    throw streamError(err);
  }
}

function decodeCreate(obj: JsonObject): WatchRequest & { watchId?: number } {
  const req: WatchRequest & { watchId?: number } = { key: readBytes(obj, 'key') ?? EMPTY };
  const rangeEnd = readBytes(obj, 'range_end');
  if (rangeEnd !== undefined) req.rangeEnd = rangeEnd;
  const start = readInt64(obj, 'start_revision');
  if (start !== undefined) req.startRevision = start;
  if (readBool(obj, 'prev_kv')) req.prevKv = true;
  if (readBool(obj, 'progress_notify')) req.progressNotify = true;
  const watchId = readInt64(obj, 'watch_id');
  if (watchId !== undefined) req.watchId = watchId;
  const filters = field(obj, 'filters');
  if (filters !== undefined) {
    if (!Array.isArray(filters)) throw new Error('json: cannot unmarshal into Go value of type []etcdserverpb.WatchCreateRequest_FilterType');
    req.filters = filters.map(decodeFilter);
  }
  return req;
}

function decodeFilter(value: unknown): WatchFilter {
  const byName = typeof value === 'string' ? FILTERS.find((f) => f === value) : undefined;
  const byNumber = typeof value === 'number' ? FILTERS[value] : undefined;
  const filter = byName ?? byNumber;
  if (filter === undefined)
    throw new Error(`unknown value ${JSON.stringify(value)} for enum etcdserverpb.WatchCreateRequest_FilterType`);
  return filter;
}

/** One event as etcd writes it: PUT (type 0) leaves `type` out; prev_kv only when the watcher asked for it. */
export function encodeEvent(e: ChangeEvent, withPrevKv: boolean): JsonObject {
  const out: JsonObject = {};
  if (e.type === 'DELETE') out.type = 'DELETE';
  out.kv = encodeKeyValue(e.kv);
  if (withPrevKv && e.prevKv !== undefined) out.prev_kv = encodeKeyValue(e.prevKv);
  return out;
}

export interface WatchResultFields {
  watchId: number;
  created?: boolean;
  canceled?: boolean;
  compactRevision?: number;
  events?: JsonObject[];
}

/** One line of the stream: {"result":{header, watch_id, created, canceled, compact_revision, events}}. */
export function encodeWatchResult(header: JsonObject, f: WatchResultFields): string {
  const result: JsonObject = { header };
  putInt64(result, 'watch_id', f.watchId);
  if (f.created) result.created = true;
  if (f.canceled) result.canceled = true;
  putInt64(result, 'compact_revision', f.compactRevision);
  if (f.events !== undefined && f.events.length > 0) result.events = f.events;
  return JSON.stringify({ result }) + '\n';
}
