import { mkdir } from 'node:fs/promises';
import { Level } from 'level';
import type { Entry, HardState, Snapshot } from '../core/messages.js';
import type { PersistedState } from '../core/api.js';
import { CorruptStorageError } from './storage.js';
import type { RaftStorage, StorageIdentity } from './storage.js';
import { EMPTY_RANGE, planCompact, planSave } from './save-plan.js';
import type { StoredRange, WritePlan } from './save-plan.js';
import {
  ENTRY_KEYS_END,
  HARD_STATE_KEY,
  IDENTITY_KEY,
  SNAPSHOT_KEY,
  decodeEntryRecord,
  decodeHardStateRecord,
  decodeIdentityRecord,
  decodeSnapshotRecord,
  encodeEntryRecord,
  encodeHardStateRecord,
  encodeIdentityRecord,
  encodeSnapshotRecord,
  entryKey,
} from './records.js';

type Db = Level<Uint8Array, Uint8Array>;
type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

const EMPTY_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };
const SYNC = { sync: true } as const;

/**
 * The Raft log, hard state, snapshot and identity in one LevelDB. Every durable write is one synced
 * batch; writes are serialized so the in-memory view of the stored range always matches the disk.
 */
export class LevelRaftStorage implements RaftStorage {
  private range: StoredRange = EMPTY_RANGE;
  private snapshotIndex = 0;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: Db) {}

  static async open(location: string): Promise<LevelRaftStorage> {
    await mkdir(location, { recursive: true });
    const db: Db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const storage = new LevelRaftStorage(db);
    try {
      await storage.load();
    } catch (err) {
      await db.close();
      throw err;
    }
    return storage;
  }

  async load(): Promise<PersistedState> {
    const hsValue = await this.db.get(HARD_STATE_KEY);
    const hardState = hsValue === undefined ? { ...EMPTY_HARD_STATE } : decodeHardStateRecord(hsValue);
    const snapValue = await this.db.get(SNAPSHOT_KEY);
    const snapshot = snapValue === undefined ? null : decodeSnapshotRecord(snapValue);
    const snapshotIndex = snapshot?.meta.index ?? 0;
    const entries: Entry[] = [];
    for await (const [key, value] of this.db.iterator({ gte: entryKey(0), lt: ENTRY_KEYS_END })) {
      const e = decodeEntryRecord(key, value);
      const expected = entries.length === 0 ? snapshotIndex + 1 : entries[entries.length - 1]!.index + 1;
      if (e.index !== expected) {
        throw new CorruptStorageError(`log entry ${expected} is missing (next stored entry is ${e.index})`);
      }
      entries.push(e);
    }
    const lastIndex = entries.length > 0 ? entries[entries.length - 1]!.index : snapshotIndex;
    if (hardState.commit > lastIndex) {
      throw new CorruptStorageError(`commit index ${hardState.commit} is beyond the last stored index ${lastIndex}`);
    }
    this.snapshotIndex = snapshotIndex;
    this.range = { first: snapshotIndex + 1, last: lastIndex };
    return { hardState, snapshot, entries, applied: snapshotIndex };
  }

  save(update: { snapshot?: Snapshot; entries: Entry[]; hardState?: HardState }): Promise<void> {
    return this.serialized(async () => {
      const snap = update.snapshot;
      const termAtSnapshot = snap ? await this.termAt(snap.meta.index) : undefined;
      const plan = planSave(this.range, update, termAtSnapshot);
      const ops = this.deleteOps(plan);
      if (snap) ops.push({ type: 'put', key: SNAPSHOT_KEY, value: encodeSnapshotRecord(snap) });
      for (const e of update.entries) ops.push({ type: 'put', key: entryKey(e.index), value: encodeEntryRecord(e) });
      if (update.hardState) ops.push({ type: 'put', key: HARD_STATE_KEY, value: encodeHardStateRecord(update.hardState) });
      if (ops.length === 0) return;
      await this.db.batch(ops, SYNC);
      this.range = plan.range;
      if (snap) this.snapshotIndex = snap.meta.index;
    });
  }

  compact(snapshot: Snapshot): Promise<void> {
    return this.serialized(async () => {
      if (snapshot.meta.index <= this.snapshotIndex) return; // an older snapshot than the one stored
      const plan = planCompact(this.range, snapshot.meta.index);
      const ops = this.deleteOps(plan);
      ops.push({ type: 'put', key: SNAPSHOT_KEY, value: encodeSnapshotRecord(snapshot) });
      await this.db.batch(ops, SYNC);
      this.range = plan.range;
      this.snapshotIndex = snapshot.meta.index;
    });
  }

  async loadIdentity(): Promise<StorageIdentity | null> {
    const value = await this.db.get(IDENTITY_KEY);
    return value === undefined ? null : decodeIdentityRecord(value);
  }

  saveIdentity(identity: StorageIdentity): Promise<void> {
    return this.serialized(() => this.db.put(IDENTITY_KEY, encodeIdentityRecord(identity), SYNC));
  }

  async close(): Promise<void> {
    await this.writes.catch(() => undefined);
    await this.db.close();
  }

  /** The stored range of entry indexes, for tests and status. */
  storedRange(): StoredRange {
    return { ...this.range };
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
