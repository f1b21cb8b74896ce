export * from './mvcc/types.js';
export * from './ctl/index.js';
export { MvccStore } from './mvcc/store.js';
export * from './mvcc/errors.js';
export {
  DEFAULT_MAX_TXN_OPS,
  isTxnReadOnly,
  validateCompaction,
  validateDeleteRange,
  validatePut,
  validateRange,
  validateTxn,
} from './mvcc/validate.js';
export { openKvDb, type KvDb } from './mvcc/db.js';
export { KvStateMachine, type KvStateMachineOptions, type KvStateMachineEvents } from './apply/state-machine.js';
export { encodeCommand, decodeCommand, encodeResult, decodeResult } from './apply/command-codec.js';
export { DEFAULT_DEDUP_LIMITS, type DedupLimits } from './apply/dedup.js';
export { startServer, type ServerHandle } from './server.js';
export * from './http/request-trace.js';
export { parseFlags, FlagError } from './config/flags.js';
export type { ServerConfig } from './config/server-config.js';
export { computeMemberId, computeClusterId } from './config/cluster-identity.js';
export type { ChangeEvent } from './mvcc/store.js';
export { WatchHub, type WatchRequest, type WatchUpdate, type WatchSink, type WatchHandle, type WatchFilter } from './watch/watch-hub.js';
export { LeaseTable, type Lease, type LeaseChange } from './lease/lease-table.js';
export { Lessor } from './lease/lessor.js';
export { LeaseService, MAX_LEASE_TTL, minLeaseTtlSeconds } from './lease/lease-service.js';
