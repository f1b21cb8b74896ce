/**
 * Loads a compiled module of scripts/ (scripts/dist/…) at run time: the test project cannot import scripts' sources
 * (outside its rootDir), and a static relative path would differ between test/<dir> and test/dist/<dir>.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** test/dist/support → the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** `scriptsModule('bench/stats.js')` imports scripts/dist/bench/stats.js. */
export function scriptsModule<T>(file: string): Promise<T> {
  return import(pathToFileURL(path.join(REPO_ROOT, 'scripts/dist', file)).href) as Promise<T>;
}
