/**
 * When to snapshot: every `count` applied entries. How far to compact is the node's business: the log is
 * compacted only to the *previous* snapshot, so at least `count` entries stay for slow followers to catch up
 * from the log rather than by a whole snapshot (etcd keeps a catch-up tail for the same reason).
 */
export class SnapshotPolicy {
  taken = 0;

  constructor(
    private readonly count: number,
    private lastIndex: number,
  ) {}

  due(applied: number): boolean {
    return applied - this.lastIndex >= this.count;
  }

  /** Records a snapshot just taken at `index`. */
  took(index: number): void {
    this.taken++;
    this.lastIndex = Math.max(this.lastIndex, index);
  }

  /** A leader's snapshot replaced the log: count from it. */
  installed(index: number): void {
    this.lastIndex = index;
  }
}
