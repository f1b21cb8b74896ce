import type { Snapshot } from '../core/messages.js';

/**
 * When to snapshot and how far to compact. A snapshot is taken every `count` applied entries, but the log
 * is compacted only to the *previous* snapshot, so at least `count` entries stay for slow followers to
 * catch up from the log rather than by a whole snapshot (etcd keeps a catch-up tail for the same reason).
 */
export class SnapshotPolicy {
  taken = 0;
  private pending: Snapshot | null = null;

  constructor(
    private readonly count: number,
    private lastIndex: number,
  ) {}

  due(applied: number): boolean {
    return applied - this.lastIndex >= this.count;
  }

  /** Records a snapshot just taken; returns the one to compact to now, if any. */
  took(snapshot: Snapshot): Snapshot | null {
    this.taken++;
    this.lastIndex = snapshot.meta.index;
    const previous = this.pending;
    this.pending = snapshot;
    return previous;
  }

  /** A leader's snapshot replaced the log: count from it, and forget ours (the log before it is gone). */
  installed(index: number): void {
    this.lastIndex = index;
    this.pending = null;
  }
}
