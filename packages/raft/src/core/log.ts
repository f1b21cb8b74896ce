import type { Entry, Snapshot, SnapshotMeta } from './messages.js';
import { PackedEntries } from './packed-entries.js';

/** Settled entries (applied and durable) are packed this many at a time. */
const PACK_BATCH = 64;

/**
 * The log as the core sees it: a compacted prefix (up to snapshotIndex), then entries. Entries up to
 * `stableIndex` are durable; later ones are handed out in Ready and become stable when advance() confirms them.
 * Entries both applied and durable are settled: nothing truncates them and only a follower catching up reads them
 * again, so they are kept packed (PackedEntries); the rest stay objects in `recent`.
 */
export class RaftLog {
  /** Index/term of the last compacted entry (0/0 when none). */
  snapshotIndex: number;
  snapshotTerm: number;
  /** A snapshot received from a leader that the driver has not persisted and restored yet. */
  unstableSnapshot: Snapshot | null = null;
  /** Entries from snapshotIndex + 1, settled ones only. */
  private packed = new PackedEntries();
  /** The entries after the packed ones: recent[0].index === snapshotIndex + packed.length + 1. */
  private recent: Entry[];
  /** On a leader, the lowest index a follower has matched: later entries may still be sent, so they stay objects. */
  private sendableAfter = Infinity;
  stableIndex: number;
  committed: number;
  applied: number;

  constructor(start: SnapshotMeta | null, entries: Entry[], committed: number, applied: number) {
    this.snapshotIndex = start?.index ?? 0;
    this.snapshotTerm = start?.term ?? 0;
    // The application must hold what the log no longer does (the driver restores a stored snapshot first).
    if (applied < this.snapshotIndex) {
      throw new Error(`applied index ${applied} is behind the log's start ${this.snapshotIndex}: restore the stored snapshot first`);
    }
    this.recent = dropStaleSuffix(this.snapshotIndex, this.snapshotTerm, entries);
    this.stableIndex = this.lastIndex();
    this.applied = applied;
    // An applied entry is committed even if the persisted commit index lags behind it.
    this.committed = Math.max(committed, this.applied);
    if (this.committed > this.lastIndex()) {
      throw new Error(`persisted commit ${this.committed} is beyond the last log index ${this.lastIndex()}`);
    }
    this.packSettled();
  }

  firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  lastIndex(): number {
    return this.snapshotIndex + this.packed.length + this.recent.length;
  }

  private lastPacked(): number {
    return this.snapshotIndex + this.packed.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** Term of the entry at `index`; undefined when compacted away or past the end. */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex || index > this.lastIndex()) return undefined;
    const lastPacked = this.lastPacked();
    if (index <= lastPacked) return this.packed.term(index - this.snapshotIndex - 1);
    return this.recent[index - lastPacked - 1]!.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Entries in [lo, hi), at least one when available, then up to `maxBytes` of data. */
  slice(lo: number, hi: number, maxBytes = Infinity): Entry[] {
    if (lo <= this.snapshotIndex) throw new Error(`entries before ${lo} are compacted`);
    const end = Math.min(hi, this.lastIndex() + 1);
    const lastPacked = this.lastPacked();
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < end; i++) {
      if (i <= lastPacked) {
        const offset = i - this.snapshotIndex - 1;
        bytes += this.packed.dataBytes(offset) + ENTRY_OVERHEAD_BYTES;
        if (out.length > 0 && bytes > maxBytes) break;
        out.push(this.packed.entry(offset, i));
      } else {
        const e = this.recent[i - lastPacked - 1]!;
        bytes += entryBytes(e);
        if (out.length > 0 && bytes > maxBytes) break;
        out.push(e);
      }
    }
    return out;
  }

  /** Whether a candidate's log (lastTerm, lastIndex) is at least as up to date as ours (§5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Leader side: appends new entries at the end. */
  append(entries: Entry[]): void {
    for (const e of entries) {
      if (e.index !== this.lastIndex() + 1) throw new Error(`append at ${e.index} after last ${this.lastIndex()}`);
      this.recent.push(e);
    }
  }

  /**
   * Follower side (§5.3): entries that already match stay untouched; the log is truncated only
   * at the first entry whose term conflicts. Returns the index of the last entry in the message.
   */
  appendFromLeader(prevIndex: number, entries: Entry[]): number {
    let conflictAt = 0;
    for (const e of entries) {
      if (e.index <= this.snapshotIndex) continue;
      if (!this.matchTerm(e.index, e.term)) {
        conflictAt = e.index;
        break;
      }
    }
    if (conflictAt !== 0) {
      if (conflictAt <= this.committed) {
        throw new Error(`conflicting entry at ${conflictAt} is already committed (${this.committed})`);
      }
      this.truncateFrom(conflictAt);
      for (const e of entries) if (e.index >= conflictAt) this.recent.push(e);
    }
    return prevIndex + entries.length;
  }

  /** Only after `committed`, so never into the packed entries (settled entries are applied, hence committed). */
  private truncateFrom(index: number): void {
    this.recent.length = index - this.lastPacked() - 1;
    this.stableIndex = Math.min(this.stableIndex, index - 1);
  }

  commitTo(index: number): boolean {
    const target = Math.min(index, this.lastIndex());
    if (target <= this.committed) return false;
    this.committed = target;
    return true;
  }

  /**
   * Follower fast backtracking: the largest index ≤ `index` whose term is ≤ `term`. Every entry
   * after it has a larger term than the leader's entry at `index`, so none of them can match.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = Math.min(index, this.lastIndex());
    while (i > this.snapshotIndex) {
      const t = this.term(i)!;
      if (t <= term) return { index: i, term: t };
      i--;
    }
    return { index: i, term: this.term(i) ?? 0 };
  }

  /** Entries committed and durable but not yet handed to the application. */
  nextCommitted(): Entry[] {
    const hi = Math.min(this.committed, this.lastIndex());
    if (hi <= this.applied) return [];
    return this.slice(this.applied + 1, hi + 1);
  }

  unstableEntries(): Entry[] {
    if (this.stableIndex >= this.lastIndex()) return [];
    return this.slice(Math.max(this.stableIndex + 1, this.firstIndex()), this.lastIndex() + 1);
  }

  /** The driver persisted entries up to (index, term): mark them stable unless they were replaced meanwhile. */
  stableTo(index: number, term: number): void {
    if (index > this.stableIndex && this.matchTerm(index, term)) this.stableIndex = index;
    this.packSettled();
  }

  /** The driver persisted the unstable snapshot: the log is durable through its index. */
  snapshotStable(snapshot: Snapshot): void {
    if (this.unstableSnapshot !== snapshot) return;
    this.unstableSnapshot = null;
    this.stableIndex = Math.max(this.stableIndex, snapshot.meta.index);
  }

  appliedTo(index: number): void {
    if (index > this.applied) this.applied = Math.min(index, this.committed);
    this.packSettled();
  }

  /**
   * A leader says how far every follower has matched (Infinity otherwise): entries after that stay objects until
   * sent, since making them again from the packed form for each Append costs more than keeping them.
   */
  holdForFollowers(matchedByAll: number): void {
    this.sendableAfter = matchedByAll;
    this.packSettled();
  }

  /** Moves settled entries (applied, durable, and matched by every follower) from `recent` into `packed`, in batches. */
  private packSettled(): void {
    const count = Math.min(this.applied, this.stableIndex, this.sendableAfter) - this.lastPacked();
    if (count < PACK_BATCH) return;
    this.packed.push(this.recent, 0, count);
    this.recent = this.recent.slice(count);
  }

  /** Drops the entries up to `index` (≤ applied, so in the log); returns the term of the entry there. */
  compact(index: number): number {
    if (index <= this.snapshotIndex) return this.snapshotTerm;
    if (index > this.applied) throw new Error(`cannot compact to ${index}: only ${this.applied} applied`);
    const term = this.term(index)!;
    const lastPacked = this.lastPacked();
    if (index <= lastPacked) {
      this.packed.dropFirst(index - this.snapshotIndex);
    } else {
      this.packed = new PackedEntries();
      this.recent = this.recent.slice(index - lastPacked);
    }
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    return term;
  }

  /**
   * A follower installs a leader's snapshot that its log does not contain: the whole log is replaced. Until the
   * driver has persisted it (snapshotStable), only what the stored log already held counts as durable: an
   * application applying entries handed out early must not make its state durable beyond that.
   */
  restore(snapshot: Snapshot): void {
    this.packed = new PackedEntries();
    this.recent = [];
    this.unstableSnapshot = snapshot;
    this.snapshotIndex = snapshot.meta.index;
    this.snapshotTerm = snapshot.meta.term;
    this.stableIndex = Math.min(this.stableIndex, snapshot.meta.index);
    this.committed = snapshot.meta.index;
    this.applied = snapshot.meta.index;
  }
}

/** What an entry counts for beyond its data when a message's size is bounded. */
const ENTRY_OVERHEAD_BYTES = 16;

export function entryBytes(e: Entry): number {
  return e.data.byteLength + ENTRY_OVERHEAD_BYTES;
}

/**
 * Entries after a snapshot with an older term than the snapshot's cannot be part of the committed
 * history (leader completeness), so they are leftovers of a log the snapshot replaced: drop them.
 * Also drops anything not contiguous with the snapshot.
 */
function dropStaleSuffix(snapshotIndex: number, snapshotTerm: number, entries: Entry[]): Entry[] {
  const out: Entry[] = [];
  let expected = snapshotIndex + 1;
  let prevTerm = snapshotTerm;
  for (const e of entries) {
    if (e.index <= snapshotIndex) continue;
    if (e.index !== expected || e.term < prevTerm) break;
    out.push(e);
    expected++;
    prevTerm = e.term;
  }
  return out;
}
