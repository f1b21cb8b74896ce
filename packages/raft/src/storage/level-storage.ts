import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import type { Entry, HardState, Snapshot, SnapshotMeta } from '../core/messages.js';
import { packEntryData } from '../codec/message-codec.js';
import type { PersistedState } from '../core/api.js';
import { CorruptStorageError } from './storage.js';
import { writeLevelBatch } from './level-batch.js';
import { readAhead } from './level-scan.js';
import type { RaftStorage, StorageIdentity } from './storage.js';
import { EMPTY_RANGE, planCompact, planSave } from './save-plan.js';
import type { StoredRange, WritePlan } from './save-plan.js';
import {
  ENTRY_KEYS_END,
  HARD_STATE_KEY,
  IDENTITY_KEY,
  LOG_START_KEY,
  SNAPSHOT_KEY,
  SNAPSHOT_REF_KEY,
  decodeEntryRecord,
  decodeEntryRecordView,
  decodeHardStateRecord,
  decodeIdentityRecord,
  decodeLogStartRecord,
  decodeSnapshotRecord,
  decodeSnapshotRefRecord,
  encodeEntryRecord,
  encodeHardStateRecord,
  encodeIdentityRecord,
  encodeLogStartRecord,
  encodeSnapshotRefRecord,
  entryKey,
} from './records.js';
import { SnapshotFiles } from './snapshot-files.js';
import type { SnapshotFileRef } from './snapshot-files.js';

type Db = Level<Uint8Array, Uint8Array>;
type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

const EMPTY_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };
const SYNC = { sync: true } as const;
/** Entries deleted per write when a compaction drops the log before its new start. */
const DELETE_CHUNK = 5000;
/**
 * Entries per native read when the log loads, and the bytes one read may hold: an entry-by-entry iterator
 * (16 KiB per read by default) made a promise per entry, and a load of 100,000 entries took over a second.
 */
const LOAD_BATCH_ENTRIES = 1000;
const LOAD_BATCH_BYTES = 1 << 20;

/**
 * Names an installed snapshot's file as the log's start. The other records that could say where the log starts go
 * in the same batch, so exactly one ever does.
 */
function snapshotRefOps(snapshot: Snapshot, file: SnapshotFileRef): BatchOp[] {
  return [
    { type: 'put', key: SNAPSHOT_REF_KEY, value: encodeSnapshotRefRecord(snapshot.meta, file) },
    { type: 'del', key: LOG_START_KEY },
    { type: 'del', key: SNAPSHOT_KEY },
  ];
}

/** Moves the log's start to `meta`, replacing an installed snapshot (or an inline one of an older version). */
function logStartOps(meta: SnapshotMeta): BatchOp[] {
  return [
    { type: 'put', key: LOG_START_KEY, value: encodeLogStartRecord(meta) },
    { type: 'del', key: SNAPSHOT_REF_KEY },
    { type: 'del', key: SNAPSHOT_KEY },
  ];
}

/** Where the stored log starts, and the file holding the data when that start is an installed snapshot. */
interface LogStart {
  meta: SnapshotMeta;
  file: string | null;
}

/** The smallest range holding both `range` and [from, to]. */
function coverRange(range: StoredRange, from: number, to: number): StoredRange {
  if (range.last < range.first) return { first: from, last: to };
  return { first: Math.min(range.first, from), last: Math.max(range.last, to) };
}

/**
 * The Raft log, hard state, log start and identity in one LevelDB. The log's start is a small record: compact()
 * writes only the meta (the application's own durable state holds the data, as in etcd), so a start never reads a
 * snapshot. Only a snapshot installed from a leader keeps its data, in a file beside the log (`<location>/snapshots`)
 * named by a reference record, until the next compact() replaces it. Every durable write is one synced batch; writes
 * are serialized so the in-memory view of the stored range always matches the disk.
 */
export class LevelRaftStorage implements RaftStorage {
  /** The live entries: [startIndex + 1, last]. */
  private range: StoredRange = EMPTY_RANGE;
  /** The index the log starts after (0: at 1). */
  private startIndex = 0;
  /** Entries at or below the start that may still be on disk (a compaction deletes them in chunks). */
  private stale: StoredRange = EMPTY_RANGE;
  private writes: Promise<unknown> = Promise.resolve();
  /** What open() read, handed to the first load() unless a write came first: the log is read once per start. */
  private preloaded: PersistedState | null = null;
  private closing = false;
  /** Compactions under way: close() lets each finish its current step. */
  private readonly compactions = new Set<Promise<void>>();
  /** The snapshot file the reference record names (null: no reference record). */
  private snapshotFile: string | null = null;

  private constructor(
    private readonly db: Db,
    private readonly files: SnapshotFiles,
  ) {}

  static async open(location: string): Promise<LevelRaftStorage> {
    await mkdir(location, { recursive: true });
    // LevelDB leaves alone the names in its directory that are not its own.
    const files = await SnapshotFiles.open(join(location, 'snapshots'));
    const db: Db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const storage = new LevelRaftStorage(db, files);
    try {
      storage.preloaded = await storage.load();
    } catch (err) {
      await db.close();
      throw err;
    }
    return storage;
  }

  async load(): Promise<PersistedState> {
    const preloaded = this.preloaded;
    this.preloaded = null;
    if (preloaded) return preloaded;
    const hsValue = await this.db.get(HARD_STATE_KEY);
    const hardState = hsValue === undefined ? { ...EMPTY_HARD_STATE } : decodeHardStateRecord(hsValue);
    const start = await this.readStart();
    const startIndex = start?.meta.index ?? 0;
    const entries: Entry[] = [];
    let stale: StoredRange = EMPTY_RANGE;
    const it = this.db.iterator({ gte: entryKey(0), lt: ENTRY_KEYS_END, highWaterMarkBytes: LOAD_BATCH_BYTES } as {
      gte: Uint8Array;
      lt: Uint8Array;
    });
    for await (const batch of readAhead(it, LOAD_BATCH_ENTRIES)) {
      const loaded: Entry[] = [];
      for (const [key, value] of batch) {
        const e = decodeEntryRecordView(key, value);
        if (e.index <= startIndex) {
          // Left by a compaction cut short (a crash between the start record and its deletes): before the start.
          stale = { first: stale.last < stale.first ? e.index : stale.first, last: e.index };
          continue;
        }
        const last = loaded.length > 0 ? loaded[loaded.length - 1] : entries[entries.length - 1];
        const expected = last === undefined ? startIndex + 1 : last.index + 1;
        if (e.index !== expected) {
          throw new CorruptStorageError(`log entry ${expected} is missing (next stored entry is ${e.index})`);
        }
        loaded.push(e);
      }
      // The log keeps these for a while: one allocation per batch, not one per entry (nor the read's buffers).
      packEntryData(loaded);
      for (const e of loaded) entries.push(e);
    }
    const lastIndex = entries.length > 0 ? entries[entries.length - 1]!.index : startIndex;
    if (hardState.commit > lastIndex) {
      throw new CorruptStorageError(`commit index ${hardState.commit} is beyond the last stored index ${lastIndex}`);
    }
    this.startIndex = startIndex;
    this.snapshotFile = start?.file ?? null;
    this.range = { first: startIndex + 1, last: lastIndex };
    this.stale = stale;
    return { hardState, snapshot: start?.meta ?? null, entries, applied: startIndex };
  }

  /** Reads the one record saying where the log starts; the data of an installed snapshot stays unread. */
  private async readStart(): Promise<LogStart | null> {
    const [logStart, ref, inline] = await this.db.getMany([LOG_START_KEY, SNAPSHOT_REF_KEY, SNAPSHOT_KEY]);
    if ([logStart, ref, inline].filter((v) => v !== undefined).length > 1) {
      throw new CorruptStorageError('more than one record says where the log starts');
    }
    if (logStart !== undefined) return { meta: decodeLogStartRecord(logStart), file: null };
    if (ref !== undefined) {
      const decoded = decodeSnapshotRefRecord(ref);
      return { meta: decoded.meta, file: decoded.ref.file };
    }
    if (inline !== undefined) return { meta: decodeSnapshotRecord(inline).meta, file: null };
    return null;
  }

  save(update: { snapshot?: Snapshot; entries: Entry[]; hardState?: HardState }): Promise<void> {
    this.preloaded = null;
    return this.serialized(async () => {
      const snap = update.snapshot;
      const termAtSnapshot = snap ? await this.termAt(snap.meta.index) : undefined;
      const plan = planSave(this.range, update, termAtSnapshot);
      const ops = this.deleteOps(plan);
      // A leader's snapshot is rare: its file is written inside this step, before the batch that names it.
      const file = snap ? await this.files.write(snap.meta.index, snap.meta.term, snap.data) : undefined;
      try {
        if (snap && file) ops.push(...snapshotRefOps(snap, file));
        for (const e of update.entries) ops.push({ type: 'put', key: entryKey(e.index), value: encodeEntryRecord(e) });
        if (update.hardState) ops.push({ type: 'put', key: HARD_STATE_KEY, value: encodeHardStateRecord(update.hardState) });
        if (ops.length === 0) return;
        await writeLevelBatch(this.db, ops, SYNC);
        this.range = plan.range;
        if (snap && file) {
          this.startIndex = snap.meta.index;
          this.snapshotFile = file.file;
        }
      } finally {
        if (file) this.files.unpin(file.file);
      }
      if (file) await this.files.removeUnused(() => this.snapshotFile);
    });
  }

  /**
   * The log start record goes first, alone, small and synced; the entries before it are deleted afterwards a chunk at
   * a time, each its own write, so the saves of the Ready loop are never stuck behind one huge batch.
   */
  compact(meta: SnapshotMeta): Promise<void> {
    this.preloaded = null;
    const run = this.compactNow(meta);
    this.compactions.add(run);
    void run.catch(() => undefined).finally(() => this.compactions.delete(run));
    return run;
  }

  private async compactNow(meta: SnapshotMeta): Promise<void> {
    const stored = await this.serialized(async () => {
      // Not past the stored start (an older compaction, or a leader's snapshot got there first), or closing.
      if (this.closing || meta.index <= this.startIndex) return false;
      await writeLevelBatch(this.db, logStartOps(meta), SYNC);
      this.snapshotFile = null;
      const plan = planCompact(this.range, meta.index);
      for (const [from, to] of plan.deletes) this.stale = coverRange(this.stale, from, to);
      this.range = plan.range;
      this.startIndex = meta.index;
      return true;
    });
    if (!stored || this.closing) return;
    // The installed snapshot's file (if the start was one) is named no more.
    await this.files.removeUnused(() => this.snapshotFile);
    await this.deleteStaleEntries();
  }

  /** The data only when the start is an installed snapshot (or an inline one of an older version); else null. */
  async loadSnapshot(): Promise<Snapshot | null> {
    for (let attempt = 1; ; attempt++) {
      const refValue = await this.db.get(SNAPSHOT_REF_KEY);
      if (refValue === undefined) break;
      const { meta, ref } = decodeSnapshotRefRecord(refValue);
      try {
        return { meta, data: await this.files.read(ref) };
      } catch (err) {
        // A newer snapshot or a compaction may have replaced this one (and removed its file) while it was read.
        if (attempt >= 2 || this.snapshotFile === ref.file) throw err;
      }
    }
    const value = await this.db.get(SNAPSHOT_KEY);
    return value === undefined ? null : decodeSnapshotRecord(value);
  }

  async loadIdentity(): Promise<StorageIdentity | null> {
    const value = await this.db.get(IDENTITY_KEY);
    return value === undefined ? null : decodeIdentityRecord(value);
  }

  saveIdentity(identity: StorageIdentity): Promise<void> {
    return this.serialized(() => this.db.put(IDENTITY_KEY, encodeIdentityRecord(identity), SYNC));
  }

  /** Waits for the write in progress; a compaction stops after its current step (load() copes with what it leaves). */
  async close(): Promise<void> {
    this.closing = true;
    this.preloaded = null;
    await Promise.allSettled([...this.compactions]);
    await this.writes.catch(() => undefined);
    await this.db.close();
  }

  /** The stored range of entry indexes, for tests and status. */
  storedRange(): StoredRange {
    return { ...this.range };
  }

  /** Entries at or below the start possibly still on disk (empty when last < first), for tests. */
  staleRange(): StoredRange {
    return { ...this.stale };
  }

  /** Deletes the stale entries DELETE_CHUNK at a time (unsynced: one reappearing after a crash is skipped by load). */
  private async deleteStaleEntries(): Promise<void> {
    for (;;) {
      if (this.closing) return;
      const more = await this.serialized(async () => {
        const { first, last } = this.stale;
        if (last < first || this.closing) return false;
        const to = Math.min(last, first + DELETE_CHUNK - 1);
        const ops: BatchOp[] = [];
        for (let i = first; i <= to; i++) ops.push({ type: 'del', key: entryKey(i) });
        await writeLevelBatch(this.db, ops);
        this.stale = to === last ? EMPTY_RANGE : { first: to + 1, last };
        return to < last;
      });
      if (!more) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async termAt(index: number): Promise<number | undefined> {
    if (index < this.range.first || index > this.range.last) return undefined;
    const key = entryKey(index);
    const value = await this.db.get(key);
    return value === undefined ? undefined : decodeEntryRecord(key, value).term;
  }

  private deleteOps(plan: WritePlan): BatchOp[] {
    const ops: BatchOp[] = [];
    for (const [from, to] of plan.deletes) {
      for (let i = from; i <= to; i++) ops.push({ type: 'del', key: entryKey(i) });
    }
    return ops;
  }

  /** One write at a time, in call order; a failed write does not block later ones. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }
}
