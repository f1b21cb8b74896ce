/**
 * Conversion between the KV types of mvcc/types.ts (Buffers, JS numbers) and etcd's v3 JSON
 * (base64 bytes, 64-bit integers as strings, zero values left out), for the client side.
 */
import type {
  Compare,
  CompactionRequest,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from '../mvcc/types.js';

/** A JSON object as it travels on the wire. */
export type WireObject = Record<string, unknown>;

export interface ResponseHeader {
  /** 64-bit ids stay decimal strings: they do not fit a JS number. */
  clusterId: string;
  memberId: string;
  revision: number;
  raftTerm: number;
}

export type WithHeader<T> = T & { header: ResponseHeader };

export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  dbSize: number;
  /** Member id of the leader this node knows, "0" when it knows none. */
  leader: string;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  dbSizeInUse: number;
  errors: string[];
}

export interface Member {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface MemberListResponse {
  header: ResponseHeader;
  members: Member[];
}

export function b64(bytes: Buffer): string {
  return bytes.toString('base64');
}

function bytes(value: unknown): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
}

function int(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value !== '') return Number(value);
  return 0;
}

function id(value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return '0';
}

/** Reads a field by its proto name, accepting both snake_case and lowerCamelCase as proto3 JSON does. */
function field(obj: WireObject, snake: string): unknown {
  if (snake in obj) return obj[snake];
  const camel = snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return obj[camel];
}

function object(value: unknown): WireObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as WireObject) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Puts a field on the wire only when it is not a zero value, as etcd does. */
function setIf(obj: WireObject, name: string, value: unknown): void {
  if (value === undefined || value === false || value === 0 || value === '') return;
  obj[name] = typeof value === 'number' ? String(value) : value;
}

// ---- requests -------------------------------------------------------------------------------

export function encodeRange(req: RangeRequest): WireObject {
  const out: WireObject = { key: b64(req.key) };
  if (req.rangeEnd) out.range_end = b64(req.rangeEnd);
  setIf(out, 'limit', req.limit);
  setIf(out, 'revision', req.revision);
  if (req.sortOrder && req.sortOrder !== 'NONE') out.sort_order = req.sortOrder;
  if (req.sortTarget && req.sortTarget !== 'KEY') out.sort_target = req.sortTarget;
  setIf(out, 'serializable', req.serializable);
  setIf(out, 'keys_only', req.keysOnly);
  setIf(out, 'count_only', req.countOnly);
  setIf(out, 'min_mod_revision', req.minModRevision);
  setIf(out, 'max_mod_revision', req.maxModRevision);
  setIf(out, 'min_create_revision', req.minCreateRevision);
  setIf(out, 'max_create_revision', req.maxCreateRevision);
  return out;
}

export function encodePut(req: PutRequest): WireObject {
  const out: WireObject = { key: b64(req.key), value: b64(req.value) };
  setIf(out, 'lease', req.lease);
  setIf(out, 'prev_kv', req.prevKv);
  setIf(out, 'ignore_value', req.ignoreValue);
  setIf(out, 'ignore_lease', req.ignoreLease);
  return out;
}

export function encodeDeleteRange(req: DeleteRangeRequest): WireObject {
  const out: WireObject = { key: b64(req.key) };
  if (req.rangeEnd) out.range_end = b64(req.rangeEnd);
  setIf(out, 'prev_kv', req.prevKv);
  return out;
}

function encodeCompare(cmp: Compare): WireObject {
  const out: WireObject = { key: b64(cmp.key), target: cmp.target, result: cmp.result };
  if (cmp.rangeEnd) out.range_end = b64(cmp.rangeEnd);
  // The compared field is sent even when zero: `version("k") = "0"` must reach the server.
  switch (cmp.target) {
    case 'VALUE':
      out.value = b64(cmp.value ?? Buffer.alloc(0));
      break;
    case 'VERSION':
      out.version = String(cmp.version ?? 0);
      break;
    case 'CREATE':
      out.create_revision = String(cmp.createRevision ?? 0);
      break;
    case 'MOD':
      out.mod_revision = String(cmp.modRevision ?? 0);
      break;
    case 'LEASE':
      out.lease = String(cmp.lease ?? 0);
      break;
  }
  return out;
}

function encodeRequestOp(op: RequestOp): WireObject {
  if ('requestRange' in op) return { request_range: encodeRange(op.requestRange) };
  if ('requestPut' in op) return { request_put: encodePut(op.requestPut) };
  if ('requestDeleteRange' in op) return { request_delete_range: encodeDeleteRange(op.requestDeleteRange) };
  return { request_txn: encodeTxn(op.requestTxn) };
}

export function encodeTxn(req: TxnRequest): WireObject {
  return {
    compare: req.compare.map(encodeCompare),
    success: req.success.map(encodeRequestOp),
    failure: req.failure.map(encodeRequestOp),
  };
}

export function encodeCompaction(req: CompactionRequest): WireObject {
  const out: WireObject = { revision: String(req.revision) };
  setIf(out, 'physical', req.physical);
  return out;
}

// ---- responses ------------------------------------------------------------------------------

export function decodeHeader(value: unknown): ResponseHeader {
  const h = object(value);
  return {
    clusterId: id(field(h, 'cluster_id')),
    memberId: id(field(h, 'member_id')),
    revision: int(field(h, 'revision')),
    raftTerm: int(field(h, 'raft_term')),
  };
}

export function decodeKeyValue(value: unknown): KeyValue {
  const kv = object(value);
  return {
    key: bytes(kv.key),
    createRevision: int(field(kv, 'create_revision')),
    modRevision: int(field(kv, 'mod_revision')),
    version: int(kv.version),
    value: bytes(kv.value),
    lease: int(kv.lease),
  };
}

export function decodeRange(value: unknown): WithHeader<RangeResponse> {
  const r = object(value);
  return {
    header: decodeHeader(r.header),
    kvs: list(r.kvs).map(decodeKeyValue),
    more: field(r, 'more') === true,
    count: int(r.count),
  };
}

export function decodePut(value: unknown): WithHeader<PutResponse> {
  const r = object(value);
  const prev = field(r, 'prev_kv');
  const out: WithHeader<PutResponse> = { header: decodeHeader(r.header) };
  if (prev !== undefined) out.prevKv = decodeKeyValue(prev);
  return out;
}

export function decodeDeleteRange(value: unknown): WithHeader<DeleteRangeResponse> {
  const r = object(value);
  return {
    header: decodeHeader(r.header),
    deleted: int(r.deleted),
    prevKvs: list(field(r, 'prev_kvs')).map(decodeKeyValue),
  };
}

function decodeResponseOp(value: unknown): ResponseOp {
  const r = object(value);
  const range = field(r, 'response_range');
  if (range !== undefined) return { responseRange: decodeRange(range) };
  const put = field(r, 'response_put');
  if (put !== undefined) return { responsePut: decodePut(put) };
  const del = field(r, 'response_delete_range');
  if (del !== undefined) return { responseDeleteRange: decodeDeleteRange(del) };
  return { responseTxn: decodeTxn(field(r, 'response_txn')) };
}

export function decodeTxn(value: unknown): WithHeader<TxnResponse> {
  const r = object(value);
  return {
    header: decodeHeader(r.header),
    succeeded: r.succeeded === true,
    responses: list(r.responses).map(decodeResponseOp),
  };
}

export function decodeStatus(value: unknown): StatusResponse {
  const r = object(value);
  return {
    header: decodeHeader(r.header),
    version: typeof r.version === 'string' ? r.version : '',
    dbSize: int(field(r, 'db_size')),
    leader: id(r.leader),
    raftIndex: int(field(r, 'raft_index')),
    raftTerm: int(field(r, 'raft_term')),
    raftAppliedIndex: int(field(r, 'raft_applied_index')),
    dbSizeInUse: int(field(r, 'db_size_in_use')),
    errors: list(r.errors).filter((e): e is string => typeof e === 'string'),
  };
}

export function decodeMemberList(value: unknown): MemberListResponse {
  const r = object(value);
  return {
    header: decodeHeader(r.header),
    members: list(r.members).map((m) => {
      const member = object(m);
      return {
        id: id(member.ID ?? member.id),
        name: typeof member.name === 'string' ? member.name : '',
        peerURLs: list(member.peerURLs ?? member.peer_urls).map(String),
        clientURLs: list(member.clientURLs ?? member.client_urls).map(String),
        isLearner: (member.isLearner ?? member.is_learner) === true,
      };
    }),
  };
}
