/** What the bench process asks of its load generator child, and what it gets back. */
import type { LatencySummary } from './stats.js';
import type { LoadKind } from './workloads.js';

export interface KillPlan {
  /** The leader's pid: the load generator SIGKILLs it itself, so kill and acknowledgement times share one clock. */
  pid: number;
  afterMs: number;
  /** The leader's term before the kill: an acknowledgement carrying a larger term came through a new leader. */
  termBefore: number;
  /** Give up waiting for a new leader this long after the kill. */
  maxWaitMs: number;
  /** Keep the load running this long after recovery (errors and latency right after failover). */
  settleMs: number;
}

export interface LoadSpec {
  kind: LoadKind | 'fill';
  /** Client URLs; each client's requests rotate over them. */
  endpoints: string[];
  clients: number;
  warmupMs: number;
  durationMs: number;
  /** put/range keys are drawn from dataKey(0 … keySpace-1); fill writes exactly these keys. */
  keySpace: number;
  /** Under a kill plan, client c waits requestTimeoutMs × (1 + c/clients) before giving up on a request. */
  requestTimeoutMs: number;
  kill?: KillPlan;
}

export interface FailoverResult {
  /** Time from SIGKILL to the first write acknowledged under a newer term; null when none came within maxWaitMs. */
  recoveredAfterMs: number | null;
  newTerm: number | null;
  errorsAfterKill: number;
}

export interface LoadResult {
  /** Requests completed without error during the measurement. */
  ops: number;
  /** Including the warm-up: what the nodes' CPU time over the whole run is divided by. */
  allOps: number;
  errors: number;
  /** Up to a few distinct error texts with their counts. */
  errorSamples: Record<string, number>;
  elapsedMs: number;
  /** ops per second. */
  throughput: number;
  latencyMs: LatencySummary;
  /** CPU the load generator used over its whole run, as % of one core: near 100 means the client limited the result. */
  clientCpuPercent: number;
  /** txn-cas: compares that failed (each client owns its key, so this should stay 0). */
  casMisses: number;
  failover?: FailoverResult;
}

export type ChildReply = { ok: true; result: LoadResult } | { ok: false; error: string };
