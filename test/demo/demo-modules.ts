/** The demo's compiled modules (types, and a loader over scripts/dist/demo). */
import { scriptsModule } from '../support/scripts-module.js';

export { REPO_ROOT } from '../support/scripts-module.js';

export type OptionsModule = typeof import('../../scripts/dist/demo/options.js');
export type ScenesModule = typeof import('../../scripts/dist/demo/scenes.js');
export type RecordsModule = typeof import('../../scripts/dist/demo/records.js');
export type WindowStatsModule = typeof import('../../scripts/dist/demo/window-stats.js');
export type TimelineModule = typeof import('../../scripts/dist/demo/timeline.js');
export type VerifyModule = typeof import('../../scripts/dist/demo/verify.js');
export type MonitorModule = typeof import('../../scripts/dist/demo/monitor.js');
export type WorkloadModule = typeof import('../../scripts/dist/demo/workload.js');

export function demoModule<T>(file: string): Promise<T> {
  return scriptsModule<T>(`demo/${file}`);
}
