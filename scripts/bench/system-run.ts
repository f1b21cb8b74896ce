/** Runs the selected workloads against one fresh 3-node cluster of one system. */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchCluster, type ClusterNode } from './bench-cluster.js';
import { HttpPoster } from './http-poster.js';
import { cpuMsSince, readNodeCpu } from './node-cpu.js';
import { FILL_BATCH, dataKey, rangeBody } from './kv-bodies.js';
import { runLoadInChild } from './loadgen.js';
import type { LoadResult, LoadSpec } from './loadgen-protocol.js';
import type { BenchOptions, SystemName } from './options.js';
import { RssSampler } from './rss-sampler.js';
import { LOAD_WORKLOADS, type Target } from './workloads.js';

/** Puts draw keys from this many; reads from the first READ_KEYS, written before the first read workload. */
const PUT_KEYS = 100_000;
const READ_KEYS = 1_000;
const REQUEST_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 10_000;
/** Failover load: clients give up on a request after this and send another, so a write lost with the old leader does not hide the new one. */
const FAILOVER_RETRY_MS = 200;
const FAILOVER_CLIENTS = 16;

export interface WorkloadResult extends LoadResult {
  name: string;
  clients: number;
  target: Target;
  /** The leader when the workload started. */
  leader: string;
  /** CPU time of all three nodes over the run (warm-up included) divided by the requests answered. */
  nodeCpuMsPerOp: number;
}

export interface RestartResult {
  keys: number;
  fillMs: number;
  node: string;
  /** Spawn of the stopped node → its first successful linearizable read; null when it never answered. */
  restartMs: number | null;
}

export interface FailoverRun extends LoadResult {
  killed: string;
  clients: number;
  retryAfterMs: number;
}

export interface SystemResult {
  system: SystemName;
  command: string[];
  workloads: WorkloadResult[];
  restart?: RestartResult;
  failover?: FailoverRun;
  /** Peak RSS (VmHWM) per node name, MiB. */
  peakRssMb: Record<string, number>;
  /** Set when the run stopped early. */
  failure?: string;
}

export interface SystemRunContext {
  system: SystemName;
  command: string[];
  dir: string;
  log: (line: string) => void;
}

/** Clusters currently running, so an interrupted benchmark can stop them. */
export const activeClusters = new Set<BenchCluster>();

function describeLoad(r: LoadResult): string {
  const l = r.latencyMs;
  const errs = r.errors > 0 ? ` errors ${r.errors} (${Object.keys(r.errorSamples).slice(0, 2).join('; ')})` : '';
  return `${r.throughput.toFixed(0)} ops/s, p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(1)} ms, client CPU ${r.clientCpuPercent.toFixed(0)}%${errs}`;
}

async function fill(cluster: BenchCluster, keys: number): Promise<number> {
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

async function waitForLinearizableRead(node: ClusterNode, key: string, timeoutMs: number): Promise<number | null> {
  const poster = new HttpPoster([node.clientUrl], 1);
  const deadline = performance.now() + timeoutMs;
  try {
    while (performance.now() < deadline && node.running) {
      try {
        const reply = await poster.post(0, '/v3/kv/range', rangeBody(key, false), 1000);
        if (reply.status === 200 && (JSON.parse(reply.body) as { count?: string }).count === '1') return performance.now();
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return null;
  } finally {
    poster.close();
  }
}

async function measureRestart(cluster: BenchCluster, keys: number, log: (l: string) => void): Promise<RestartResult> {
  log(`  writing ${keys} keys for the restart …`);
  const fillMs = await fill(cluster, keys);
  const { node: leader } = await cluster.leader(10_000);
  const node = cluster.running().find((n) => n !== leader)!;
  await cluster.stopNode(node, STOP_GRACE_MS);
  const spawnedAt = performance.now();
  await cluster.respawn(node);
  const readAt = await waitForLinearizableRead(node, dataKey(keys - 1), 120_000);
  const result = { keys, fillMs: Math.round(fillMs), node: node.name, restartMs: readAt === null ? null : readAt - spawnedAt };
  log(`  restart    ${node.name} with ${keys} keys: ${result.restartMs === null ? 'never served a read' : `${result.restartMs.toFixed(0)} ms to a linearizable read`} (fill took ${result.fillMs} ms)`);
  return result;
}

async function measureFailover(cluster: BenchCluster, sampler: RssSampler, log: (l: string) => void): Promise<FailoverRun> {
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

export async function runSystem(opts: BenchOptions, ctx: SystemRunContext): Promise<SystemResult> {
  const { log } = ctx;
  const result: SystemResult = { system: ctx.system, command: ctx.command, workloads: [], peakRssMb: {} };
  log(`\n${ctx.system}: starting 3 nodes (${ctx.command.map((a) => path.basename(a)).join(' ')}) in ${ctx.dir}`);
  const cluster = await BenchCluster.start({
    command: ctx.command,
    dir: ctx.dir,
    heartbeatMs: opts.heartbeatMs,
    electionMs: opts.electionMs,
    snapshotCount: opts.snapshotCount,
    startTimeoutMs: 60_000,
  });
  activeClusters.add(cluster);
  log(`  nodes: ${cluster.nodes.map((n) => `${n.name} pid ${n.pid} ${n.clientUrl}`).join(', ')}`);
  const sampler = new RssSampler(() => cluster.nodes);
  sampler.start();
  try {
    const loads = LOAD_WORKLOADS.filter((w) => opts.workloads.includes(w.name));
    if (loads.some((w) => w.kind.startsWith('range'))) await fill(cluster, READ_KEYS);
    for (const w of loads) {
      const { node: leader } = await cluster.leader(30_000);
      const endpoints = w.target === 'leader' ? [leader.clientUrl] : cluster.running().map((n) => n.clientUrl);
      const cpuBefore = readNodeCpu(cluster.nodes);
      const load = await runLoadInChild({
        kind: w.kind,
        endpoints,
        clients: w.clients,
        warmupMs: opts.warmupMs,
        durationMs: opts.durationMs,
        keySpace: w.kind.startsWith('range') ? READ_KEYS : PUT_KEYS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      });
      const nodeCpuMsPerOp = load.allOps > 0 ? cpuMsSince(cpuBefore, cluster.nodes) / load.allOps : NaN;
      result.workloads.push({ name: w.name, clients: w.clients, target: w.target, leader: leader.name, nodeCpuMsPerOp, ...load });
      log(`  ${w.name.padEnd(24)} ${describeLoad(load)}, nodes' CPU ${(1000 * nodeCpuMsPerOp).toFixed(0)} µs/op${load.casMisses > 0 ? `, ${load.casMisses} failed compares` : ''}`);
    }
    if (opts.workloads.includes('restart')) result.restart = await measureRestart(cluster, opts.restartKeys, log);
    if (opts.workloads.includes('failover')) result.failover = await measureFailover(cluster, sampler, log);
  } catch (err) {
    result.failure = (err as Error).message;
    log(`  ${ctx.system} run stopped: ${result.failure}`);
  } finally {
    sampler.stop();
    result.peakRssMb = sampler.peaksMb();
    await cluster.stop(STOP_GRACE_MS);
    activeClusters.delete(cluster);
  }
  log(`  peak RSS (MiB): ${Object.entries(result.peakRssMb).map(([n, mb]) => `${n} ${mb}`).join(', ')}`);
  return result;
}
