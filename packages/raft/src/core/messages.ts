/** Node ids are the member names from --initial-cluster (n1, n2, …). */
export type NodeId = string;

export enum EntryType {
  /** Application command (may be empty: a new leader's no-op). */
  Normal = 0,
  /** Cluster configuration change (data = encoded ClusterConfig). */
  Config = 1,
}

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

/** What must be durable before a vote or an append is acknowledged. */
export interface HardState {
  term: number;
  vote: NodeId | null;
  commit: number;
}

/** Static in this version, but kept as data so membership changes can follow. */
export interface ClusterConfig {
  readonly voters: readonly NodeId[];
}

export interface SnapshotMeta {
  index: number;
  term: number;
  config: ClusterConfig;
}

export interface Snapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

export enum MessageType {
  Vote = 1,
  VoteResponse = 2,
  PreVote = 3,
  PreVoteResponse = 4,
  Append = 5,
  AppendResponse = 6,
  Heartbeat = 7,
  HeartbeatResponse = 8,
  /** One chunk of a snapshot (InstallSnapshot). */
  Snapshot = 9,
  SnapshotResponse = 10,
  /** A follower hands proposals to the leader. */
  Propose = 11,
  /** A follower asks the leader for a read index. */
  ReadIndex = 12,
  ReadIndexResponse = 13,
  /** Leadership transfer: the target campaigns at once. */
  TimeoutNow = 14,
}

/**
 * One message type for all RPCs, as etcd's raftpb does: unused fields stay at their zero value.
 * The field meanings per type are documented where each role handles them.
 */
export interface RaftMessage {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  /** Append: term of the entry at `index` (prevLogTerm). Vote: candidate's last log term. */
  logTerm: number;
  /** Append: prevLogIndex. Vote: candidate's last log index. Responses: the matched/last index. */
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  /** AppendResponse reject: follower's hint for fast backtracking (conflict index). */
  rejectHint: number;
  /** AppendResponse reject: term of the follower's entry at rejectHint (0 when its log is empty there). */
  conflictTerm: number;
  /** ReadIndex / Heartbeat context that ties responses to pending reads. */
  context: Uint8Array;
  /**
   * Append without entries to a follower the leader knows matches up to `index`: it carries only a new commit
   * index, and accepting it needs no AppendResponse (the answer would tell the leader nothing it does not know).
   */
  commitOnly?: boolean;
  /** Snapshot chunks: the snapshot's meta, the chunk's byte offset, the chunk, and whether it is the last one. */
  snapshotMeta?: SnapshotMeta;
  snapshotOffset?: number;
  snapshotData?: Uint8Array;
  snapshotDone?: boolean;
}

export interface ReadState {
  /** The commit index to wait for (apply ≥ index) before serving the read. */
  index: number;
  /** The context the read was requested with. */
  context: Uint8Array;
}

export enum Role {
  Follower = 'follower',
  PreCandidate = 'pre-candidate',
  Candidate = 'candidate',
  Leader = 'leader',
}

export interface SoftState {
  leader: NodeId | null;
  role: Role;
}

/**
 * What may leave while the outstanding Ready is being persisted (RaftCore.takeEarly): entries committed since it
 * was made, which the application may apply before this node's own copy is durable (they are durable on a quorum:
 * Raft thesis §10.2.1; etcd applies committed entries from its unstable log too), and, from a leader with nothing
 * newer to replicate, Appends telling followers a commit index they have not heard (its own copy counts toward a
 * quorum only once durable, so these never wait for its disk), and, from a follower, the proposals and reads it
 * forwards to the leader (they promise nothing about what it stores). The
 * application must not make its state durable beyond RaftCore.durableIndex(): a restart replays the log from it.
 */
export interface EarlyOutput {
  committedEntries: Entry[];
  messages: RaftMessage[];
}

/**
 * A batch of work handed out by the core. The driver must, in order:
 * 1. persist `snapshot` (if any: it replaces the whole stored log), then `entries` (replacing any stored suffix from entries[0].index),
 *    then `hardState` (if any), in one synced write;
 * 2. send `messages` (they may depend on 1);
 * 3. apply `committedEntries` and serve `readStates` once applied ≥ their index;
 * 4. call `advance(ready)`.
 * Without a snapshot, `committedEntries` may instead be applied while step 1 runs (they are committed: durable on a
 * quorum), and so may what takeEarly() hands out meanwhile; the application's durable state then waits for the log
 * (durableIndex()).
 * When `snapshotWanted` is set, the driver snapshots the applied state (in the background) and hands it to offerSnapshot().
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
  messages: RaftMessage[];
  committedEntries: Entry[];
  readStates: ReadState[];
  /** A follower needs entries the log compacted away, and the core holds no snapshot to send: make one. */
  snapshotWanted?: boolean;
}
