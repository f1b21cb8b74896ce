import { Role, type RaftHandle } from '@raftkv/raft';
import type { Logger } from '@raftkv/cnet';
import type { LeaseChange, LeaseTable } from './lease-table.js';

/** What the lessor follows of the state machine: the lease table and its applied lease changes. */
export interface LeaseSource {
  leases(): LeaseTable;
  on(event: 'leases', listener: (changes: LeaseChange[]) => void): unknown;
  on(event: 'restored', listener: () => void): unknown;
  off(event: 'leases', listener: (changes: LeaseChange[]) => void): unknown;
  off(event: 'restored', listener: () => void): unknown;
}

export interface LessorOptions {
  /** Proposes the revoke of an expired lease through Raft (resolves once applied; may fail and is retried). */
  revoke: (id: number) => Promise<unknown>;
  /** How often the leader looks for expired leases. */
  checkIntervalMs?: number;
  now?: () => number;
  logger?: Logger;
}

/**
 * The clock side of leases (etcd's lessor), outside the deterministic apply loop. Every node tracks an expiry per
 * lease, set when it applies the grant or a keepalive; only the leader acts on it, by proposing a revoke, so
 * every node deletes the lease's keys in the same revision. A node that becomes leader first treats every lease
 * as just renewed (etcd's Promote), so a leader change never expires a live lease early.
 */
export class Lessor {
  private readonly expiry = new Map<number, number>();
  private readonly revoking = new Set<number>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private stopped = false;
  private readonly onLeases = (changes: LeaseChange[]) => {
    for (const c of changes) {
      if (c.kind === 'revoked') this.expiry.delete(c.id);
      else this.expiry.set(c.id, this.now() + c.ttl * 1000);
    }
  };
  private readonly onRestored = () => this.refreshAll();
  private readonly onRole = (role: Role) => {
    if (role === Role.Leader) this.refreshAll();
  };

  constructor(
    private readonly source: LeaseSource,
    private readonly raft: RaftHandle,
    private readonly options: LessorOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.refreshAll();
    source.on('leases', this.onLeases);
    source.on('restored', this.onRestored);
    raft.on('role', this.onRole);
    this.timer = setInterval(() => this.revokeExpired(), options.checkIntervalMs ?? 100);
    this.timer.unref();
  }

  /** Seconds left before the lease expires, as this node knows it (etcd truncates to whole seconds); -1 if unknown. */
  remainingSeconds(id: number): number {
    const at = this.expiry.get(id);
    if (at === undefined) return -1;
    return Math.max(0, Math.floor((at - this.now()) / 1000));
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.source.off('leases', this.onLeases);
    this.source.off('restored', this.onRestored);
    this.raft.off('role', this.onRole);
  }

  /** Every lease expires one full TTL from now (at start, after a snapshot, on becoming leader). */
  private refreshAll(): void {
    this.expiry.clear();
    const now = this.now();
    for (const l of this.source.leases().list()) this.expiry.set(l.id, now + l.ttl * 1000);
  }

  /** On the leader: proposes a revoke for each expired lease, one at a time per lease. */
  private revokeExpired(): void {
    if (this.stopped || this.raft.status().role !== Role.Leader) return;
    const now = this.now();
    for (const [id, at] of this.expiry) {
      if (at > now || this.revoking.has(id)) continue;
      this.revoking.add(id);
      this.options
        .revoke(id)
        .catch((err: unknown) => this.options.logger?.debug({ id, err: String(err) }, 'lease revoke failed; will retry'))
        .finally(() => this.revoking.delete(id));
    }
  }
}
