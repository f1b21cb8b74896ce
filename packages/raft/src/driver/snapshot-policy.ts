/**
 * When to compact (etcd's --snapshot-count): every `count` applied entries. How far is the node's business: it
 * makes the state machine durable and keeps a catch-up tail of entries before that point (see RaftNode).
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
   * A node's stagger: its place among the sorted voters times count/(2·voters). A compaction flushes the state
   * machine's store to disk and deletes log entries; staggered, the nodes do not all do it at the same moment
   * and a quorum of the others keeps writing at full speed.
   */
  static staggerFor(id: string, voters: readonly string[], count: number): number {
    const place = Math.max(0, [...voters].sort().indexOf(id));
    return Math.floor((count * place) / (2 * Math.max(1, voters.length)));
  }

  due(applied: number): boolean {
    return applied - this.lastIndex >= this.count + this.stagger;
  }

  /** Records a compaction just made at `index` (the state machine durable through it). */
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
