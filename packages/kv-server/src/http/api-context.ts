import type { RaftHandle } from '@raftkv/raft';
import type { FaultPlan, Logger } from '@raftkv/cnet';
import type { ClusterIdentity } from '../config/cluster-identity.js';
import type { KvBackend, Proposer } from '../proposals.js';
import type { ServerMetrics } from './metrics.js';
import { encodeHeader } from './kv-codec.js';
import type { JsonObject } from './proto-json.js';

/** Everything the HTTP handlers use of the node. */
export interface ApiContext {
  raft: RaftHandle;
  backend: KvBackend;
  proposer: Proposer;
  identity: ClusterIdentity;
  metrics: ServerMetrics;
  maxRequestBytes: number;
  logger: Logger;
  /** Present only with --enable-fault-injection: applies a cnet fault plan to this node's transport. */
  setFaultPlan?: (plan: FaultPlan | null) => void;
  /** Bytes the store takes on disk, for maintenance/status; 0 when unknown. */
  /** Bytes the MVCC store takes on disk (etcd's dbSize). */
  dbSizeBytes?: () => Promise<number>;
}

export const ETCD_SERVER_VERSION = '3.4.23';
export const ETCD_CLUSTER_VERSION = '3.4.0';

/** The header every response carries; `revision` defaults to the store's current one. */
export function headerOf(api: ApiContext, revision: number = api.backend.revision()): JsonObject {
  return encodeHeader({
    clusterId: api.identity.clusterId,
    memberId: api.identity.memberId,
    revision,
    raftTerm: api.raft.status().term,
  });
}
