import type { KvDb } from '../mvcc/db.js';
import type { DbOp } from '../mvcc/layout.js';

export interface WriteBehindOptions {
  /** How long applied operations may wait in memory before their batch is written (etcd's backend batch interval). */
  intervalMs: number;
  /** Operations that start a write at once (etcd's backend batch limit). */
  maxOps: number;
}

/** etcd's defaults: --backend-batch-interval 100 ms, --backend-batch-limit 10,000. */
export const DEFAULT_WRITE_BEHIND: WriteBehindOptions = { intervalMs: 100, maxOps: 10_000 };

/**
 * The KV store's level writes, batched as etcd batches its backend's: every apply adds its operations to one open
 * level batch (handed to the native side as they come, so no single call builds a large batch), written when the
 * interval runs out or the batch is full. An apply thus costs no thread-pool round trip of its own; the effects are
 * in the Raft log already, so a crash re-applies whatever was not written. Writes complete in order.
 * A batch is written only once the Raft log holds the entries it came from durably (entries can be applied before
 * this node's copy is: they are durable on a quorum), so the store never gets ahead of the log a restart replays.
 */
export class WriteBehind {
  private open: ReturnType<KvDb['batch']> | null = null;
  private openOps = 0;
  private timer: NodeJS.Timeout | null = null;
  private written: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  /** Settles true once the log holds the entries of everything added so far; false if it never will (stopped). */
  private logDurable: Promise<boolean> = Promise.resolve(true);
  /** The log stopped short of some added operations: they and everything after are dropped (a restart replays them). */
  private abandoned = false;

  constructor(
    private readonly db: KvDb,
    private readonly options: WriteBehindOptions,
    /** Called once, with the first write that failed: memory is then ahead of disk. */
    private readonly onFailure: (err: Error) => void,
  ) {}

  /**
   * Queues operations behind everything added before; throws if an earlier write failed. `logDurable` (for the
   * entries these came from) holds back their write until it resolves true; the log is durable in index order, so
   * the latest one given covers everything before it.
   */
  add(ops: readonly DbOp[], logDurable?: Promise<boolean>): void {
    if (this.failure !== null) throw this.failure;
    if (logDurable !== undefined) this.logDurable = logDurable;
    if (ops.length === 0) return;
    const batch = (this.open ??= this.db.batch());
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
    }
    this.openOps += ops.length;
    if (this.openOps >= this.options.maxOps) void this.flush().catch(() => undefined);
    else this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.options.intervalMs);
  }

  /** Writes what is queued now; resolves once it and every earlier write are done. */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.open;
    this.open = null;
    this.openOps = 0;
    if (batch !== null) {
      const logDurable = this.logDurable;
      this.written = this.written
        .then(async () => {
          if (!this.abandoned && (await logDurable)) return batch.write();
          this.abandoned = true;
          return batch.close();
        })
        .catch((err: Error) => {
          if (this.failure === null) {
            this.failure = err;
            this.onFailure(err);
          }
          throw this.failure;
        });
    }
    return this.written;
  }
}
