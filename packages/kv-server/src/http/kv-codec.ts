import type {
  CompactionRequest,
  Compare,
  CompareResult,
  CompareTarget,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  SortOrder,
  SortTarget,
  TxnRequest,
  TxnResponse,
} from '../mvcc/types.js';
import {
  asObject,
  field,
  invalid,
  putInt64,
  readArray,
  readBool,
  readBytes,
  readEnum,
  readInt64,
  type JsonObject,
} from './proto-json.js';
import { encodeBase64 } from './go-base64.js';

/** etcd's JSON (proto3 JSON of etcdserverpb) ⇄ the typed requests and responses of src/mvcc/types.ts. */

const SORT_ORDERS: readonly SortOrder[] = ['NONE', 'ASCEND', 'DESCEND'];
const SORT_TARGETS: readonly SortTarget[] = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'];
const COMPARE_TARGETS: readonly CompareTarget[] = ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'];
const COMPARE_RESULTS: readonly CompareResult[] = ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL'];

const EMPTY = Buffer.alloc(0);

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export function decodeRangeRequest(obj: JsonObject): RangeRequest {
  const req: RangeRequest = { key: readBytes(obj, 'key') ?? EMPTY };
  setIf(req, 'rangeEnd', readBytes(obj, 'range_end'));
  setIf(req, 'limit', readInt64(obj, 'limit'));
  setIf(req, 'revision', readInt64(obj, 'revision'));
  setIf(req, 'sortOrder', readEnum(obj, 'sort_order', SORT_ORDERS, 'etcdserverpb.RangeRequest_SortOrder', 'NONE'));
  setIf(req, 'sortTarget', readEnum(obj, 'sort_target', SORT_TARGETS, 'etcdserverpb.RangeRequest_SortTarget', null));
  setIf(req, 'serializable', readBool(obj, 'serializable'));
  setIf(req, 'keysOnly', readBool(obj, 'keys_only'));
  setIf(req, 'countOnly', readBool(obj, 'count_only'));
  setIf(req, 'minModRevision', readInt64(obj, 'min_mod_revision'));
  setIf(req, 'maxModRevision', readInt64(obj, 'max_mod_revision'));
  setIf(req, 'minCreateRevision', readInt64(obj, 'min_create_revision'));
  setIf(req, 'maxCreateRevision', readInt64(obj, 'max_create_revision'));
  return req;
}

export function decodePutRequest(obj: JsonObject): PutRequest {
  const req: PutRequest = { key: readBytes(obj, 'key') ?? EMPTY, value: readBytes(obj, 'value') ?? EMPTY };
  setIf(req, 'lease', readInt64(obj, 'lease'));
  setIf(req, 'prevKv', readBool(obj, 'prev_kv'));
  setIf(req, 'ignoreValue', readBool(obj, 'ignore_value'));
  setIf(req, 'ignoreLease', readBool(obj, 'ignore_lease'));
  return req;
}

export function decodeDeleteRangeRequest(obj: JsonObject): DeleteRangeRequest {
  const req: DeleteRangeRequest = { key: readBytes(obj, 'key') ?? EMPTY };
  setIf(req, 'rangeEnd', readBytes(obj, 'range_end'));
  setIf(req, 'prevKv', readBool(obj, 'prev_kv'));
  return req;
}

function decodeCompare(value: unknown): Compare {
  const obj = asObject(value, 'etcdserverpb.Compare');
  const cmp: Compare = {
    key: readBytes(obj, 'key') ?? EMPTY,
    target: readEnum(obj, 'target', COMPARE_TARGETS, 'etcdserverpb.Compare_CompareTarget', null) ?? 'VERSION',
    result: readEnum(obj, 'result', COMPARE_RESULTS, 'etcdserverpb.Compare_CompareResult', null) ?? 'EQUAL',
  };
  setIf(cmp, 'rangeEnd', readBytes(obj, 'range_end'));
  setIf(cmp, 'version', readInt64(obj, 'version'));
  setIf(cmp, 'createRevision', readInt64(obj, 'create_revision'));
  setIf(cmp, 'modRevision', readInt64(obj, 'mod_revision'));
  setIf(cmp, 'value', readBytes(obj, 'value'));
  setIf(cmp, 'lease', readInt64(obj, 'lease'));
  return cmp;
}

function decodeRequestOp(value: unknown): RequestOp {
  const obj = asObject(value, 'etcdserverpb.RequestOp');
  const range = field(obj, 'request_range');
  if (range !== undefined) return { requestRange: decodeRangeRequest(asObject(range, 'etcdserverpb.RangeRequest')) };
  const put = field(obj, 'request_put');
  if (put !== undefined) return { requestPut: decodePutRequest(asObject(put, 'etcdserverpb.PutRequest')) };
  const del = field(obj, 'request_delete_range');
  if (del !== undefined) {
    return { requestDeleteRange: decodeDeleteRangeRequest(asObject(del, 'etcdserverpb.DeleteRangeRequest')) };
  }
  const txn = field(obj, 'request_txn');
  if (txn !== undefined) return { requestTxn: decodeTxnRequest(asObject(txn, 'etcdserverpb.TxnRequest')) };
  // etcd answers an op with no request in its oneof with this text.
  throw invalid('etcdserver: key not found');
}

export function decodeTxnRequest(obj: JsonObject): TxnRequest {
  return {
    compare: readArray(obj, 'compare', 'etcdserverpb.Compare').map(decodeCompare),
    success: readArray(obj, 'success', 'etcdserverpb.RequestOp').map(decodeRequestOp),
    failure: readArray(obj, 'failure', 'etcdserverpb.RequestOp').map(decodeRequestOp),
  };
}

export function decodeCompactionRequest(obj: JsonObject): CompactionRequest {
  const req: CompactionRequest = { revision: readInt64(obj, 'revision') ?? 0 };
  setIf(req, 'physical', readBool(obj, 'physical'));
  return req;
}

// ---- responses ----

export interface ResponseHeader {
  clusterId: bigint;
  memberId: bigint;
  revision: number;
  raftTerm: number;
}

export function encodeHeader(h: Partial<ResponseHeader>): JsonObject {
  const out: JsonObject = {};
  putInt64(out, 'cluster_id', h.clusterId);
  putInt64(out, 'member_id', h.memberId);
  putInt64(out, 'revision', h.revision);
  putInt64(out, 'raft_term', h.raftTerm);
  return out;
}

export function encodeKeyValue(kv: KeyValue): JsonObject {
  const out: JsonObject = {};
  if (kv.key.length > 0) out.key = encodeBase64(kv.key);
  putInt64(out, 'create_revision', kv.createRevision);
  putInt64(out, 'mod_revision', kv.modRevision);
  putInt64(out, 'version', kv.version);
  if (kv.value.length > 0) out.value = encodeBase64(kv.value);
  putInt64(out, 'lease', kv.lease);
  return out;
}

export function encodeRangeBody(header: JsonObject, resp: RangeResponse): JsonObject {
  const out: JsonObject = { header };
  if (resp.kvs.length > 0) out.kvs = resp.kvs.map(encodeKeyValue);
  if (resp.more) out.more = true;
  putInt64(out, 'count', resp.count);
  return out;
}

export function encodePutBody(header: JsonObject, resp: PutResponse): JsonObject {
  const out: JsonObject = { header };
  if (resp.prevKv) out.prev_kv = encodeKeyValue(resp.prevKv);
  return out;
}

export function encodeDeleteRangeBody(header: JsonObject, resp: DeleteRangeResponse): JsonObject {
  const out: JsonObject = { header };
  putInt64(out, 'deleted', resp.deleted);
  if (resp.prevKvs.length > 0) out.prev_kvs = resp.prevKvs.map(encodeKeyValue);
  return out;
}

/**
 * etcd gives each op of a txn its own header whose revision is the store's revision as that op saw it:
 * the revision before the txn until the first change, the txn's new revision from then on.
 * A nested txn's own header is empty.
 */
export function encodeTxnBody(header: JsonObject, resp: TxnResponse, finalRevision: number): JsonObject {
  const changed = txnChanges(resp);
  const state = { changedSoFar: false, before: changed ? finalRevision - 1 : finalRevision, after: finalRevision };
  return encodeTxnWith(header, resp, state);
}

interface TxnRevisionState {
  changedSoFar: boolean;
  before: number;
  after: number;
}

function encodeTxnWith(header: JsonObject, resp: TxnResponse, state: TxnRevisionState): JsonObject {
  const out: JsonObject = { header };
  if (resp.succeeded) out.succeeded = true;
  if (resp.responses.length > 0) out.responses = resp.responses.map((op) => encodeResponseOp(op, state));
  return out;
}

function opHeader(state: TxnRevisionState): JsonObject {
  return encodeHeader({ revision: state.changedSoFar ? state.after : state.before });
}

function encodeResponseOp(op: ResponseOp, state: TxnRevisionState): JsonObject {
  if ('responseRange' in op) return { response_range: encodeRangeBody(opHeader(state), op.responseRange) };
  if ('responsePut' in op) {
    state.changedSoFar = true;
    return { response_put: encodePutBody(opHeader(state), op.responsePut) };
  }
  if ('responseDeleteRange' in op) {
    if (op.responseDeleteRange.deleted > 0) state.changedSoFar = true;
    return { response_delete_range: encodeDeleteRangeBody(opHeader(state), op.responseDeleteRange) };
  }
  return { response_txn: encodeTxnWith({}, op.responseTxn, state) };
}

function txnChanges(resp: TxnResponse): boolean {
  return resp.responses.some((op) => {
    if ('responsePut' in op) return true;
    if ('responseDeleteRange' in op) return op.responseDeleteRange.deleted > 0;
    if ('responseTxn' in op) return txnChanges(op.responseTxn);
    return false;
  });
}
