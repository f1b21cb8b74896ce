import { KvError } from './types.js';

/** etcd's texts and gRPC codes for the errors the store and the apply loop produce. */
export const errCompacted = (): KvError => new KvError(11, 'etcdserver: mvcc: required revision has been compacted');
export const errFutureRevision = (): KvError => new KvError(11, 'etcdserver: mvcc: required revision is a future revision');
export const errKeyNotFound = (): KvError => new KvError(3, 'etcdserver: key not found');
export const errLeaseNotFound = (): KvError => new KvError(5, 'etcdserver: requested lease not found');
export const errEmptyKey = (): KvError => new KvError(3, 'etcdserver: key is not provided');
export const errValueProvided = (): KvError => new KvError(3, 'etcdserver: value is provided');
export const errLeaseProvided = (): KvError => new KvError(3, 'etcdserver: lease is provided');
export const errDuplicateKey = (): KvError => new KvError(3, 'etcdserver: duplicate key given in txn request');
export const errTooManyOps = (): KvError => new KvError(3, 'etcdserver: too many operations in txn request');
export const errInvalidSortOption = (): KvError => new KvError(3, 'etcdserver: invalid sort option');
export const errTimeout = (): KvError => new KvError(4, 'etcdserver: request timed out');
export const errStopped = (): KvError => new KvError(14, 'etcdserver: server stopped');
/** A command that does not decode or is malformed; every node rejects it the same way. */
export const errMalformedRequest = (detail: string): KvError => new KvError(3, `etcdserver: malformed request: ${detail}`);
