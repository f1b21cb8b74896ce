import type { Entry, HardState, Snapshot, SnapshotMeta } from '../core/messages.js';
import type { PersistedState } from '../core/api.js';
import type { RaftStorage, StorageIdentity } from './storage.js';
import { EMPTY_RANGE, planCompact, planSave } from './save-plan.js';
import type { StoredRange, WritePlan } from './save-plan.js';

/**
 * RaftStorage in memory, with the same write semantics as LevelRaftStorage (both follow save-plan.ts).
 * `close` keeps the data, so a test can restart a node on the same instance; `failWrites` makes every
 * later write reject, to test that a node never acknowledges what was not stored.
 */
export class MemoryRaftStorage implements RaftStorage {
  private hardState: HardState = { term: 0, vote: null, commit: 0 };
  /** Where the log starts (null: at 1). */
  private start: SnapshotMeta | null = null;
  /** The data of an installed snapshot while it is the start; compact() drops it, as LevelRaftStorage does. */
  private snapshot: Snapshot | null = null;
  private readonly entries = new Map<number, Entry>();
  private range: StoredRange = EMPTY_RANGE;
  private identity: StorageIdentity | null = null;
  private writeError: Error | null = null;
  /** How many save/compact calls wrote something (group commit is visible in this count). */
  writeCount = 0;

  async load(): Promise<PersistedState> {
    const entries: Entry[] = [];
    for (let i = this.range.first; i <= this.range.last; i++) entries.push(this.entries.get(i)!);
    return {
      hardState: { ...this.hardState },
      snapshot: this.start,
      entries,
      applied: this.start?.index ?? 0,
    };
  }

  async save(update: { snapshot?: Snapshot; entries: Entry[]; hardState?: HardState }): Promise<void> {
    this.checkWritable();
    const snap = update.snapshot;
    const plan = planSave(this.range, update, snap ? this.entries.get(snap.meta.index)?.term : undefined);
    if (!snap && update.entries.length === 0 && !update.hardState) return;
    this.apply(plan);
    if (snap) {
      this.start = snap.meta;
      this.snapshot = snap;
    }
    for (const e of update.entries) this.entries.set(e.index, e);
    if (update.hardState) this.hardState = { ...update.hardState };
  }

  async compact(meta: SnapshotMeta): Promise<void> {
    this.checkWritable();
    if (meta.index <= (this.start?.index ?? 0)) return;
    this.apply(planCompact(this.range, meta.index));
    this.start = meta;
    this.snapshot = null;
  }

  async loadSnapshot(): Promise<Snapshot | null> {
    return this.snapshot;
  }

  async loadIdentity(): Promise<StorageIdentity | null> {
    return this.identity;
  }

  async saveIdentity(identity: StorageIdentity): Promise<void> {
    this.checkWritable();
    this.identity = identity;
  }

  async close(): Promise<void> {}

  failWrites(error: Error | null): void {
    this.writeError = error;
  }

  private checkWritable(): void {
    if (this.writeError) throw this.writeError;
  }

  private apply(plan: WritePlan): void {
    for (const [from, to] of plan.deletes) {
      for (let i = from; i <= to; i++) this.entries.delete(i);
    }
    this.range = plan.range;
    this.writeCount++;
  }
}
