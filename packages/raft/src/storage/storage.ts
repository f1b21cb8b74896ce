import type { ClusterConfig, Entry, HardState, NodeId, Snapshot, SnapshotMeta } from '../core/messages.js';
import type { PersistedState } from '../core/api.js';

/**
 * Durable Raft state. `save` is one synced write: when its promise resolves, everything in it
 * survives a crash; until then nothing that depends on it (a vote, an append acknowledgement) may happen.
 */
export interface RaftStorage {
  /** Reads back exactly what was persisted; throws CorruptStorageError on a bad record. */
  load(): Promise<PersistedState>;
  /**
   * Persist, in one synced batch: the snapshot (dropping log entries it covers), the entries (deleting any
   * stored entries at or after entries[0].index first: a conflict truncation), and the hard state.
   */
  save(update: { snapshot?: Snapshot; entries: Entry[]; hardState?: HardState }): Promise<void>;
  /**
   * The application made its state durable through at least meta.index: from now on the log starts after
   * meta.index. Records meta (one small synced write, replacing a stored snapshot and its data) and drops the
   * entries up to it. No-op when meta.index is not past the stored start. The new start is durable when the
   * promise resolves; a crash before all entries are dropped leaves some at or below it, which load() skips
   * and a later compaction deletes.
   */
  compact(meta: SnapshotMeta): Promise<void>;
  /**
   * The data of a snapshot installed from a leader (save() with a snapshot) while it is still where the log
   * starts; null once compact() moved the start (or when there never was one).
   */
  loadSnapshot(): Promise<Snapshot | null>;
  /** Who this store belongs to (written once when a node first starts); null for a new store. */
  loadIdentity?(): Promise<StorageIdentity | null>;
  saveIdentity?(identity: StorageIdentity): Promise<void>;
  close(): Promise<void>;
}

/** Kept so a restart neither joins another cluster by mistake nor depends on the flags for membership. */
export interface StorageIdentity {
  clusterId: string;
  nodeId: NodeId;
  /** The configuration the node was bootstrapped with. */
  config: ClusterConfig;
}

export class CorruptStorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptStorageError';
  }
}
