import { ByteReader, ByteWriter, SlabCopier } from '../mvcc/binary.js';
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

/** Results are copied into slabs of this size (a larger result gets a buffer of its own). */
const RESULT_SLAB_BYTES = 64 * 1024;

export interface DedupEntry {
  id: string;
  idempotencyKey?: string;
  /** Log index at which the command (or its duplicate) was applied. */
  index: number;
  /** The encoded CommandResult (command-codec's encodeResult). */
  result: Buffer;
}

/**
 * Request ids (and idempotency keys) already applied, with their results, oldest first. Every applied write adds
 * an entry that lives for thousands of writes, so entries are kept as plain values in parallel arrays and their
 * results as bytes in shared slabs: an object per entry (and a view per result) would be copied by every
 * young-generation collection it survives. DedupEntry objects are made only for the callers that ask.
 */
export class DedupTable {
  /** Id → the entry's position: its slot in the arrays below plus `base`. */
  private readonly byId = new Map<string, number>();
  /** Idempotency key → the latest id recorded with it. */
  private readonly byIdempotencyKey = new Map<string, string>();
  // Entries in apply order from slot `head`; eviction takes from the head (a Map's deleted slots make scanning
  // from its start slow), and the arrays are trimmed in chunks.
  private ids: string[] = [];
  private indexes: number[] = [];
  private idempotencyKeys: Array<string | undefined> = [];
  private slabs: Buffer[] = [];
  private starts: number[] = [];
  private lengths: number[] = [];
  private head = 0;
  private base = 0;
  private bytes = 0;
  private readonly results = new SlabCopier(RESULT_SLAB_BYTES);

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
    const at = this.byId.get(id);
    return at === undefined ? undefined : this.entryAt(at - this.base);
  }

  /** The entry recorded for this id, else for this idempotency key. */
  lookup(id: string, idempotencyKey?: string): DedupEntry | undefined {
    const hit = this.get(id);
    if (hit !== undefined || idempotencyKey === undefined) return hit;
    const other = this.byIdempotencyKey.get(idempotencyKey);
    return other === undefined ? undefined : this.get(other);
  }

  /** Records an applied command and queues its level write. */
  record(entry: DedupEntry, out: DbOp[]): void {
    this.add(entry);
    out.push({ type: 'put', key: dedupKey(entry.id), value: encodeEntry(entry) });
  }

  /** Forgets the oldest entries beyond the limits as of log index `index`, queuing their deletes. */
  evict(index: number, out: DbOp[]): void {
    while (this.head < this.ids.length) {
      const tooOld = this.indexes[this.head]! < index - this.limits.maxAgeEntries;
      if (!tooOld && this.byId.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      const id = this.ids[this.head]!;
      this.removeAt(this.head);
      this.head++;
      out.push({ type: 'del', key: dedupKey(id) });
    }
    if (this.head > 1024 && this.head * 2 > this.ids.length) this.trim();
  }

  *entries(): IterableIterator<DedupEntry> {
    for (let slot = this.head; slot < this.ids.length; slot++) yield this.entryAt(slot);
  }

  private add(e: DedupEntry): void {
    const slab = this.results.place(e.result);
    this.byId.set(e.id, this.base + this.ids.length);
    this.ids.push(e.id);
    this.indexes.push(e.index);
    this.idempotencyKeys.push(e.idempotencyKey);
    this.slabs.push(slab);
    this.starts.push(this.results.placedAt);
    this.lengths.push(e.result.length);
    if (e.idempotencyKey !== undefined) this.byIdempotencyKey.set(e.idempotencyKey, e.id);
    this.bytes += e.result.length;
  }

  private removeAt(slot: number): void {
    const id = this.ids[slot]!;
    const key = this.idempotencyKeys[slot];
    this.byId.delete(id);
    if (key !== undefined && this.byIdempotencyKey.get(key) === id) this.byIdempotencyKey.delete(key);
    this.bytes -= this.lengths[slot]!;
  }

  private entryAt(slot: number): DedupEntry {
    const start = this.starts[slot]!;
    const result = this.slabs[slot]!.subarray(start, start + this.lengths[slot]!);
    const id = this.ids[slot]!;
    const index = this.indexes[slot]!;
    const idempotencyKey = this.idempotencyKeys[slot];
    return idempotencyKey === undefined ? { id, index, result } : { id, idempotencyKey, index, result };
  }

  /** Drops the evicted slots (positions in byId stay valid: `base` moves with them). */
  private trim(): void {
    const from = this.head;
    this.ids = this.ids.slice(from);
    this.indexes = this.indexes.slice(from);
    this.idempotencyKeys = this.idempotencyKeys.slice(from);
    this.slabs = this.slabs.slice(from);
    this.starts = this.starts.slice(from);
    this.lengths = this.lengths.slice(from);
    this.base += from;
    this.head = 0;
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
