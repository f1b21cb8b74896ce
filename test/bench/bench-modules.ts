/** The benchmark's compiled modules (types, and a loader over scripts/dist/bench). */
import { scriptsModule } from '../support/scripts-module.js';

export type StatsModule = typeof import('../../scripts/dist/bench/stats.js');
export type OptionsModule = typeof import('../../scripts/dist/bench/options.js');
export type WorkloadsModule = typeof import('../../scripts/dist/bench/workloads.js');
export type KvBodiesModule = typeof import('../../scripts/dist/bench/kv-bodies.js');
export type RssModule = typeof import('../../scripts/dist/bench/rss-sampler.js');
export type NodeCpuModule = typeof import('../../scripts/dist/bench/node-cpu.js');
export type ProfileSummaryModule = typeof import('../../scripts/dist/bench/profile-summary.js');
export type HeapSummaryModule = typeof import('../../scripts/dist/bench/heap-summary.js');
export type LatencySummaryModule = typeof import('../../scripts/dist/bench/latency-summary.js');
export type ReportModule = typeof import('../../scripts/dist/bench/report.js');
export type RunSummaryModule = typeof import('../../scripts/dist/bench/run-summary.js');
export type FailoverModule = typeof import('../../scripts/dist/bench/failover.js');
export type BenchClusterModule = typeof import('../../scripts/dist/bench/bench-cluster.js');
export type DiskSyncsModule = typeof import('../../scripts/dist/bench/disk-syncs.js');

export function benchModule<T>(file: string): Promise<T> {
  return scriptsModule<T>(`bench/${file}`);
}
