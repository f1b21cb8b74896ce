import { ByteReader, ByteWriter } from '../mvcc/binary.js';
import { scanBatches, type KvDb } from '../mvcc/db.js';
import { DEDUP_PREFIX, dedupKey, prefixBounds, type DbOp } from '../mvcc/layout.js';

/**
 * Bounds of the dedup table. Age is counted in applied Raft entries, never wall-clock time: every node
 * must evict the same entries at the same index. All nodes of a cluster must use the same limits.
 */
export interface DedupLimits {
  maxEntries: number;
  /** Entries applied more than this many log indexes ago are forgotten. */
  maxAgeEntries: number;
  /** Total size of the recorded results. */
  maxBytes: number;
}

export const DEFAULT_DEDUP_LIMITS: DedupLimits = { maxEntries: 20_000, maxAgeEntries: 200_000, maxBytes: 64 * 1024 * 1024 };

export interface DedupEntry {
  id: string;
  idempotencyKey?: string;
  /** Log index at which the command (or its duplicate) was applied. */
  index: number;
  /** The encoded CommandResult (command-codec's encodeResult). */
  result: Buffer;
}

/** Request ids (and idempotency keys) already applied, with their results, oldest first. */
export class DedupTable {
  private readonly byId = new Map<string, DedupEntry>();
  /** Idempotency key → the latest id recorded with it. */
  private readonly byIdempotencyKey = new Map<string, string>();
  /** Entries in apply order; eviction takes from `head` (a Map's deleted slots make scanning from its start slow). */
  private order: DedupEntry[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: DedupLimits = DEFAULT_DEDUP_LIMITS) {}

  static async load(db: KvDb, limits?: DedupLimits): Promise<DedupTable> {
    const entries: DedupEntry[] = [];
    for await (const batch of scanBatches(db, prefixBounds(DEDUP_PREFIX)))
      for (const [k, v] of batch) entries.push(decodeEntry(k.toString('utf8', 1), v));
    return DedupTable.fromEntries(entries, limits);
  }

  static fromEntries(entries: DedupEntry[], limits?: DedupLimits): DedupTable {
    const t = new DedupTable(limits);
    const ordered = [...entries].sort((a, b) => a.index - b.index || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const e of ordered) t.add(e);
    return t;
  }

  get size(): number {
    return this.byId.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(id: string): DedupEntry | undefined {
    return this.byId.get(id);
  }

  /** The entry recorded for this id, else for this idempotency key. */
  lookup(id: string, idempotencyKey?: string): DedupEntry | undefined {
    const hit = this.byId.get(id);
    if (hit !== undefined || idempotencyKey === undefined) return hit;
    const other = this.byIdempotencyKey.get(idempotencyKey);
    return other === undefined ? undefined : this.byId.get(other);
  }

  /** Records an applied command and queues its level write. */
  record(entry: DedupEntry, out: DbOp[]): void {
    this.add(entry);
    out.push({ type: 'put', key: dedupKey(entry.id), value: encodeEntry(entry) });
  }

  /** Forgets the oldest entries beyond the limits as of log index `index`, queuing their deletes. */
  evict(index: number, out: DbOp[]): void {
    while (this.head < this.order.length) {
      const e = this.order[this.head]!;
      const tooOld = e.index < index - this.limits.maxAgeEntries;
      if (!tooOld && this.byId.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      this.head++;
      this.remove(e);
      out.push({ type: 'del', key: dedupKey(e.id) });
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  entries(): IterableIterator<DedupEntry> {
    return this.byId.values();
  }

  private add(e: DedupEntry): void {
    this.byId.set(e.id, e);
    this.order.push(e);
    if (e.idempotencyKey !== undefined) this.byIdempotencyKey.set(e.idempotencyKey, e.id);
    this.bytes += e.result.length;
  }

  private remove(e: DedupEntry): void {
    this.byId.delete(e.id);
    if (e.idempotencyKey !== undefined && this.byIdempotencyKey.get(e.idempotencyKey) === e.id)
      this.byIdempotencyKey.delete(e.idempotencyKey);
    this.bytes -= e.result.length;
  }
}

/** Level value (and snapshot form) of an entry: index, optional idempotency key, result. */
export function encodeEntry(e: DedupEntry): Buffer {
  const w = new ByteWriter(16 + e.result.length).varint(e.index);
  if (e.idempotencyKey === undefined) w.u8(0);
  else w.u8(1).string(e.idempotencyKey);
  return w.raw(e.result).finish();
}

export function decodeEntry(id: string, body: Buffer): DedupEntry {
  const r = new ByteReader(body);
  const index = r.varint();
  const idempotencyKey = r.u8() === 1 ? r.string() : undefined;
  const result = r.rest();
  return idempotencyKey === undefined ? { id, index, result } : { id, idempotencyKey, index, result };
}
