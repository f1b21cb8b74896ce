import type { Entry, Snapshot } from '../core/messages.js';

/** The stored log entries are exactly the indexes [first, last]; empty when last = first - 1. */
export interface StoredRange {
  first: number;
  last: number;
}

/** What one write does to the stored entries; both storages carry it out the same way. */
export interface WritePlan {
  /** Inclusive index ranges to delete. */
  deletes: Array<[number, number]>;
  /** The stored range after the write. */
  range: StoredRange;
}

export const EMPTY_RANGE: StoredRange = { first: 1, last: 0 };

/**
 * Plans `save`: an installed snapshot drops the entries it covers, and the rest of the log too unless the
 * stored entry at its index has its term (Raft's InstallSnapshot rule); then entries replace the stored
 * suffix from entries[0].index (a conflict truncation). Throws on a gap: that is a caller bug, never stored.
 */
export function planSave(
  range: StoredRange,
  update: { snapshot?: Snapshot; entries: Entry[] },
  termAtSnapshotIndex: number | undefined,
): WritePlan {
  const deletes: Array<[number, number]> = [];
  let { first, last } = range;
  if (update.snapshot) {
    const { index, term } = update.snapshot.meta;
    const keepSuffix = termAtSnapshotIndex === term && index <= last;
    const deleteTo = keepSuffix ? index : last;
    if (deleteTo >= first) deletes.push([first, deleteTo]);
    first = index + 1;
    if (!keepSuffix) last = index;
  }
  const entries = update.entries;
  if (entries.length > 0) {
    const from = entries[0]!.index;
    entries.forEach((e, i) => {
      if (e.index !== from + i) throw new Error(`entries are not consecutive at ${e.index} (expected ${from + i})`);
    });
    if (from < first) throw new Error(`entry ${from} is at or below the snapshot (first stored index ${first})`);
    if (from > last + 1) throw new Error(`entry ${from} would leave a gap after the last stored index ${last}`);
    const to = from + entries.length - 1;
    if (last > to) deletes.push([to + 1, last]);
    last = to;
  }
  return { deletes, range: { first, last } };
}

/** Plans `compact`: the log now starts after `startIndex`; drop the entries up to it, keep the rest. */
export function planCompact(range: StoredRange, startIndex: number): WritePlan {
  const deletes: Array<[number, number]> = [];
  const deleteTo = Math.min(startIndex, range.last);
  if (deleteTo >= range.first) deletes.push([range.first, deleteTo]);
  return { deletes, range: { first: startIndex + 1, last: Math.max(range.last, startIndex) } };
}
