import { randomBytes } from 'node:crypto';
import { KvError, type LeaseResponse } from '../mvcc/types.js';
import type { Proposer } from '../proposals.js';
import type { LeaseTable } from './lease-table.js';
import type { Lessor } from './lessor.js';

/** etcd's MaxLeaseTTL (seconds). */
export const MAX_LEASE_TTL = 9_000_000_000;

/** etcd's minimum lease TTL: 1.5 election timeouts, in whole seconds rounded up. */
export function minLeaseTtlSeconds(electionTimeoutMs: number): number {
  return Math.max(1, Math.ceil((1.5 * electionTimeoutMs) / 1000));
}

export interface LeaseTimeToLive {
  revision: number;
  id: number;
  /** Seconds left; -1 when the lease does not exist. */
  ttl: number;
  grantedTtl: number;
  keys?: Buffer[];
}

/** A random lease id below 2^53 (ids travel as JS numbers), never 0. */
function randomLeaseId(): number {
  const b = randomBytes(7);
  return ((b.readUIntBE(0, 3) & 0x1fffff) * 2 ** 32 + b.readUInt32BE(3)) || 1;
}

/**
 * The lease API over the log: grant, revoke and keepalive are proposed through Raft and answered once applied here
 * (a keepalive goes through the log so that whichever node leads sees it: no forwarding to a leader's URL is
 * needed, and a leader change loses no renewal that was answered). Time-to-live reads this node's lessor.
 */
export class LeaseService {
  constructor(
    private readonly proposer: Proposer,
    private readonly table: () => LeaseTable,
    private readonly revision: () => number,
    private readonly lessor: Lessor,
    private readonly minTtlSeconds: number,
  ) {}

  async grant(id: number, ttl: number): Promise<LeaseResponse & { revision: number }> {
    if (ttl > MAX_LEASE_TTL) throw new KvError(11, 'etcdserver: too large lease TTL');
    if (id < 0) throw new KvError(3, 'etcdserver: lease ID must not be negative');
    const leaseId = id === 0 ? randomLeaseId() : id;
    const outcome = await this.proposer.write({ leaseGrant: { id: leaseId, ttl: Math.max(ttl, this.minTtlSeconds) } });
    return { revision: outcome.revision, ...(outcome.response as LeaseResponse) };
  }

  async revoke(id: number): Promise<{ revision: number }> {
    const outcome = await this.proposer.write({ leaseRevoke: { id } });
    return { revision: outcome.revision };
  }

  async keepAlive(id: number): Promise<LeaseResponse & { revision: number }> {
    const outcome = await this.proposer.write({ leaseKeepAlive: { id } });
    return { revision: outcome.revision, ...(outcome.response as LeaseResponse) };
  }

  timeToLive(id: number, withKeys: boolean): Promise<LeaseTimeToLive> {
    return this.proposer.linearizableRead(() => {
      const lease = this.table().get(id);
      if (lease === undefined) return { revision: this.revision(), id, ttl: -1, grantedTtl: 0 };
      const out: LeaseTimeToLive = { revision: this.revision(), id, ttl: this.lessor.remainingSeconds(id), grantedTtl: lease.ttl };
      if (withKeys) out.keys = [...lease.keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
      return out;
    });
  }

  leases(): Promise<{ revision: number; ids: number[] }> {
    return this.proposer.linearizableRead(() => ({ revision: this.revision(), ids: this.table().list().map((l) => l.id) }));
  }
}
