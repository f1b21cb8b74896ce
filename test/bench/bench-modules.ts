/**
 * The benchmark's compiled modules, loaded from scripts/dist at run time: the test project cannot import scripts'
 * sources (outside its rootDir), and a static relative path would differ between test/bench and test/dist/bench.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** test/dist/bench → the repository root. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export type StatsModule = typeof import('../../scripts/dist/bench/stats.js');
export type OptionsModule = typeof import('../../scripts/dist/bench/options.js');
export type WorkloadsModule = typeof import('../../scripts/dist/bench/workloads.js');
export type KvBodiesModule = typeof import('../../scripts/dist/bench/kv-bodies.js');
export type RssModule = typeof import('../../scripts/dist/bench/rss-sampler.js');
export type NodeCpuModule = typeof import('../../scripts/dist/bench/node-cpu.js');
export type ProfileSummaryModule = typeof import('../../scripts/dist/bench/profile-summary.js');
export type ReportModule = typeof import('../../scripts/dist/bench/report.js');

export function benchModule<T>(file: string): Promise<T> {
  return import(pathToFileURL(path.join(REPO_ROOT, 'scripts/dist/bench', file)).href) as Promise<T>;
}
