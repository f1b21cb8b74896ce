/**
 * The demo's compiled modules, loaded from scripts/dist at run time: the test project cannot import scripts'
 * sources (outside its rootDir), and a static relative path would differ between test/demo and test/dist/demo.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** test/dist/demo → the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export type OptionsModule = typeof import('../../scripts/dist/demo/options.js');
export type ScenesModule = typeof import('../../scripts/dist/demo/scenes.js');
export type RecordsModule = typeof import('../../scripts/dist/demo/records.js');
export type WindowStatsModule = typeof import('../../scripts/dist/demo/window-stats.js');
export type TimelineModule = typeof import('../../scripts/dist/demo/timeline.js');
export type VerifyModule = typeof import('../../scripts/dist/demo/verify.js');
export type MonitorModule = typeof import('../../scripts/dist/demo/monitor.js');
export type WorkloadModule = typeof import('../../scripts/dist/demo/workload.js');

export function demoModule<T>(file: string): Promise<T> {
  return import(pathToFileURL(path.join(REPO_ROOT, 'scripts/dist/demo', file)).href) as Promise<T>;
}
