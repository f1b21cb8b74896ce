import type { ReadState } from '../core/messages.js';
import { NoLeaderError } from '../node-api.js';
import { RaftTimeoutError } from './errors.js';

interface ReadWaiter {
  resolve(index: number): void;
  reject(err: Error): void;
  deadline: number;
}

interface ReadRound {
  waiters: ReadWaiter[];
  /** Every context this round was requested with (a retry adds one); any answer serves the round. */
  contexts: Set<string>;
  lastTryAt: number;
}

export interface ReadBatcherDeps {
  /** core.readIndex: false when no leader is known. */
  requestRead(context: Uint8Array): boolean;
  hasLeader(): boolean;
  now(): number;
  /** Re-ask after this long without an answer (the request or its answer may have been lost). */
  retryMs: number;
  timeoutMs: number;
}

function contextKey(context: Uint8Array): string {
  return Buffer.from(context.buffer, context.byteOffset, context.byteLength).toString('hex');
}

/**
 * Batches ReadIndex: every caller that arrives while a round is in flight joins the next round, so one
 * core.readIndex serves them all. A round's answer only serves callers that were waiting before it was
 * asked (linearizability); they resolve once the applied index reaches the read index.
 */
export class ReadIndexBatcher {
  private queued: ReadWaiter[] = [];
  private round: ReadRound | null = null;
  private awaitingApply: Array<{ index: number; waiter: ReadWaiter }> = [];
  private applied = 0;
  private nextContext = 1;

  constructor(private readonly deps: ReadBatcherDeps) {}

  request(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queued.push({ resolve, reject, deadline: this.deps.now() + this.deps.timeoutMs });
      if (this.round === null) this.startRound();
    });
  }

  /** A ReadState from the core's Ready. */
  onReadState(rs: ReadState): void {
    const round = this.round;
    if (round === null || !round.contexts.has(contextKey(rs.context))) return; // an answer to an abandoned try
    this.round = null;
    for (const waiter of round.waiters) {
      if (rs.index <= this.applied) waiter.resolve(rs.index);
      else this.awaitingApply.push({ index: rs.index, waiter });
    }
    this.startRound();
  }

  onApplied(applied: number): void {
    this.applied = applied;
    if (this.awaitingApply.length === 0) return;
    const still: typeof this.awaitingApply = [];
    for (const item of this.awaitingApply) {
      if (item.index <= applied) item.waiter.resolve(item.index);
      else still.push(item);
    }
    this.awaitingApply = still;
  }

  /** Called every tick: expires callers past their deadline and re-asks a round that got no answer. */
  sweep(): void {
    const now = this.deps.now();
    const expire = (w: ReadWaiter): boolean => {
      if (w.deadline > now) return false;
      w.reject(this.deps.hasLeader() ? new RaftTimeoutError('read index', this.deps.timeoutMs) : new NoLeaderError());
      return true;
    };
    this.queued = this.queued.filter((w) => !expire(w));
    this.awaitingApply = this.awaitingApply.filter((item) => !expire(item.waiter));
    const round = this.round;
    if (round === null) return;
    round.waiters = round.waiters.filter((w) => !expire(w));
    if (round.waiters.length === 0) {
      this.round = null;
      this.startRound();
    } else if (now - round.lastTryAt >= this.deps.retryMs) {
      this.ask(round);
    }
  }

  failAll(err: Error): void {
    const all = [...this.queued, ...(this.round?.waiters ?? []), ...this.awaitingApply.map((item) => item.waiter)];
    this.queued = [];
    this.round = null;
    this.awaitingApply = [];
    for (const w of all) w.reject(err);
  }

  pendingCount(): number {
    return this.queued.length + (this.round?.waiters.length ?? 0) + this.awaitingApply.length;
  }

  private startRound(): void {
    if (this.queued.length === 0) return;
    const round: ReadRound = { waiters: this.queued, contexts: new Set(), lastTryAt: 0 };
    this.queued = [];
    this.round = round;
    if (!this.ask(round)) {
      // No leader at all: fail fast rather than make every caller wait out the timeout.
      this.round = null;
      for (const w of round.waiters) w.reject(new NoLeaderError());
    }
  }

  private ask(round: ReadRound): boolean {
    const context = Buffer.allocUnsafe(8);
    context.writeDoubleBE(this.nextContext++);
    round.contexts.add(contextKey(context));
    round.lastTryAt = this.deps.now();
    return this.deps.requestRead(new Uint8Array(context));
  }
}
