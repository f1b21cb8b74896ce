/**
 * The KV API in etcd's terms (etcdserverpb), with keys and values as bytes and 64-bit numbers as JS numbers
 * (revisions stay far below 2^53). The HTTP layer converts to and from etcd's JSON; the store and the apply
 * loop speak only these types.
 */
export interface KeyValue {
  key: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  value: Buffer;
  lease: number;
}

export type SortOrder = 'NONE' | 'ASCEND' | 'DESCEND';
export type SortTarget = 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';

export interface RangeRequest {
  key: Buffer;
  /** Absent: the single key. [0]: every key ≥ key. Otherwise [key, rangeEnd). */
  rangeEnd?: Buffer;
  limit?: number;
  revision?: number;
  sortOrder?: SortOrder;
  sortTarget?: SortTarget;
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}

export interface RangeResponse {
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: Buffer;
  value: Buffer;
  lease?: number;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface PutResponse {
  prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  key: Buffer;
  rangeEnd?: Buffer;
  prevKv?: boolean;
}

export interface DeleteRangeResponse {
  deleted: number;
  prevKvs: KeyValue[];
}

export type CompareTarget = 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';

export interface Compare {
  key: Buffer;
  rangeEnd?: Buffer;
  target: CompareTarget;
  result: CompareResult;
  version?: number;
  createRevision?: number;
  modRevision?: number;
  value?: Buffer;
  lease?: number;
}

export type RequestOp =
  | { requestRange: RangeRequest }
  | { requestPut: PutRequest }
  | { requestDeleteRange: DeleteRangeRequest }
  | { requestTxn: TxnRequest };

export type ResponseOp =
  | { responseRange: RangeResponse }
  | { responsePut: PutResponse }
  | { responseDeleteRange: DeleteRangeResponse }
  | { responseTxn: TxnResponse };

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionRequest {
  revision: number;
  physical?: boolean;
}

/** An error with etcd's text and gRPC code; the HTTP layer maps the code to a status. */
export class KvError extends Error {
  constructor(
    /** gRPC code: 3 InvalidArgument, 5 NotFound, 11 OutOfRange, 4 DeadlineExceeded, 14 Unavailable, 8 ResourceExhausted … */
    readonly code: number,
    /** etcd's text, e.g. "etcdserver: mvcc: required revision is a future revision". */
    message: string,
  ) {
    super(message);
    this.name = 'KvError';
  }
}

/** Compaction answers only a header. */
export type CompactionResponse = Record<string, never>;

/** A write as it travels through the Raft log: one of the KV API's mutating requests. */
export type CommandOp =
  | { put: PutRequest }
  | { deleteRange: DeleteRangeRequest }
  | { txn: TxnRequest }
  | { compaction: CompactionRequest }
  | { leaseGrant: LeaseGrantRequest }
  | { leaseRevoke: LeaseRevokeRequest }
  | { leaseKeepAlive: LeaseKeepAliveRequest };

/** A lease grant as it goes through the log: the id is chosen before proposing (never 0), the TTL already clamped. */
export interface LeaseGrantRequest {
  id: number;
  ttl: number;
}

export interface LeaseRevokeRequest {
  id: number;
}

/** A keepalive goes through the log so the leader's lessor (whichever node leads) sees every renewal. */
export interface LeaseKeepAliveRequest {
  id: number;
}

/** Grant and keepalive answer the lease's id and granted TTL; a keepalive of an unknown lease answers ttl 0. */
export interface LeaseResponse {
  id: number;
  ttl: number;
}

export interface Command {
  /** Unique per proposal (a uuid); the apply loop applies an id at most once. */
  id: string;
  /** Client-chosen key for retries of one logical request: a second command with the same key is not applied again. */
  idempotencyKey?: string;
  op: CommandOp;
}

/** PutResponse for put, DeleteRangeResponse for deleteRange, TxnResponse for txn, CompactionResponse for compaction. */
export type CommandResponse = PutResponse | DeleteRangeResponse | TxnResponse | CompactionResponse | LeaseResponse;

/** What applying a command produced, as every node computes it; `revision` is the store revision for the response header. */
export type CommandResult =
  | { ok: { revision: number; raftTerm?: number; response: CommandResponse } }
  | { error: KvError };
