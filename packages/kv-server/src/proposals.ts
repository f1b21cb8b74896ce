import { v4 as uuidv4 } from 'uuid';
import { NoLeaderError, NodeStoppedError, type RaftHandle } from '@raftkv/raft';
import type { Logger } from '@raftkv/cnet';
import {
  KvError,
  type Command,
  type CommandOp,
  type CommandResponse,
  type RangeRequest,
  type RangeResponse,
  type TxnRequest,
  type TxnResponse,
} from './mvcc/types.js';

/** A write as it travels through the log (the apply loop's Command op). */
export type WriteCommand = CommandOp;

/** What applying a write produced on this node, with the store's revision right after it. */
export interface WriteOutcome {
  revision: number;
  response: CommandResponse;
}

/**
 * What the HTTP side needs of the state machine: encode a write for the log, wait for its result by request id
 * (duplicates of one id are applied once), and read the local store.
 */
export interface KvBackend {
  encodeWrite(command: Command): Uint8Array;
  /** Resolves with the outcome once the entry with this id is applied here; rejects with the KvError it produced. */
  waitApplied(requestId: string): Promise<WriteOutcome>;
  /** Stops waiting for an id (the request gave up); a later apply of it is harmless. */
  forget(requestId: string): void;
  range(req: RangeRequest): Promise<RangeResponse> | RangeResponse;
  revision(): number;
  /** With readTxn: a txn that cannot write is served as a read (after ReadIndex), not through the log. */
  isTxnReadOnly?(req: TxnRequest): boolean;
  readTxn?(req: TxnRequest): Promise<TxnResponse> | TxnResponse;
}

export interface ProposerOptions {
  /** How long a request may wait for its entry to apply (etcd: 5 s + 2 election timeouts). */
  requestTimeoutMs: number;
  /** How often an unanswered proposal is handed to raft again, with the same id. */
  retryIntervalMs: number;
  logger?: Logger;
  onOutcome?: (outcome: 'applied' | 'failed') => void;
}

export const ERR_TIMEOUT = 'etcdserver: request timed out';
export const ERR_NO_LEADER = 'etcdserver: no leader';
export const ERR_LEADER_CHANGED = 'etcdserver: leader changed';
export const ERR_STOPPING = 'etcdserver: server stopped';

/**
 * Hands writes to raft and answers them once applied locally; serves reads linearizably through ReadIndex.
 * A write keeps one request id through every retry, so the state machine's dedup makes it exactly-once.
 */
export class Proposer {
  private stopped = false;
  /** Requests not settled yet; one raft listener and one timer serve them all (none per request). */
  private readonly waiting = new Set<WaitingRequest>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly onLeader = (leader: string | null, term: number) => {
    for (const request of [...this.waiting]) request.leaderSeen(leader, term);
  };
  /** What a waiting request needs of this proposer. */
  private readonly requests: RequestHost;

  constructor(
    private readonly raft: RaftHandle,
    private readonly backend: KvBackend,
    private readonly options: ProposerOptions,
  ) {
    this.requests = {
      retryIntervalMs: options.retryIntervalMs,
      requestTimeoutMs: options.requestTimeoutMs,
      // The sweep timer stops at a sweep that finds nothing waiting, not when the last request settles: one
      // client's back-to-back requests would otherwise start and stop a timer each.
      settled: (request) => this.waiting.delete(request),
      timedOut: (request) => {
        const message = this.raft.status().leader === null ? ERR_NO_LEADER : request.leaderChanged ? ERR_LEADER_CHANGED : ERR_TIMEOUT;
        this.options.logger?.warn({ label: request.label, attempts: request.attempts }, message);
        request.finish(() => request.reject(new KvError(14, message)));
      },
    };
    raft.on('leader', this.onLeader);
  }

  /** `idempotencyKey` (a client's Idempotency-Key header) makes a client's own retry apply at most once too. */
  async write(op: WriteCommand, idempotencyKey?: string): Promise<WriteOutcome> {
    if (this.stopped) throw new KvError(14, ERR_STOPPING);
    const requestId = uuidv4();
    const command: Command = idempotencyKey !== undefined ? { id: requestId, idempotencyKey, op } : { id: requestId, op };
    const data = this.backend.encodeWrite(command);
    const applied = this.backend.waitApplied(requestId);
    try {
      const outcome = await this.untilSettled(applied, () => this.raft.propose(data), requestId);
      this.options.onOutcome?.('applied');
      return outcome;
    } catch (err) {
      this.options.onOutcome?.('failed');
      // Only a request that gave up still has a waiter (an applied one was answered and removed).
      this.backend.forget(requestId);
      throw err;
    }
  }

  /** Runs `read` once this node has applied everything committed when the read arrived. */
  async linearizableRead<T>(read: () => Promise<T> | T): Promise<T> {
    if (this.stopped) throw new KvError(14, ERR_STOPPING);
    let confirm!: () => void;
    let fail!: (err: unknown) => void;
    const confirmed = new Promise<void>((resolve, reject) => {
      confirm = resolve;
      fail = reject;
    });
    // Each attempt asks again: a read index lost with a leader change (or timed out in raft) must not end the
    // request before its own deadline; only a stopped node is final.
    const attempt = () => {
      this.raft.readIndex().then(confirm, (err: unknown) => {
        if (err instanceof NodeStoppedError) fail(err);
      });
    };
    await this.untilSettled(confirmed, attempt, 'read');
    return read();
  }

  /**
   * Calls `attempt` now, again on every leader change, and every retry interval, until `settled` resolves or the
   * deadline passes. Errors are etcd's: no leader known, the leader changed under the request, or a plain timeout.
   */
  private untilSettled<T>(settled: Promise<T>, attempt: () => void, label: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const request = new WaitingRequest(this.requests, attempt, label, this.raft.status().term, Date.now(), reject);
      this.waiting.add(request);
      this.sweepTimer ??= setInterval(() => this.sweep(), this.sweepIntervalMs());
      settled.then(
        (value) => request.finish(() => resolve(value)),
        (err: unknown) => request.finish(() => reject(toKvError(err))),
      );
      request.tryOnce();
    });
  }

  /** Retries and deadlines are checked this often: a quarter of the shorter of the two. */
  private sweepIntervalMs(): number {
    return Math.max(1, Math.min(this.options.retryIntervalMs, this.options.requestTimeoutMs) / 4);
  }

  private sweep(): void {
    if (this.waiting.size === 0) {
      this.stopSweeping();
      return;
    }
    const now = Date.now();
    for (const request of [...this.waiting]) request.tick(now);
  }

  private stopSweeping(): void {
    if (this.sweepTimer === null) return;
    clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  /** Fails every waiting request (the node is shutting down). */
  stop(): void {
    this.stopped = true;
    this.raft.off('leader', this.onLeader);
    for (const request of [...this.waiting]) request.finish(() => request.reject(new KvError(14, ERR_STOPPING)));
    this.stopSweeping();
  }
}

interface RequestHost {
  readonly retryIntervalMs: number;
  readonly requestTimeoutMs: number;
  settled(request: WaitingRequest): void;
  timedOut(request: WaitingRequest): void;
}

/** One write or read waiting to settle, with what its retries and its final error depend on. */
class WaitingRequest {
  attempts = 0;
  leaderChanged = false;
  private finished = false;
  private nextRetryAt: number;
  private readonly deadline: number;

  constructor(
    private readonly host: RequestHost,
    private readonly attempt: () => void,
    readonly label: string,
    private readonly startTerm: number,
    now: number,
    readonly reject: (err: unknown) => void,
  ) {
    this.nextRetryAt = now + host.retryIntervalMs;
    this.deadline = now + host.requestTimeoutMs;
  }

  tryOnce(): void {
    try {
      this.attempts++;
      this.attempt();
    } catch (err) {
      if (err instanceof NoLeaderError) return; // wait for a leader event or the next retry
      this.finish(() => this.reject(toKvError(err)));
    }
  }

  leaderSeen(leader: string | null, term: number): void {
    if (term !== this.startTerm) this.leaderChanged = true;
    if (leader !== null) this.tryOnce();
  }

  tick(now: number): void {
    if (now >= this.deadline) this.host.timedOut(this);
    else if (now >= this.nextRetryAt) {
      this.nextRetryAt = now + this.host.retryIntervalMs;
      this.tryOnce();
    }
  }

  finish(settle: () => void): void {
    if (this.finished) return;
    this.finished = true;
    this.host.settled(this);
    settle();
  }
}

function toKvError(err: unknown): KvError {
  if (err instanceof KvError) return err;
  if (err instanceof NoLeaderError) return new KvError(14, ERR_NO_LEADER);
  if (err instanceof NodeStoppedError) return new KvError(14, ERR_STOPPING);
  return new KvError(2, err instanceof Error ? err.message : String(err));
}
