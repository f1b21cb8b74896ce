/** Starting, signalling and stopping node processes, checking a pid still belongs to the node before signalling it. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { NodeLayout } from './layout.js';

export type ProcessState = 'running' | 'paused' | 'gone';

/** A `.js` binary runs under this node; anything else (e.g. etcd) is executed directly. */
export function commandFor(binary: string): string[] {
  return binary.endsWith('.js') ? [process.execPath, binary] : [binary];
}

/** Starts a node detached (its own process group: Ctrl-C reaches the launcher only), output appended to its log. */
export function spawnNode(command: string[], node: NodeLayout): ChildProcess {
  fs.mkdirSync(node.dataDir, { recursive: true });
  fs.mkdirSync(path.dirname(node.logFile), { recursive: true });
  const fd = fs.openSync(node.logFile, 'a');
  try {
    fs.writeSync(fd, `\n=== ${new Date().toISOString()} starting ${node.name}: ${[...command, ...node.args].join(' ')}\n`);
    const child = spawn(command[0]!, [...command.slice(1), ...node.args], { detached: true, stdio: ['ignore', fd, fd] });
    return child;
  } finally {
    fs.closeSync(fd);
  }
}

/** Waits until the child has a pid or failed to spawn (e.g. the binary does not exist). */
export function spawned(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    if (child.pid !== undefined) return resolve(child.pid);
    child.once('error', reject);
    child.once('spawn', () => resolve(child.pid!));
  });
}

/** Linux /proc state letter: T (stopped) is paused, Z (zombie) or missing is gone. */
export function processState(pid: number): ProcessState {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'running' : 'gone';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const letter = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (letter === 'Z' || letter === 'X') return 'gone';
    if (letter === 'T' || letter === 't') return 'paused';
  } catch {
    // No /proc (not Linux): signal 0 succeeding is all we know.
  }
  return 'running';
}

/** True when pid is alive and (where /proc exists) its command line names this node's data dir: pids get reused. */
export function isNodeProcess(pid: number, node: NodeLayout): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || processState(pid) === 'gone') return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(node.dataDir);
  } catch {
    return true;
  }
}

/** True when pid is alive and (where /proc exists) runs the launcher's `start`: never signal a reused pid. */
export function isLauncherProcess(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || processState(pid) === 'gone') return false;
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((a) => a.endsWith('cluster.js')) && argv.includes('start');
  } catch {
    return true;
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export async function waitUntil(condition: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return true;
}

/**
 * SIGTERM (with SIGCONT, so a paused node can act on it), then SIGKILL if it is still alive after `graceMs`.
 * Resolves once the process is gone (or after a last bounded wait).
 */
export async function stopProcess(pid: number, graceMs: number): Promise<'stopped' | 'killed' | 'gone'> {
  if (processState(pid) === 'gone') return 'gone';
  signal(pid, 'SIGTERM');
  signal(pid, 'SIGCONT');
  if (await waitUntil(() => processState(pid) === 'gone', graceMs)) return 'stopped';
  signal(pid, 'SIGKILL');
  await waitUntil(() => processState(pid) === 'gone', 5000);
  return 'killed';
}
