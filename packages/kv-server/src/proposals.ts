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
  private readonly inflight = new Set<() => void>();
  /** Requests waiting for a leader change; one raft listener serves them all (no listener per request). */
  private readonly leaderWatchers = new Set<(leader: string | null, term: number) => void>();
  private readonly onLeader = (leader: string | null, term: number) => {
    for (const watch of [...this.leaderWatchers]) watch(leader, term);
  };

  constructor(
    private readonly raft: RaftHandle,
    private readonly backend: KvBackend,
    private readonly options: ProposerOptions,
  ) {
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
    const startTerm = this.raft.status().term;
    let attempts = 0;
    let leaderChanged = false;
    return new Promise<T>((resolve, reject) => {
      const tryOnce = () => {
        try {
          attempts++;
          attempt();
        } catch (err) {
          if (err instanceof NoLeaderError) return; // wait for a leader event or the next retry
          finish(() => reject(toKvError(err)));
        }
      };
      const onLeader = (leader: string | null, term: number) => {
        if (term !== startTerm) leaderChanged = true;
        if (leader !== null) tryOnce();
      };
      const retryTimer = setInterval(tryOnce, this.options.retryIntervalMs);
      const deadline = setTimeout(() => {
        const status = this.raft.status();
        const message = status.leader === null ? ERR_NO_LEADER : leaderChanged ? ERR_LEADER_CHANGED : ERR_TIMEOUT;
        this.options.logger?.warn({ label, attempts }, message);
        finish(() => reject(new KvError(14, message)));
      }, this.options.requestTimeoutMs);
      const stop = () => finish(() => reject(new KvError(14, ERR_STOPPING)));
      let finished = false;
      const finish = (settle: () => void) => {
        if (finished) return;
        finished = true;
        clearInterval(retryTimer);
        clearTimeout(deadline);
        this.leaderWatchers.delete(onLeader);
        this.inflight.delete(stop);
        settle();
      };
      this.inflight.add(stop);
      this.leaderWatchers.add(onLeader);
      settled.then(
        (value) => finish(() => resolve(value)),
        (err: unknown) => finish(() => reject(toKvError(err))),
      );
      tryOnce();
    });
  }

  /** Fails every waiting request (the node is shutting down). */
  stop(): void {
    this.stopped = true;
    this.raft.off('leader', this.onLeader);
    for (const stop of [...this.inflight]) stop();
  }
}

function toKvError(err: unknown): KvError {
  if (err instanceof KvError) return err;
  if (err instanceof NoLeaderError) return new KvError(14, ERR_NO_LEADER);
  if (err instanceof NodeStoppedError) return new KvError(14, ERR_STOPPING);
  return new KvError(2, err instanceof Error ? err.message : String(err));
}
