import { scanBatches, type KvDb } from '../mvcc/db.js';
import { errLeaseNotFound } from '../mvcc/errors.js';
import { LEASE_PREFIX, decodeUint, encodeUint, leaseKey, prefixBounds, type DbOp } from '../mvcc/layout.js';
import type { ChangeEvent, MvccStore } from '../mvcc/store.js';
import { KvError, type DeleteRangeResponse, type LeaseResponse } from '../mvcc/types.js';
import type { WriteOutcome } from '../mvcc/store.js';

/** A lease as every node holds it: id, granted TTL (seconds) and the keys attached to it. No clock here. */
export interface Lease {
  id: number;
  ttl: number;
  /** Attached keys by their latin1 form (byte order = string order). */
  keys: Map<string, Buffer>;
}

/** What happened to a lease in an applied batch, for the lessor (the clock side). */
export type LeaseChange = { kind: 'granted' | 'renewed'; id: number; ttl: number } | { kind: 'revoked'; id: number };

export const errLeaseExists = (): KvError => new KvError(9, 'etcdserver: lease already exists');

/**
 * The replicated lease state, changed only by applied commands: grant, revoke (its keys deleted in one revision),
 * keepalive (no state change; reported so the leader's lessor renews), and attachment of keys as puts name a lease.
 */
export class LeaseTable {
  private readonly leases = new Map<number, Lease>();

  /** Leases from `db` and their keys from the store's live keys. */
  static async load(db: KvDb, store: MvccStore): Promise<LeaseTable> {
    const table = new LeaseTable();
    for await (const batch of scanBatches(db, prefixBounds(LEASE_PREFIX)))
      for (const [k, v] of batch) {
        const id = decodeUint(k.subarray(1));
        table.leases.set(id, { id, ttl: decodeUint(v), keys: new Map() });
      }
    table.attachLiveKeys(store);
    return table;
  }

  /** A table holding exactly `leases` (from a snapshot), keys taken from the store. */
  static fromLeases(leases: Iterable<{ id: number; ttl: number }>, store: MvccStore): LeaseTable {
    const table = new LeaseTable();
    for (const l of leases) table.leases.set(l.id, { id: l.id, ttl: l.ttl, keys: new Map() });
    table.attachLiveKeys(store);
    return table;
  }

  has(id: number): boolean {
    return this.leases.has(id);
  }

  get(id: number): Lease | undefined {
    return this.leases.get(id);
  }

  /** Every lease, in id order (a stable order for snapshots and listings). */
  list(): Lease[] {
    return [...this.leases.values()].sort((a, b) => a.id - b.id);
  }

  /** Level operations that store every lease (a snapshot restore writes them all). */
  dbOps(): DbOp[] {
    return this.list().map((l) => ({ type: 'put', key: leaseKey(l.id), value: encodeUint(l.ttl) }));
  }

  grant(id: number, ttl: number, store: MvccStore, ops: DbOp[], changes: LeaseChange[]): WriteOutcome<LeaseResponse> {
    if (this.leases.has(id)) throw errLeaseExists();
    this.leases.set(id, { id, ttl, keys: new Map() });
    ops.push({ type: 'put', key: leaseKey(id), value: encodeUint(ttl) });
    changes.push({ kind: 'granted', id, ttl });
    return { revision: store.currentRevision(), response: { id, ttl } };
  }

  /** Deletes the lease's keys in one revision (none when it has no keys), then the lease. */
  revoke(id: number, store: MvccStore, ops: DbOp[], changes: LeaseChange[]): WriteOutcome<DeleteRangeResponse> {
    const lease = this.leases.get(id);
    if (lease === undefined) throw errLeaseNotFound();
    const keys = [...lease.keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
    const outcome = store.deleteKeys(keys);
    this.leases.delete(id);
    ops.push({ type: 'del', key: leaseKey(id) });
    changes.push({ kind: 'revoked', id });
    return outcome;
  }

  keepAlive(id: number, store: MvccStore, changes: LeaseChange[]): WriteOutcome<LeaseResponse> {
    const lease = this.leases.get(id);
    if (lease === undefined) return { revision: store.currentRevision(), response: { id, ttl: 0 } };
    changes.push({ kind: 'renewed', id, ttl: lease.ttl });
    return { revision: store.currentRevision(), response: { id, ttl: lease.ttl } };
  }

  /** Follows a write's changes: a key leaves its old lease and joins the one its new value names. */
  track(events: readonly ChangeEvent[]): void {
    for (const e of events) {
      const name = e.kv.key.toString('latin1');
      if (e.prevKv !== undefined && e.prevKv.lease !== 0) this.leases.get(e.prevKv.lease)?.keys.delete(name);
      if (e.type === 'PUT' && e.kv.lease !== 0) this.leases.get(e.kv.lease)?.keys.set(name, e.kv.key);
    }
  }

  private attachLiveKeys(store: MvccStore): void {
    if (this.leases.size === 0) return;
    for (const kv of store.liveKvs())
      if (kv.lease !== 0) this.leases.get(kv.lease)?.keys.set(kv.key.toString('latin1'), kv.key);
  }
}
