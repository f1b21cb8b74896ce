/** The state file (<dir>/state.json) through which the launcher and its subcommands find a running cluster. */
import fs from 'node:fs';
import path from 'node:path';
import type { NodeLayout } from './layout.js';

export interface NodeState extends NodeLayout {
  pid: number;
}

export interface ClusterState {
  version: 1;
  dir: string;
  basePort: number;
  /** The executable and the arguments before the node flags, e.g. [node, …/raftkv.js]. */
  command: string[];
  /** The foreground `start` process that stops every node on Ctrl-C. */
  launcherPid: number;
  startedAt: string;
  nodes: NodeState[];
}

export function statePath(dir: string): string {
  return path.join(dir, 'state.json');
}

export function readState(dir: string): ClusterState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(statePath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const state = JSON.parse(text) as ClusterState;
  if (state.version !== 1 || !Array.isArray(state.nodes)) throw new Error(`${statePath(dir)} is not a state file this launcher understands`);
  return state;
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
export function writeState(state: ClusterState): void {
  const file = statePath(state.dir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

export function removeState(dir: string): void {
  fs.rmSync(statePath(dir), { force: true });
}

export function findNode(state: ClusterState, name: string): NodeState {
  const node = state.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no node named "${name}"; nodes: ${state.nodes.map((n) => n.name).join(', ')}`);
  return node;
}
