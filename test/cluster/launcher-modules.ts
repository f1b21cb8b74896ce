/** The launcher's compiled modules (types, and a loader over scripts/dist/cluster). */
import { scriptsModule } from '../support/scripts-module.js';

export type LayoutModule = typeof import('../../scripts/dist/cluster/layout.js');
export type ClusterStatusModule = typeof import('../../scripts/dist/cluster/cluster-status.js');

export function launcherModule<T>(file: string): Promise<T> {
  return scriptsModule<T>(`cluster/${file}`);
}
