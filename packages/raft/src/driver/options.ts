import type { Logger, Transport } from '@raftkv/cnet';
import type { CoreConfig } from '../core/api.js';
import type { NodeId } from '../core/messages.js';
import type { StateMachine } from '../node-api.js';
import type { RaftStorage } from '../storage/storage.js';

export interface RaftNodeOptions {
  id: NodeId;
  /** Peers of another cluster are refused (transport handshake and message tag). */
  clusterId: string;
  /** Every member, this node included: id → 'host:port'. */
  peers: Record<NodeId, string>;
  /** Where the default TcpTransport listens; defaults to peers[id]. */
  listen?: string;
  /** The log lives in a LevelDB at `${dataDir}/raft`. Give this or `storage`. */
  dataDir?: string;
  storage?: RaftStorage;
  /** Defaults to a TcpTransport; the node owns it (starts and closes it). */
  transport?: Transport;
  stateMachine: StateMachine;
  /** One tick; the leader heartbeats every tick. Default 100. */
  heartbeatMs?: number;
  /** Election timeout, randomized in [electionMs, 2*electionMs). Default 1000. */
  electionMs?: number;
  /**
   * Compact the log after this many entries applied since the last time (the state machine synced, a tail of up to
   * 5,000 entries kept). Default 10000.
   */
  snapshotCount?: number;
  /** Bound on readIndex(). Default max(5000, 3*electionMs). */
  readTimeoutMs?: number;
  /** Bound on transferLeadership(). Default 2*electionMs. */
  transferTimeoutMs?: number;
  /**
   * Leader: how long an Append carrying only a new commit index, one entry past what the follower was told, waits
   * for the next Append to carry it instead. Followers apply (and serve serializable reads and watches) up to this
   * much later at low load. Default 2.
   */
  commitNoticeDelayMs?: number;
  logger?: Logger;
  /** Seeds the core's election jitter. Default: random. */
  seed?: number;
  /** Passed to the core as is. */
  core?: Pick<CoreConfig, 'preVote' | 'checkQuorum' | 'maxInflightMessages' | 'maxInflightBytes' | 'maxMessageBytes' | 'snapshotChunkBytes'>;
}

export interface ResolvedTiming {
  heartbeatMs: number;
  electionMs: number;
  electionTicks: number;
  snapshotCount: number;
  readTimeoutMs: number;
  transferTimeoutMs: number;
  commitNoticeDelayMs: number;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`RaftNode: ${name} must be a positive integer, got ${value}`);
  return value;
}

/** Checks the options and fills in defaults; throws a clear error on anything unusable. */
export function resolveOptions(opts: RaftNodeOptions): ResolvedTiming {
  if (typeof opts.id !== 'string' || opts.id === '') throw new Error('RaftNode: id is required');
  if (typeof opts.clusterId !== 'string' || opts.clusterId === '') throw new Error('RaftNode: clusterId is required');
  if (!opts.peers || !(opts.id in opts.peers)) throw new Error(`RaftNode: peers must include this node (${opts.id})`);
  if ((opts.dataDir === undefined) === (opts.storage === undefined)) throw new Error('RaftNode: give exactly one of dataDir and storage');
  const heartbeatMs = positiveInt('heartbeatMs', opts.heartbeatMs ?? 100);
  const electionMs = positiveInt('electionMs', opts.electionMs ?? 1000);
  const electionTicks = Math.floor(electionMs / heartbeatMs);
  if (electionTicks < 2) throw new Error(`RaftNode: electionMs (${electionMs}) must be at least twice heartbeatMs (${heartbeatMs})`);
  return {
    heartbeatMs,
    electionMs,
    electionTicks,
    snapshotCount: positiveInt('snapshotCount', opts.snapshotCount ?? 10000),
    readTimeoutMs: positiveInt('readTimeoutMs', opts.readTimeoutMs ?? Math.max(5000, 3 * electionMs)),
    transferTimeoutMs: positiveInt('transferTimeoutMs', opts.transferTimeoutMs ?? 2 * electionMs),
    commitNoticeDelayMs: positiveInt('commitNoticeDelayMs', opts.commitNoticeDelayMs ?? 2),
  };
}
