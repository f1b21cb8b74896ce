import type { HardState } from '../core/messages.js';

/**
 * Whether a Ready needs a synced write, and with which hard state. Like etcd's MustSync: new entries, a
 * snapshot, or a new term or vote must be durable before anything acts on them; a change of the commit index
 * alone need not be (a restarted node learns it again from the leader, and the state machine's applied index
 * counts as committed at start), so it is held back and written with the next write instead of costing an fsync.
 */
export class HardStatePlan {
  private durable: HardState;
  private deferred: HardState | null = null;

  constructor(persisted: HardState) {
    this.durable = { ...persisted };
  }

  /** null: nothing to write now. Otherwise the write to make, with the newest hard state not yet written. */
  plan(rd: { hardState?: HardState; entries: readonly unknown[]; snapshot?: unknown }): { hardState?: HardState } | null {
    const hs = rd.hardState;
    const termOrVote = hs !== undefined && (hs.term !== this.durable.term || hs.vote !== this.durable.vote);
    if (rd.entries.length === 0 && rd.snapshot === undefined && !termOrVote) {
      if (hs) this.deferred = hs;
      return null;
    }
    const latest = hs ?? this.deferred;
    return latest ? { hardState: latest } : {};
  }

  /** The planned write is durable (one write at a time: nothing was deferred meanwhile). */
  written(hardState: HardState | undefined): void {
    if (hardState) this.durable = { ...hardState };
    this.deferred = null;
  }

  /** A commit index not written yet (flushed at a clean stop), or null. */
  pending(): HardState | null {
    return this.deferred;
  }
}
