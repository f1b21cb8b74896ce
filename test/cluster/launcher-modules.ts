/**
 * The launcher's compiled modules, loaded from scripts/dist at run time: the test project cannot import scripts'
 * sources (outside its rootDir), and a static relative path would differ between test/cluster and test/dist/cluster.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './launcher-harness.js';

export type LayoutModule = typeof import('../../scripts/dist/cluster/layout.js');
export type ClusterStatusModule = typeof import('../../scripts/dist/cluster/cluster-status.js');

export function launcherModule<T>(file: string): Promise<T> {
  return import(pathToFileURL(path.join(REPO_ROOT, 'scripts/dist/cluster', file)).href) as Promise<T>;
}
