import { KvError, type DeleteRangeRequest, type PutRequest, type RangeRequest, type RequestOp, type TxnRequest } from '../mvcc/types.js';

/** The checks etcd's API layer makes before a request reaches Raft (etcdserver/api/v3rpc/key.go), with its texts. */

export const MAX_TXN_OPS = 128;

const keyNotProvided = () => new KvError(3, 'etcdserver: key is not provided');

export function checkRange(req: RangeRequest): void {
  if (req.key.length === 0) throw keyNotProvided();
}

export function checkPut(req: PutRequest): void {
  if (req.key.length === 0) throw keyNotProvided();
  if (req.ignoreValue && req.value.length !== 0) throw new KvError(3, 'etcdserver: value is provided');
  if (req.ignoreLease && (req.lease ?? 0) !== 0) throw new KvError(3, 'etcdserver: lease is provided');
  // raftkv has no lease API, so every lease id is unknown.
  if ((req.lease ?? 0) !== 0) throw new KvError(5, 'etcdserver: requested lease not found');
}

export function checkDeleteRange(req: DeleteRangeRequest): void {
  if (req.key.length === 0) throw keyNotProvided();
}

export function checkTxn(req: TxnRequest, maxTxnOps = MAX_TXN_OPS): void {
  if (req.compare.length > maxTxnOps || req.success.length > maxTxnOps || req.failure.length > maxTxnOps) {
    throw new KvError(3, 'etcdserver: too many operations in txn request');
  }
  for (const cmp of req.compare) if (cmp.key.length === 0) throw keyNotProvided();
  for (const op of [...req.success, ...req.failure]) checkOp(op, maxTxnOps);
  putKeysOf(req.success);
  putKeysOf(req.failure);
}

function checkOp(op: RequestOp, maxTxnOps: number): void {
  if ('requestRange' in op) checkRange(op.requestRange);
  else if ('requestPut' in op) checkPut(op.requestPut);
  else if ('requestDeleteRange' in op) checkDeleteRange(op.requestDeleteRange);
  else checkTxn(op.requestTxn, maxTxnOps);
}

/**
 * The keys one branch puts, nested txns included; a key put twice on one path is refused as etcd does
 * (a nested txn's success and failure branches never both run, so they may share keys).
 */
function putKeysOf(ops: RequestOp[]): Set<string> {
  const puts = new Set<string>();
  const add = (key: string) => {
    if (puts.has(key)) throw new KvError(3, 'etcdserver: duplicate key given in txn request');
    puts.add(key);
  };
  for (const op of ops) {
    if (!('requestTxn' in op)) continue;
    const then = putKeysOf(op.requestTxn.success);
    const otherwise = putKeysOf(op.requestTxn.failure);
    for (const key of new Set([...then, ...otherwise])) add(key);
  }
  for (const op of ops) if ('requestPut' in op) add(op.requestPut.key.toString('latin1'));
  return puts;
}
