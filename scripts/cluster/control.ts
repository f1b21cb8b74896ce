/** Subcommands acting on a running cluster through its state file: status, stop, kill, restart, pause, resume. */
import { processStates, queryStatuses, statusTable } from './cluster-status.js';
import { isLauncherProcess, isNodeProcess, signal, spawnNode, spawned, stopProcess } from './processes.js';
import { findNode, readState, removeState, writeState, type ClusterState } from './state.js';
import { stopAll, waitForExit } from './start.js';

function requireState(dir: string): ClusterState {
  const state = readState(dir);
  if (!state) throw new Error(`no cluster state in ${dir}: start one with \`npm start\` (or pass the same --base-port/--dir)`);
  return state;
}

export async function showStatus(dir: string): Promise<number> {
  const state = requireState(dir);
  const statuses = await queryStatuses(state.nodes, 2000);
  process.stdout.write(statusTable(statuses, processStates(state.nodes)));
  return 0;
}

export async function stopCluster(dir: string, graceMs: number): Promise<number> {
  const state = requireState(dir);
  // The foreground launcher stops its nodes itself when told to; whatever is left is stopped here.
  if (state.launcherPid !== process.pid && isLauncherProcess(state.launcherPid)) {
    signal(state.launcherPid, 'SIGTERM');
    await waitForExit(state.launcherPid, graceMs + 5000);
  }
  await stopAll(dir, state.nodes, graceMs);
  removeState(dir);
  process.stdout.write('stopped.\n');
  return 0;
}

export async function signalNode(dir: string, name: string, sig: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): Promise<number> {
  const node = findNode(requireState(dir), name);
  if (!isNodeProcess(node.pid, node)) throw new Error(`${name} is not running (pid ${node.pid} is gone)`);
  signal(node.pid, sig);
  const what = sig === 'SIGKILL' ? 'killed' : sig === 'SIGSTOP' ? 'paused' : 'resumed';
  process.stdout.write(`${name} (pid ${node.pid}) ${what}\n`);
  return 0;
}

export async function restartNode(dir: string, name: string, graceMs: number): Promise<number> {
  const state = requireState(dir);
  const node = findNode(state, name);
  if (isNodeProcess(node.pid, node)) await stopProcess(node.pid, graceMs);
  const child = spawnNode(state.command, node);
  node.pid = await spawned(child);
  child.unref();
  writeState(state);
  process.stdout.write(`${name} restarted (pid ${node.pid}); log: ${node.logFile}\n`);
  return 0;
}
