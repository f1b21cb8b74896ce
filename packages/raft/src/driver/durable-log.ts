/**
 * Promises that settle once this node's Raft log holds an index durably. Committed entries may be applied before
 * that (they are durable on a quorum); the state machine's own disk writes wait on these, so its durable state
 * never gets ahead of the log a restart replays from.
 */
export class DurableLog {
  private waiting: Array<{ index: number; settle: (durable: boolean) => void }> = [];
  private halted = false;

  constructor(private durable: number) {}

  /** True once the log is durable through `index`; false if the node stopped first (the log will not get there). */
  through(index: number): Promise<boolean> {
    if (index <= this.durable) return DURABLE;
    if (this.halted) return NEVER;
    return new Promise((settle) => this.waiting.push({ index, settle }));
  }

  /** The log is durable through `index` (as it is now: later truncations only drop entries not committed). */
  reached(index: number): void {
    if (index <= this.durable) return;
    this.durable = index;
    if (this.waiting.length === 0) return;
    const still: typeof this.waiting = [];
    for (const w of this.waiting) (w.index <= index ? w.settle(true) : still.push(w));
    this.waiting = still;
  }

  /** The node stopped: what is not durable now never will be in this run. */
  halt(): void {
    this.halted = true;
    for (const w of this.waiting) w.settle(false);
    this.waiting = [];
  }
}

const DURABLE = Promise.resolve(true);
const NEVER = Promise.resolve(false);
