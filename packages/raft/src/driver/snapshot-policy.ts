/**
 * When to snapshot: every `count` applied entries. How far to compact is the node's business: the log is
 * compacted only to the *previous* snapshot, so at least `count` entries stay for slow followers to catch up
 * from the log rather than by a whole snapshot (etcd keeps a catch-up tail for the same reason).
 */
export class SnapshotPolicy {
  taken = 0;

  /**
   * `stagger` entries are added before the first snapshot only, so nodes that apply the same entries snapshot at
   * different indexes from then on (see staggerFor).
   */
  constructor(
    private readonly count: number,
    private lastIndex: number,
    private stagger = 0,
  ) {}

  /**
   * A node's stagger: its place among the sorted voters times count/(2·voters). Encoding a whole store costs
   * CPU; when every node does it at the same index, the leader and both followers slow down together, and with
   * them every write. Staggered, at most one node is busy at a time and a quorum of the others keeps writing.
   */
  static staggerFor(id: string, voters: readonly string[], count: number): number {
    const place = Math.max(0, [...voters].sort().indexOf(id));
    return Math.floor((count * place) / (2 * Math.max(1, voters.length)));
  }

  due(applied: number): boolean {
    return applied - this.lastIndex >= this.count + this.stagger;
  }

  /** Records a snapshot just taken at `index`. */
  took(index: number): void {
    this.taken++;
    this.lastIndex = Math.max(this.lastIndex, index);
    this.stagger = 0;
  }

  /** A leader's snapshot replaced the log: count from it. */
  installed(index: number): void {
    this.lastIndex = index;
  }
}
