import type { RevisionRecord } from './record.js';
import type { KeyValue } from './types.js';

/** Histories shorter than this grow by a copy of exact size (see append). */
const EXACT_SIZE_UNTIL = 8;

/**
 * Every kept revision of one key, oldest first. A tombstone ends a generation (etcd's key_index.go);
 * the next put starts a new one with version 1, so generations need no separate structure here.
 */
export class KeyHistory {
  /** Read-only outside this class. */
  records: RevisionRecord[] = [];

  constructor(readonly key: Buffer) {}

  append(rec: RevisionRecord): void {
    // A push (or a spread) reserves 16 spare slots, kept as long as the key is; most keys keep a few revisions,
    // so a short history is copied into an array of its exact size instead (concat makes one).
    if (this.records.length < EXACT_SIZE_UNTIL) this.records = this.records.concat(rec);
    else this.records.push(rec);
  }

  /** For a bulk load: a plain push, with fitToSize() once the load is done (a copy per record costs more). */
  appendInBulk(rec: RevisionRecord): void {
    this.records.push(rec);
  }

  /** After appendInBulk: a short history is copied into an array of its exact size, as append keeps it. */
  fitToSize(): void {
    if (this.records.length < EXACT_SIZE_UNTIL) this.records = this.records.slice();
  }

  /** The latest record at or before `rev` (the highest sub-revision within a main revision). */
  private indexAt(rev: number): number {
    let lo = 0;
    let hi = this.records.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.main <= rev) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The record of the key's value as of revision `rev`, or undefined when it did not exist (or was deleted) then. */
  recordAt(rev: number): RevisionRecord | undefined {
    const i = this.indexAt(rev);
    const rec = i < 0 ? undefined : this.records[i]!;
    return rec === undefined || rec.isTombstone ? undefined : rec;
  }

  /** The key's value as of revision `rev` (a new object), or undefined when it did not exist then. */
  at(rev: number): KeyValue | undefined {
    return this.recordAt(rev)?.kv(this.key);
  }

  /** The record of the key's current value, or undefined when it is deleted. */
  latestRecord(): RevisionRecord | undefined {
    const rec = this.records[this.records.length - 1];
    return rec === undefined || rec.isTombstone ? undefined : rec;
  }

  latest(): KeyValue | undefined {
    return this.latestRecord()?.kv(this.key);
  }

  /**
   * Drops history that no read at `atRev` or later can see: everything before the latest record ≤ atRev,
   * and that record too when it is a tombstone. Returns the dropped records.
   */
  compact(atRev: number): RevisionRecord[] {
    const i = this.indexAt(atRev);
    if (i < 0) return [];
    const dropUntil = this.records[i]!.isTombstone ? i + 1 : i;
    return this.records.splice(0, dropUntil);
  }

  get isEmpty(): boolean {
    return this.records.length === 0;
  }
}
