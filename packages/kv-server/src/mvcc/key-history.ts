import type { RevisionRecord } from './record.js';
import type { KeyValue } from './types.js';

/**
 * Every kept revision of one key, oldest first. A tombstone ends a generation (etcd's key_index.go);
 * the next put starts a new one with version 1, so generations need no separate structure here.
 */
export class KeyHistory {
  /** Read-only outside this class. */
  records: RevisionRecord[] = [];

  constructor(readonly key: Buffer) {}

  append(rec: RevisionRecord): void {
    // A first push would reserve 17 slots; most keys keep one revision.
    if (this.records.length === 0) this.records = [rec];
    else this.records.push(rec);
  }

  /** The latest record at or before `rev` (the highest sub-revision within a main revision). */
  private indexAt(rev: number): number {
    let lo = 0;
    let hi = this.records.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.rev.main <= rev) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The key's value as of revision `rev`, or undefined when it did not exist (or was deleted) then. */
  at(rev: number): KeyValue | undefined {
    const i = this.indexAt(rev);
    return i < 0 ? undefined : (this.records[i]!.kv ?? undefined);
  }

  latest(): KeyValue | undefined {
    return this.records[this.records.length - 1]?.kv ?? undefined;
  }

  /**
   * Drops history that no read at `atRev` or later can see: everything before the latest record ≤ atRev,
   * and that record too when it is a tombstone. Returns the dropped records.
   */
  compact(atRev: number): RevisionRecord[] {
    const i = this.indexAt(atRev);
    if (i < 0) return [];
    const dropUntil = this.records[i]!.kv === null ? i + 1 : i;
    return this.records.splice(0, dropUntil);
  }

  get isEmpty(): boolean {
    return this.records.length === 0;
  }
}
