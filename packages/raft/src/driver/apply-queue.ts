import type { Entry } from '../core/messages.js';

/**
 * Applies committed batches in order, off the Ready loop: the loop hands a batch over and goes on to persist
 * the next Ready while this one applies (as etcd's apply goroutine does). The loop bounds the queue with
 * `whenRoom`, so a slow state machine slows the loop down instead of piling batches up.
 */
export class ApplyQueue {
  /** One promise per batch not finished yet, oldest first; each settles (never rejects) when its batch is done. */
  private readonly pending: Promise<void>[] = [];
  private failed = false;

  constructor(
    private readonly apply: (entries: Entry[], logDurable: Promise<boolean>) => Promise<void>,
    private readonly onApplied: (last: Entry) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  /**
   * Queues a batch; onApplied follows once it is applied, onError (once) if it fails; after a failure nothing applies.
   * `logDurable` settles once this node's log holds the batch durably (see StateMachine.apply).
   */
  push(entries: Entry[], logDurable: Promise<boolean>): void {
    if (entries.length === 0) return;
    const last = entries[entries.length - 1]!;
    const previous = this.pending[this.pending.length - 1] ?? Promise.resolve();
    const done: Promise<void> = previous.then(async () => {
      try {
        if (this.failed) return;
        await this.apply(entries, logDurable);
        this.onApplied(last);
      } catch (err) {
        this.failed = true;
        this.onError(err as Error);
      } finally {
        this.pending.shift();
      }
    });
    this.pending.push(done);
  }

  /**
   * Runs `fn` once every batch queued so far has applied and before any batch queued later starts, so it sees
   * the state exactly as of the last of them (a snapshot's capture point). Resolves with what `fn` returns.
   */
  atBarrier<T>(fn: () => T): Promise<T> {
    const previous = this.pending[this.pending.length - 1] ?? Promise.resolve();
    let outcome: { ok: T } | { error: unknown } | undefined;
    const done: Promise<void> = previous.then(() => {
      try {
        outcome = { ok: fn() };
      } catch (error) {
        outcome = { error };
      } finally {
        this.pending.shift();
      }
    });
    this.pending.push(done);
    return done.then(() => {
      if (outcome && 'ok' in outcome) return outcome.ok;
      throw outcome?.error;
    });
  }

  /** Resolves once at most `depth` batches are queued or applying. */
  async whenRoom(depth: number): Promise<void> {
    while (this.pending.length > depth) await this.pending[0];
  }

  /** Resolves once every queued batch is done. */
  idle(): Promise<void> {
    return this.whenRoom(0);
  }
}
