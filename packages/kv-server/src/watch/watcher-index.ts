import type { KeySpan } from '../mvcc/key-index.js';

/** A half-open key interval [from, to) in latin1 form (byte order = string order); to null = no upper bound. */
interface Interval<W> {
  from: string;
  to: string | null;
  item: W;
}

/** A centered interval tree node: intervals containing `center`, sorted by start and by end. */
interface TreeNode<W> {
  center: string;
  byStart: Interval<W>[];
  byEndDesc: Interval<W>[];
  left: TreeNode<W> | null;
  right: TreeNode<W> | null;
}

const below = (key: string, to: string | null) => to === null || key < to;

/**
 * Watchers indexed by what they watch, so a write looks up only the watchers of its key: single-key watchers in
 * a map, range watchers in a centered interval tree (rebuilt on the first lookup after a change; watchers come
 * and go far less often than writes happen).
 */
export class WatcherIndex<W> {
  private readonly singles = new Map<string, Set<W>>();
  private readonly ranges = new Map<W, Interval<W>>();
  private tree: TreeNode<W> | null = null;
  private treeStale = false;

  get size(): number {
    let n = this.ranges.size;
    for (const set of this.singles.values()) n += set.size;
    return n;
  }

  add(item: W, span: KeySpan): void {
    if ('single' in span) {
      const k = span.single.toString('latin1');
      let set = this.singles.get(k);
      if (set === undefined) this.singles.set(k, (set = new Set()));
      set.add(item);
      return;
    }
    const iv = { from: span.from.toString('latin1'), to: span.to?.toString('latin1') ?? null, item };
    if (iv.to !== null && iv.to <= iv.from) return; // an empty range never matches (and would not split the tree)
    this.ranges.set(item, iv);
    this.treeStale = true;
  }

  remove(item: W, span: KeySpan): void {
    if ('single' in span) {
      const k = span.single.toString('latin1');
      const set = this.singles.get(k);
      set?.delete(item);
      if (set?.size === 0) this.singles.delete(k);
      return;
    }
    if (this.ranges.delete(item)) this.treeStale = true;
  }

  /** Every watcher whose key or range holds `key`. */
  *matching(key: Buffer): Generator<W> {
    const k = key.toString('latin1');
    const set = this.singles.get(k);
    if (set !== undefined) yield* set;
    if (this.ranges.size === 0) return;
    if (this.treeStale) {
      this.tree = build([...this.ranges.values()]);
      this.treeStale = false;
    }
    let node = this.tree;
    while (node !== null) {
      if (k < node.center) {
        // Every interval here holds center, so it holds k exactly when it starts at or before k.
        for (const iv of node.byStart) {
          if (iv.from > k) break;
          yield iv.item;
        }
        node = node.left;
      } else {
        for (const iv of node.byEndDesc) {
          if (!below(k, iv.to)) break;
          yield iv.item;
        }
        node = k === node.center ? null : node.right;
      }
    }
  }
}

function build<W>(intervals: Interval<W>[]): TreeNode<W> | null {
  if (intervals.length === 0) return null;
  const starts = intervals.map((iv) => iv.from).sort();
  const center = starts[starts.length >> 1]!;
  const here: Interval<W>[] = [];
  const left: Interval<W>[] = [];
  const right: Interval<W>[] = [];
  for (const iv of intervals) {
    if (!below(center, iv.to)) left.push(iv); // ends at or before center
    else if (iv.from > center) right.push(iv);
    else here.push(iv);
  }
  return {
    center,
    byStart: [...here].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0)),
    byEndDesc: [...here].sort((a, b) => compareEnds(b.to, a.to)),
    left: build(left),
    right: build(right),
  };
}

function compareEnds(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
