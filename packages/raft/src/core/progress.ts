import type { Snapshot } from './messages.js';

export enum ProgressState {
  /** Unknown match: one Append at a time, each waiting for its answer (or a heartbeat answer). */
  Probe = 'probe',
  /** Known match: Appends are pipelined, bounded by the in-flight window. */
  Replicate = 'replicate',
  /** The follower needs entries we compacted: a snapshot is being sent in chunks. */
  Snapshot = 'snapshot',
}

/** A sliding window of Appends in flight to one follower, bounded by count and bytes. */
export class Inflights {
  private readonly items: { last: number; bytes: number }[] = [];
  private bytes = 0;

  constructor(
    readonly maxCount: number,
    readonly maxBytes: number,
  ) {}

  add(last: number, bytes: number): void {
    this.items.push({ last, bytes });
    this.bytes += bytes;
  }

  /** An acknowledgement up to `index` frees every Append that ended at or before it. */
  freeLE(index: number): void {
    while (this.items.length > 0 && this.items[0]!.last <= index) {
      this.bytes -= this.items.shift()!.bytes;
    }
  }

  freeFirst(): void {
    const first = this.items.shift();
    if (first) this.bytes -= first.bytes;
  }

  full(): boolean {
    return this.items.length >= this.maxCount || this.bytes >= this.maxBytes;
  }

  count(): number {
    return this.items.length;
  }

  reset(): void {
    this.items.length = 0;
    this.bytes = 0;
  }
}

/** An outgoing snapshot: which one, and how far the follower has confirmed receiving it. */
export interface SnapshotSend {
  snapshot: Snapshot;
  /** Bytes the follower confirmed. */
  acked: number;
  /** Ticks since the last chunk went out, to resend a lost one. */
  idleTicks: number;
}

/** The leader's view of one follower's log (match/next, §5.3) plus flow control. */
export class Progress {
  match = 0;
  next: number;
  state = ProgressState.Probe;
  /** Probe: an Append is out and unanswered. */
  probeSent = false;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  snapshotSend: SnapshotSend | null = null;
  /** The commit index carried by the last Append sent, so an unchanged one is not sent again for nothing. */
  sentCommit = 0;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, maxInflightBytes: number) {
    this.next = Math.max(1, next);
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
  }

  becomeProbe(): void {
    if (this.state === ProgressState.Snapshot && this.snapshotSend) {
      this.next = Math.max(this.match + 1, this.snapshotSend.snapshot.meta.index + 1);
    } else {
      this.next = this.match + 1;
    }
    this.resetState(ProgressState.Probe);
  }

  becomeReplicate(): void {
    this.next = this.match + 1;
    this.resetState(ProgressState.Replicate);
  }

  becomeSnapshot(snapshot: Snapshot): void {
    this.resetState(ProgressState.Snapshot);
    this.snapshotSend = { snapshot, acked: 0, idleTicks: 0 };
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.snapshotSend = null;
    this.inflights.reset();
  }

  /** An Append was accepted up to `index`; returns whether it told us something new. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * An Append ending at prevIndex `rejected` was refused; `matchHint` is the follower's guess of the
   * last index that may match. Returns false for stale rejections. next never goes below match+1 ≥ 1.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  /** Whether no more Appends may be sent now. */
  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflights.full();
      case ProgressState.Snapshot:
        return true;
    }
  }

  /** Records an Append just sent with entries up to `last` (Replicate: optimistic next). */
  sentEntries(last: number, bytes: number, count: number): void {
    if (this.state === ProgressState.Replicate) {
      if (count > 0) {
        this.next = last + 1;
        this.inflights.add(last, bytes);
      }
    } else if (this.state === ProgressState.Probe) {
      this.probeSent = true;
    }
  }
}
