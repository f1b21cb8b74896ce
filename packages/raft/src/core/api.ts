import type { ClusterConfig, EarlyOutput, Entry, HardState, NodeId, RaftMessage, Ready, Role, Snapshot, SnapshotMeta } from './messages.js';

export interface CoreConfig {
  id: NodeId;
  /** Used only when the persisted state holds no configuration (a new cluster). */
  initialConfig: ClusterConfig;
  /** Ticks without a valid leader message before campaigning: randomized in [electionTicks, 2*electionTicks). */
  electionTicks: number;
  heartbeatTicks: number;
  /** Seeded source in [0, 1): the only randomness the core has. */
  random: () => number;
  preVote?: boolean; // default true
  checkQuorum?: boolean; // default true
  /** Max AppendEntries in flight per follower. */
  maxInflightMessages?: number;
  /** Max bytes of entry data in flight (sent, unacknowledged) per follower. */
  maxInflightBytes?: number;
  /** Max bytes of entries in one AppendEntries. */
  maxMessageBytes?: number;
  /** Snapshot chunk size for InstallSnapshot. */
  snapshotChunkBytes?: number;
}

/** What was durable at start: the core is rebuilt from exactly this. */
export interface PersistedState {
  hardState: HardState;
  /**
   * Where the log starts: entries up to snapshot.index were compacted away (their effects are in the
   * application's durable state, or in a stored snapshot it restored first). null: the log starts at 1.
   */
  snapshot: SnapshotMeta | null;
  /** Entries after the snapshot, in index order. */
  entries: Entry[];
  /** Index the application has already applied, ≥ snapshot.index (committed entries up to it are not handed out again). */
  applied: number;
}

export interface CoreStatus {
  id: NodeId;
  role: Role;
  term: number;
  leader: NodeId | null;
  vote: NodeId | null;
  commitIndex: number;
  appliedIndex: number;
  firstIndex: number;
  lastIndex: number;
  config: ClusterConfig;
}

/** The pure Raft state machine: no timers, sockets, disk, clock or randomness of its own. */
export interface RaftCore {
  tick(): void;
  step(msg: RaftMessage): void;
  /** Appends on the leader, forwards on a follower; returns false when there is no leader to take it. */
  propose(data: Uint8Array): boolean;
  /** Requests a linearizable read index; the answer comes back as a ReadState with the same context. */
  readIndex(context: Uint8Array): boolean;
  transferLeadership(to: NodeId): void;
  /** Start an election now (tests, and TimeoutNow). */
  campaign(): void;
  /**
   * The transport found nothing listening at `peer`'s address: its process is gone. A follower whose leader that
   * is stops counting on it (no leader, lease over) and campaigns after the random part of its election timeout
   * instead of the whole timeout. Only timing depends on it, never safety; a message from a live leader undoes it.
   */
  peerUnreachable(peer: NodeId): void;
  /**
   * The application's state is durable through at least `index` (≤ applied): drop the log up to it. Returns where
   * the log now starts (for storage.compact), or null when it already started there or later. No data is needed:
   * a follower that falls behind the new start is sent a snapshot the core asks for (Ready.snapshotWanted).
   */
  compact(index: number): SnapshotMeta | null;
  /**
   * The answer to Ready.snapshotWanted: the application's state at `snapshot.meta.index` (≤ applied, ≥ the log's
   * start), for followers that need entries the log no longer has. Ignored when it cannot serve (too old, not leading).
   */
  offerSnapshot(snapshot: Snapshot): void;
  /** Whether ready() has work; false while a Ready is handed out and not yet advanced. */
  hasReady(): boolean;
  /** Hands out the next batch (see Ready for the order the driver must follow); throws if one is outstanding. */
  ready(): Ready;
  /** The driver finished the Ready (persisted, sent, applied): pass the very object ready() returned. */
  advance(ready: Ready): void;
  /**
   * While the outstanding Ready is being persisted, what may already go out (see EarlyOutput); the rest waits for
   * the next Ready. Empty when no Ready is outstanding or it installs a snapshot.
   */
  takeEarly(): EarlyOutput;
  /** The last index of the log as it is now that is durable (persisted through advance()). */
  durableIndex(): number;
  status(): CoreStatus;
}
