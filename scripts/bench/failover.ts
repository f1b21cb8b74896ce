/**
 * The failover workload, repeated: each round SIGKILLs the leader under write load and times the first write
 * acknowledged under a newer term, then restarts the killed node with its data and waits until it has caught up.
 * Election timeouts are randomized, so one sample says little; the median of several does.
 */
import { performance } from 'node:perf_hooks';
import { queryStatuses } from '../cluster/cluster-status.js';
import { processState, waitUntil } from '../cluster/processes.js';
import type { BenchCluster, ClusterNode } from './bench-cluster.js';
import { dataKey } from './kv-bodies.js';
import { runLoadInChild } from './loadgen.js';
import type { LoadResult, LoadSpec } from './loadgen-protocol.js';
import { PUT_KEYS, waitForLinearizableRead } from './recovery.js';
import type { RssSampler } from './rss-sampler.js';
import { summarizeRounds } from './stats.js';

/** Failover load: clients give up on a request after this and send another, so a write lost with the old leader does not hide the new one. */
const FAILOVER_RETRY_MS = 200;
const FAILOVER_CLIENTS = 16;
/** A restarted node replays its log and may receive a snapshot: generous, the machine is shared. */
const CATCH_UP_TIMEOUT_MS = 120_000;
const POLL_MS = 100;

export interface FailoverRound extends LoadResult {
  /** 1-based. */
  round: number;
  killed: string;
  termBefore: number;
  /** Respawn of the killed node → it applied the leader's commit index and served a linearizable read; absent after the last round. */
  catchUpMs?: number;
}

export interface FailoverRun {
  clients: number;
  retryAfterMs: number;
  rounds: FailoverRound[];
  /** Per round, kill → first write acknowledged under a newer term (ms); null when none came in time. */
  samplesMs: Array<number | null>;
  minMs: number | null;
  /** A round without recovery counts as slower than any other. */
  medianMs: number | null;
  maxMs: number | null;
}

/** A result file written before failover was repeated: one round, its sample in failover.recoveredAfterMs. */
export interface SingleFailoverRun extends LoadResult {
  killed: string;
  clients: number;
  retryAfterMs: number;
}

export function emptyFailoverRun(): FailoverRun {
  return { clients: FAILOVER_CLIENTS, retryAfterMs: FAILOVER_RETRY_MS, rounds: [], samplesMs: [], minMs: null, medianMs: null, maxMs: null };
}

/** The per-round samples of either file format. */
export function failoverSamples(run: FailoverRun | SingleFailoverRun): Array<number | null> {
  return 'samplesMs' in run ? run.samplesMs : [run.failover?.recoveredAfterMs ?? null];
}

/** Appends a round and recomputes min / median / max over every sample so far. */
export function addRound(run: FailoverRun, round: FailoverRound): void {
  run.rounds.push(round);
  run.samplesMs.push(round.failover?.recoveredAfterMs ?? null);
  const { min, median, max } = summarizeRounds(run.samplesMs);
  Object.assign(run, { minMs: min, medianMs: median, maxMs: max });
}

const formatSample = (ms: number | null): string => (ms === null ? 'none' : ms.toFixed(0));

/** One kill of the current leader under load through the followers. */
async function killLeaderUnderLoad(cluster: BenchCluster, sampler: RssSampler, round: number): Promise<{ leader: ClusterNode; result: FailoverRound }> {
  // Every node must be up so the remaining two keep a quorum.
  const { node: leader, term } = await cluster.leader(30_000);
  const survivors = cluster.running().filter((n) => n !== leader);
  sampler.sample();
  cluster.markKilled(leader);
  const spec: LoadSpec = {
    kind: 'put',
    endpoints: survivors.map((n) => n.clientUrl),
    clients: FAILOVER_CLIENTS,
    warmupMs: 0,
    durationMs: 0,
    keySpace: PUT_KEYS,
    requestTimeoutMs: FAILOVER_RETRY_MS,
    kill: { pid: leader.pid, afterMs: 1000, termBefore: term, maxWaitMs: 20_000, settleMs: 1000 },
  };
  const load = await runLoadInChild(spec);
  return { leader, result: { round, killed: leader.name, termBefore: term, ...load } };
}

/** Waits until the cluster agrees on a leader, `node` has applied the leader's commit index, and a linearizable read through it succeeds. */
async function waitCaughtUp(cluster: BenchCluster, node: ClusterNode, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const { node: leader } = await cluster.leader(timeoutMs);
  for (;;) {
    const [l, n] = await queryStatuses([leader, node], 1000);
    if (l?.status && n?.status && n.status.raftAppliedIndex >= l.status.raftIndex) break;
    if (performance.now() >= deadline) {
      const seen = `applied ${n?.status?.raftAppliedIndex ?? n?.error}, leader ${leader.name} committed ${l?.status?.raftIndex ?? l?.error}`;
      throw new Error(`${node.name} did not catch up within ${timeoutMs} ms after its restart (${seen})`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  // The key may not exist: any 200 answer shows the node serves linearizable reads again.
  const { readAt } = await waitForLinearizableRead(node, dataKey(0), Math.max(1000, deadline - performance.now()), false);
  if (readAt === null) throw new Error(`${node.name} caught up but served no linearizable read within ${timeoutMs} ms after its restart`);
}

/** Starts the killed node again with its data and flags, once its old process is gone, and waits until it has caught up; the time that took. */
async function restartKilled(cluster: BenchCluster, node: ClusterNode): Promise<number> {
  const oldPid = node.pid;
  if (!(await waitUntil(() => processState(oldPid) === 'gone', 10_000))) throw new Error(`${node.name} (pid ${oldPid}) survived SIGKILL`);
  const spawnedAt = performance.now();
  await cluster.respawn(node);
  await waitCaughtUp(cluster, node, CATCH_UP_TIMEOUT_MS);
  return performance.now() - spawnedAt;
}

/**
 * `rounds` times: kill the leader, measure, and (before the next round) restart the killed node. Fills `run` round by
 * round, so the rounds done so far stay in the result when a later one fails.
 */
export async function measureFailover(cluster: BenchCluster, sampler: RssSampler, rounds: number, run: FailoverRun, log: (l: string) => void): Promise<void> {
  for (let round = 1; round <= rounds; round++) {
    const { leader, result } = await killLeaderUnderLoad(cluster, sampler, round);
    const f = result.failover;
    const recovered = f?.recoveredAfterMs == null ? 'no write acknowledged by a new leader within 20 s' : `first write under term ${f.newTerm} after ${f.recoveredAfterMs.toFixed(0)} ms`;
    addRound(run, result);
    log(`  failover ${round}/${rounds} SIGKILL ${leader.name} (term ${result.termBefore}): ${recovered}, ${f?.errorsAfterKill ?? 0} failed or abandoned requests`);
    if (round < rounds) {
      result.catchUpMs = Math.round(await restartKilled(cluster, leader));
      log(`  failover ${round}/${rounds} ${leader.name} restarted, caught up after ${result.catchUpMs} ms`);
    }
  }
  const misses = run.samplesMs.filter((s) => s === null).length;
  log(
    `  failover   median ${formatSample(run.medianMs)} ms of ${run.samplesMs.length} rounds (min ${formatSample(run.minMs)}, max ${formatSample(run.maxMs)}${misses > 0 ? `, ${misses} without recovery` : ''}); samples ${run.samplesMs.map(formatSample).join(' ')} ms`,
  );
}
