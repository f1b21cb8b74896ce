import type { Entry, NodeId, Role, Snapshot } from './core/messages.js';

/** The application's side of the driver: it applies committed entries, makes them durable, takes and restores snapshots. */
export interface StateMachine {
  /**
   * At start, the index of the last entry whose effects are stored; later, of the last entry applied, whose effects
   * may still be on their way to disk (sync() makes them durable).
   */
  appliedIndex(): number;
  /**
   * Applies committed entries in index order (Normal entries with empty data are a leader's no-op;
   * Config entries carry membership). Must persist the applied index in the same batch as the effects.
   * Committed entries come as soon as they are known committed, which can be before this node's own copy of them
   * is durable: their effects may be served at once, but must not reach the disk before `logDurable` resolves
   * true (resolved false: the node stopped first, and they must not be written; a restart replays them).
   */
  apply(entries: Entry[], logDurable?: Promise<boolean>): Promise<void>;
  /**
   * Makes the effects of every apply() that has resolved durable against a power loss, not only a process crash:
   * the log up to them may then be dropped (log compaction, every snapshotCount entries).
   */
  sync(): Promise<void>;
  /**
   * Serializes the state as of appliedIndex() at the call, for a follower that needs entries the log no longer
   * has: the state must be fixed then, since the next apply() may be called before the returned promise settles.
   */
  takeSnapshot(): Promise<Uint8Array>;
  /** Replaces the whole state with a snapshot's (received from the leader). */
  restoreSnapshot(snapshot: Snapshot): Promise<void>;
}

export interface RaftStatus {
  id: NodeId;
  role: Role;
  term: number;
  leader: NodeId | null;
  commitIndex: number;
  appliedIndex: number;
  firstIndex: number;
  lastIndex: number;
  snapshotIndex: number;
  snapshotsTaken: number;
}

export interface RaftNodeEvents {
  role: (role: Role) => void;
  leader: (leader: NodeId | null, term: number) => void;
  term: (term: number) => void;
  applied: (index: number) => void;
  /**
   * A synced write of the log (entries, hard state or a leader's snapshot) is durable: how long it took from the
   * call to the storage to its completion, in seconds, thread hand-offs included (etcd's WAL fsync histogram
   * measures the fsync alone).
   */
  logSaved: (seconds: number) => void;
}

export class NoLeaderError extends Error {
  constructor() {
    super('no leader');
    this.name = 'NoLeaderError';
  }
}

export class NodeStoppedError extends Error {
  constructor() {
    super('raft node stopped');
    this.name = 'NodeStoppedError';
  }
}

/** What an application holds of a running node (RaftNode implements it; tests may fake it). */
export interface RaftHandle {
  readonly id: NodeId;
  /** Hands data to the leader (forwarding from a follower); throws NoLeaderError when none is known. */
  propose(data: Uint8Array): void;
  /** Resolves with a read index once this node has applied up to it (ReadIndex, batched). */
  readIndex(): Promise<number>;
  /** Hands leadership to `to`, or to the most caught-up follower; resolves true once it moved. */
  transferLeadership(to?: NodeId): Promise<boolean>;
  status(): RaftStatus;
  on<E extends keyof RaftNodeEvents>(event: E, listener: RaftNodeEvents[E]): this;
  off<E extends keyof RaftNodeEvents>(event: E, listener: RaftNodeEvents[E]): this;
  /** Graceful stop: transfer leadership if leading, flush, close transport and storage. */
  stop(): Promise<void>;
}
