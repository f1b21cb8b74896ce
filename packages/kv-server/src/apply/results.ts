import { errStopped, errTimeout } from '../mvcc/errors.js';
import type { CommandResult } from '../mvcc/types.js';

interface Waiter {
  resolve(r: CommandResult): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

/** Requests waiting, by request id, for their command to be applied on this node. */
export class ResultWaiters {
  private readonly waiting = new Map<string, Set<Waiter>>();

  /** Resolves with the id's result when applied; rejects with "request timed out" after timeoutMs (if given). */
  wait(id: string, timeoutMs?: number): Promise<CommandResult> {
    return new Promise<CommandResult>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      let set = this.waiting.get(id);
      if (set === undefined) this.waiting.set(id, (set = new Set()));
      set.add(waiter);
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          this.drop(id, waiter);
          reject(errTimeout());
        }, timeoutMs);
      }
    });
  }

  has(id: string): boolean {
    return this.waiting.has(id);
  }

  ids(): string[] {
    return [...this.waiting.keys()];
  }

  resolve(id: string, result: CommandResult): void {
    this.settle(id, (w) => w.resolve(result));
  }

  /** Stops waiting for an id: its waiters reject with `reason`. */
  cancel(id: string, reason: Error): void {
    this.settle(id, (w) => w.reject(reason));
  }

  private settle(id: string, fn: (w: Waiter) => void): void {
    const set = this.waiting.get(id);
    if (set === undefined) return;
    this.waiting.delete(id);
    for (const w of set) {
      clearTimeout(w.timer);
      fn(w);
    }
  }

  cancelAll(reason: Error = errStopped()): void {
    for (const id of this.ids()) this.cancel(id, reason);
  }

  private drop(id: string, w: Waiter): void {
    const set = this.waiting.get(id);
    if (set === undefined) return;
    set.delete(w);
    if (set.size === 0) this.waiting.delete(id);
  }
}
