/** Restart of a node holding many keys (and the fill that gives it those keys). */
import { performance } from 'node:perf_hooks';
import type { BenchCluster, ClusterNode } from './bench-cluster.js';
import { HttpPoster } from './http-poster.js';
import { FILL_BATCH, dataKey, rangeBody } from './kv-bodies.js';
import { runLoadInChild } from './loadgen.js';

/** Puts draw their keys from this many. */
export const PUT_KEYS = 100_000;
export const STOP_GRACE_MS = 10_000;

export interface RestartResult {
  keys: number;
  fillMs: number;
  node: string;
  /** Spawn of the stopped node → its first HTTP answer of any kind (process start and opening its data). */
  firstAnswerMs: number | null;
  /** Spawn of the stopped node → its first successful linearizable read; null when it never served one. */
  restartMs: number | null;
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

/**
 * Polls a linearizable read of `key` on the node: when it first answered at all, and when the read first succeeded
 * (found the key, or with `mustExist` false answered 200 either way).
 */
export async function waitForLinearizableRead(node: ClusterNode, key: string, timeoutMs: number, mustExist = true): Promise<{ answeredAt: number | null; readAt: number | null }> {
  const poster = new HttpPoster([node.clientUrl], 1);
  const deadline = performance.now() + timeoutMs;
  let answeredAt: number | null = null;
  try {
    while (performance.now() < deadline && node.running) {
      try {
        const reply = await poster.post(0, '/v3/kv/range', rangeBody(key, false), 1000);
        answeredAt ??= performance.now();
        if (reply.status === 200 && (!mustExist || (JSON.parse(reply.body) as { count?: string }).count === '1')) return { answeredAt, readAt: performance.now() };
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
