import {
  errDuplicateKey,
  errEmptyKey,
  errInvalidSortOption,
  errKeyNotFound,
  errLeaseProvided,
  errMalformedRequest,
  errTooManyOps,
  errValueProvided,
} from './errors.js';
import { keySpan, spanContains, type KeySpan } from './key-index.js';
import type {
  Compare,
  CompactionRequest,
  DeleteRangeRequest,
  PutRequest,
  RangeRequest,
  RequestOp,
  TxnRequest,
} from './types.js';

/**
 * Request checks etcd makes before proposing (api/v3rpc/key.go). They are pure functions of the request,
 * so the apply loop repeats them safely: every node reaches the same verdict.
 */
export const DEFAULT_MAX_TXN_OPS = 128;

const SORT_ORDERS = new Set(['NONE', 'ASCEND', 'DESCEND']);
const SORT_TARGETS = new Set(['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE']);
const COMPARE_TARGETS = new Set(['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE']);
const COMPARE_RESULTS = new Set(['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL']);

function requireKey(key: unknown): void {
  if (!Buffer.isBuffer(key)) throw errMalformedRequest('key must be bytes');
  if (key.length === 0) throw errEmptyKey();
}

function optionalBytes(v: unknown, field: string): void {
  if (v !== undefined && !Buffer.isBuffer(v)) throw errMalformedRequest(`${field} must be bytes`);
}

function optionalInt(v: unknown, field: string): void {
  if (v !== undefined && !Number.isSafeInteger(v)) throw errMalformedRequest(`${field} must be an integer`);
}

function optionalBool(v: unknown, field: string): void {
  if (v !== undefined && typeof v !== 'boolean') throw errMalformedRequest(`${field} must be a boolean`);
}

export function validateRange(req: RangeRequest): void {
  requireKey(req.key);
  optionalBytes(req.rangeEnd, 'rangeEnd');
  for (const f of ['limit', 'revision', 'minModRevision', 'maxModRevision', 'minCreateRevision', 'maxCreateRevision'] as const)
    optionalInt(req[f], f);
  for (const f of ['serializable', 'keysOnly', 'countOnly'] as const) optionalBool(req[f], f);
  if (req.sortOrder !== undefined && !SORT_ORDERS.has(req.sortOrder)) throw errInvalidSortOption();
  if (req.sortTarget !== undefined && !SORT_TARGETS.has(req.sortTarget)) throw errInvalidSortOption();
}

export function validatePut(req: PutRequest): void {
  requireKey(req.key);
  if (!Buffer.isBuffer(req.value)) throw errMalformedRequest('value must be bytes');
  optionalInt(req.lease, 'lease');
  for (const f of ['prevKv', 'ignoreValue', 'ignoreLease'] as const) optionalBool(req[f], f);
  if (req.ignoreValue && req.value.length !== 0) throw errValueProvided();
  if (req.ignoreLease && (req.lease ?? 0) !== 0) throw errLeaseProvided();
}

export function validateDeleteRange(req: DeleteRangeRequest): void {
  requireKey(req.key);
  optionalBytes(req.rangeEnd, 'rangeEnd');
  optionalBool(req.prevKv, 'prevKv');
}

export function validateCompaction(req: CompactionRequest): void {
  if (!Number.isSafeInteger(req.revision)) throw errMalformedRequest('revision must be an integer');
  optionalBool(req.physical, 'physical');
}

function validateCompare(c: Compare): void {
  if (c === null || typeof c !== 'object') throw errMalformedRequest('compare must be an object');
  requireKey(c.key);
  optionalBytes(c.rangeEnd, 'rangeEnd');
  if (!COMPARE_TARGETS.has(c.target)) throw errMalformedRequest('unknown compare target');
  if (!COMPARE_RESULTS.has(c.result)) throw errMalformedRequest('unknown compare result');
  for (const f of ['version', 'createRevision', 'modRevision', 'lease'] as const) optionalInt(c[f], f);
  optionalBytes(c.value, 'value');
}

/** A RequestOp by kind; undefined for an empty op. */
export type ClassifiedOp =
  | { kind: 'range'; req: RangeRequest }
  | { kind: 'put'; req: PutRequest }
  | { kind: 'deleteRange'; req: DeleteRangeRequest }
  | { kind: 'txn'; req: TxnRequest };

export function classifyOp(op: RequestOp): ClassifiedOp | undefined {
  if (op === null || typeof op !== 'object') return undefined;
  const o = op as Partial<{
    requestRange: RangeRequest;
    requestPut: PutRequest;
    requestDeleteRange: DeleteRangeRequest;
    requestTxn: TxnRequest;
  }>;
  if (o.requestRange) return { kind: 'range', req: o.requestRange };
  if (o.requestPut) return { kind: 'put', req: o.requestPut };
  if (o.requestDeleteRange) return { kind: 'deleteRange', req: o.requestDeleteRange };
  if (o.requestTxn) return { kind: 'txn', req: o.requestTxn };
  return undefined;
}

function validateRequestOp(op: RequestOp, maxOps: number): void {
  const c = classifyOp(op);
  // etcd answers an empty RequestOp this way.
  if (c === undefined) throw errKeyNotFound();
  switch (c.kind) {
    case 'range':
      return validateRange(c.req);
    case 'put':
      return validatePut(c.req);
    case 'deleteRange':
      return validateDeleteRange(c.req);
    case 'txn':
      return checkTxnShape(c.req, maxOps);
  }
}

function checkTxnShape(req: TxnRequest, maxOps: number): void {
  if (req === null || typeof req !== 'object') throw errMalformedRequest('txn must be an object');
  for (const f of ['compare', 'success', 'failure'] as const)
    if (!Array.isArray(req[f])) throw errMalformedRequest(`txn ${f} must be a list`);
  const opc = Math.max(req.compare.length, req.success.length, req.failure.length);
  if (opc > maxOps) throw errTooManyOps();
  for (const c of req.compare) validateCompare(c);
  for (const op of req.success) validateRequestOp(op, maxOps - opc);
  for (const op of req.failure) validateRequestOp(op, maxOps - opc);
}

/** etcd's checkTxnRequest then checkIntervals: op counts, each op's own checks, and no key written twice on one path. */
export function validateTxn(req: TxnRequest, maxOps = DEFAULT_MAX_TXN_OPS): void {
  checkTxnShape(req, maxOps);
  checkIntervals(req.success);
  checkIntervals(req.failure);
}

interface Writes {
  puts: Set<string>;
  dels: KeySpan[];
}

/**
 * etcd's checkIntervals: a put may not hit a key another put or a delete of the same path touches.
 * The then/else branches of a nested txn exclude each other, so they may put the same key.
 */
function checkIntervals(ops: RequestOp[]): Writes {
  const classified = ops.map((op) => classifyOp(op)!);
  const dels: KeySpan[] = [];
  for (const c of classified) {
    // etcd 3.4 quirk, kept for fidelity: a delete with range_end [0] becomes the empty interval [key, "\0")
    // in checkIntervals, so it never conflicts with a put (observed on etcd 3.4.23).
    if (c.kind !== 'deleteRange' || isZeroEnd(c.req.rangeEnd)) continue;
    dels.push(keySpan(c.req.key, c.req.rangeEnd));
  }
  const deleted = (k: string): boolean => dels.some((span) => spanContains(span, Buffer.from(k, 'latin1')));

  const puts = new Set<string>();
  for (const c of classified) {
    if (c.kind !== 'txn') continue;
    const then = checkIntervals(c.req.success);
    const otherwise = checkIntervals(c.req.failure);
    for (const k of then.puts) {
      if (puts.has(k) || deleted(k)) throw errDuplicateKey();
      puts.add(k);
    }
    for (const k of otherwise.puts) {
      if ((puts.has(k) && !then.puts.has(k)) || deleted(k)) throw errDuplicateKey();
      puts.add(k);
    }
    dels.push(...then.dels, ...otherwise.dels);
  }
  for (const c of classified) {
    if (c.kind !== 'put') continue;
    const k = c.req.key.toString('latin1');
    if (puts.has(k) || deleted(k)) throw errDuplicateKey();
    puts.add(k);
  }
  return { puts, dels };
}

const isZeroEnd = (end: Buffer | undefined): boolean => end !== undefined && end.length === 1 && end[0] === 0;

/** True when no branch of the txn, at any depth, writes. */
export function isTxnReadOnly(req: TxnRequest): boolean {
  const readOnly = (ops: RequestOp[]): boolean =>
    ops.every((op) => {
      const c = classifyOp(op);
      return c?.kind === 'range' || (c?.kind === 'txn' && isTxnReadOnly(c.req));
    });
  return readOnly(req.success) && readOnly(req.failure);
}
