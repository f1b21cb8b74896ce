/** Measurements that disturb the cluster: restart of a node holding many keys, and failover after SIGKILL of the leader. */
import { performance } from 'node:perf_hooks';
import type { BenchCluster, ClusterNode } from './bench-cluster.js';
import { HttpPoster } from './http-poster.js';
import { FILL_BATCH, dataKey, rangeBody } from './kv-bodies.js';
import { runLoadInChild } from './loadgen.js';
import type { LoadResult, LoadSpec } from './loadgen-protocol.js';
import type { RssSampler } from './rss-sampler.js';

/** Puts draw their keys from this many. */
export const PUT_KEYS = 100_000;
export const STOP_GRACE_MS = 10_000;
/** Failover load: clients give up on a request after this and send another, so a write lost with the old leader does not hide the new one. */
const FAILOVER_RETRY_MS = 200;
const FAILOVER_CLIENTS = 16;

export interface RestartResult {
  keys: number;
  fillMs: number;
  node: string;
  /** Spawn of the stopped node → its first HTTP answer of any kind (process start and opening its data). */
  firstAnswerMs: number | null;
  /** Spawn of the stopped node → its first successful linearizable read; null when it never served one. */
  restartMs: number | null;
}

export interface FailoverRun extends LoadResult {
  killed: string;
  clients: number;
  retryAfterMs: number;
}

/** Writes keys dataKey(0 … keys-1) through the leader in txns of FILL_BATCH puts; the time it took. */
export async function fill(cluster: BenchCluster, keys: number): Promise<number> {
  const { node } = await cluster.leader(10_000);
  const started = performance.now();
  const result = await runLoadInChild({
    kind: 'fill',
    endpoints: [node.clientUrl],
    clients: 8,
    warmupMs: 0,
    durationMs: 600_000,
    keySpace: keys,
    requestTimeoutMs: 30_000,
  });
  const batches = Math.ceil(keys / FILL_BATCH);
  if (result.ops < batches) throw new Error(`writing ${keys} keys: only ${result.ops}/${batches} batches succeeded (${Object.keys(result.errorSamples).join('; ')})`);
  return performance.now() - started;
}

/** Polls a linearizable read of `key` on the node: when it first answered at all, and when the read first succeeded. */
async function waitForLinearizableRead(node: ClusterNode, key: string, timeoutMs: number): Promise<{ answeredAt: number | null; readAt: number | null }> {
  const poster = new HttpPoster([node.clientUrl], 1);
  const deadline = performance.now() + timeoutMs;
  let answeredAt: number | null = null;
  try {
    while (performance.now() < deadline && node.running) {
      try {
        const reply = await poster.post(0, '/v3/kv/range', rangeBody(key, false), 1000);
        answeredAt ??= performance.now();
        if (reply.status === 200 && (JSON.parse(reply.body) as { count?: string }).count === '1') return { answeredAt, readAt: performance.now() };
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return { answeredAt, readAt: null };
  } finally {
    poster.close();
  }
}

export async function measureRestart(cluster: BenchCluster, keys: number, log: (l: string) => void): Promise<RestartResult> {
  log(`  writing ${keys} keys for the restart …`);
  const fillMs = await fill(cluster, keys);
  const { node: leader } = await cluster.leader(10_000);
  const node = cluster.running().find((n) => n !== leader)!;
  await cluster.stopNode(node, STOP_GRACE_MS);
  const spawnedAt = performance.now();
  await cluster.respawn(node);
  const { answeredAt, readAt } = await waitForLinearizableRead(node, dataKey(keys - 1), 120_000);
  const since = (t: number | null): number | null => (t === null ? null : t - spawnedAt);
  const result = { keys, fillMs: Math.round(fillMs), node: node.name, firstAnswerMs: since(answeredAt), restartMs: since(readAt) };
  const ms = (v: number | null): string => (v === null ? 'never' : `${v.toFixed(0)} ms`);
  log(`  restart    ${node.name} with ${keys} keys: first HTTP answer ${ms(result.firstAnswerMs)}, first linearizable read ${ms(result.restartMs)} after spawn (fill took ${result.fillMs} ms)`);
  return result;
}

export async function measureFailover(cluster: BenchCluster, sampler: RssSampler, log: (l: string) => void): Promise<FailoverRun> {
  // Every node must be back (after the restart) so the remaining two keep a quorum.
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
  const result = await runLoadInChild(spec);
  const f = result.failover;
  log(
    `  failover   SIGKILL ${leader.name} (term ${term}): ${f?.recoveredAfterMs == null ? 'no write acknowledged by a new leader within 20 s' : `first write under term ${f.newTerm} after ${f.recoveredAfterMs.toFixed(0)} ms`}, ${f?.errorsAfterKill ?? 0} failed or abandoned requests`,
  );
  return { ...result, killed: leader.name, clients: FAILOVER_CLIENTS, retryAfterMs: FAILOVER_RETRY_MS };
}
