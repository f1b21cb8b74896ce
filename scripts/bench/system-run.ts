/** Runs the selected workloads against one fresh 3-node cluster of one system. */
import path from 'node:path';
import { BenchCluster } from './bench-cluster.js';
import { runLoadInChild } from './loadgen.js';
import type { LoadResult } from './loadgen-protocol.js';
import { cpuMsSince, readNodeCpu } from './node-cpu.js';
import { describeSyncs, scrapeSyncBuckets, subtractBuckets, summarizeSyncs, type DiskSyncs } from './disk-syncs.js';
import type { BenchOptions, SystemName } from './options.js';
import { emptyFailoverRun, measureFailover, type FailoverRun } from './failover.js';
import { PUT_KEYS, STOP_GRACE_MS, fill, measureRestart, type RestartResult } from './recovery.js';
import { RssSampler, currentRssMb } from './rss-sampler.js';
import { LOAD_WORKLOADS, type Target } from './workloads.js';

/** Reads use the first READ_KEYS keys, written before the first read workload. */
const READ_KEYS = 1_000;
/** Clients of the cluster warm-up: enough to run every path (leader, followers, forwarding, batching). */
const CLUSTER_WARMUP_CLIENTS = 16;
const REQUEST_TIMEOUT_MS = 10_000;

export interface WorkloadResult extends LoadResult {
  name: string;
  clients: number;
  target: Target;
  /** The leader when the workload started. */
  leader: string;
  /** CPU time of all three nodes over the run (warm-up included) divided by the requests answered. */
  nodeCpuMsPerOp: number;
  /** Resident memory of each node right after the workload, MiB. */
  rssAfterMb: Record<string, number>;
  /** The nodes' synced log writes over the workload, from their own histograms (see disk-syncs.ts). */
  diskSyncs?: DiskSyncs;
}

export interface SystemResult {
  system: SystemName;
  command: string[];
  workloads: WorkloadResult[];
  restart?: RestartResult;
  failover?: FailoverRun;
  /** Peak RSS (VmHWM) per node name, MiB. */
  peakRssMb: Record<string, number>;
  /** The unmeasured puts right after the cluster started (see BenchOptions.clusterWarmupMs). */
  clusterWarmup?: { ms: number; clients: number; ops: number; errors: number };
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
    if (loads.length > 0 && opts.clusterWarmupMs > 0) {
      await cluster.leader(30_000);
      const warm = await runLoadInChild({
        kind: 'put',
        endpoints: cluster.running().map((n) => n.clientUrl),
        clients: CLUSTER_WARMUP_CLIENTS,
        warmupMs: 0,
        durationMs: opts.clusterWarmupMs,
        keySpace: PUT_KEYS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      });
      result.clusterWarmup = { ms: opts.clusterWarmupMs, clients: CLUSTER_WARMUP_CLIENTS, ops: warm.allOps, errors: warm.errors };
      log(`  cluster warm-up (not measured): ${warm.allOps} puts from ${CLUSTER_WARMUP_CLIENTS} clients over all members in ${opts.clusterWarmupMs} ms`);
    }
    if (loads.some((w) => w.kind.startsWith('range'))) await fill(cluster, READ_KEYS);
    for (const w of loads) {
      const { node: leader } = await cluster.leader(30_000);
      const clientUrls = cluster.running().map((n) => n.clientUrl);
      const endpoints = w.target === 'leader' ? [leader.clientUrl] : clientUrls;
      const syncsBefore = await scrapeSyncBuckets(clientUrls, ctx.system);
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
      const rssAfterMb = currentRssMb(cluster.nodes);
      const diskSyncs = summarizeSyncs(subtractBuckets(await scrapeSyncBuckets(clientUrls, ctx.system), syncsBefore));
      result.workloads.push({ name: w.name, clients: w.clients, target: w.target, leader: leader.name, nodeCpuMsPerOp, rssAfterMb, diskSyncs, ...load });
      const rss = Object.values(rssAfterMb).map((mb) => mb.toFixed(0)).join('/');
      log(`  ${w.name.padEnd(24)} ${describeLoad(load)}, nodes' CPU ${(1000 * nodeCpuMsPerOp).toFixed(0)} µs/op, RSS ${rss} MiB${load.casMisses > 0 ? `, ${load.casMisses} failed compares` : ''}`);
      log(`  ${''.padEnd(24)} ${describeSyncs(diskSyncs)}`);
    }
    if (opts.workloads.includes('restart')) result.restart = await measureRestart(cluster, opts.restartKeys, log);
    if (opts.workloads.includes('failover')) await measureFailover(cluster, sampler, opts.failoverRounds, (result.failover = emptyFailoverRun()), log);
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
