/** Runs the cluster launcher (scripts/dist/cluster.js) as a user would, for the tests in this directory. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/scripts-module.js';

export { freeConsecutiveLoopbackPorts as freeBasePort } from '@raftkv/cnet';

/** test/dist/cluster → repository root. */
export { REPO_ROOT };
export const LAUNCHER = path.join(REPO_ROOT, 'scripts/dist/cluster.js');

interface StateNode {
  name: string;
  pid: number;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
}

export interface StateFile {
  launcherPid: number;
  nodes: StateNode[];
}

export function tempClusterDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'raftkv-cluster-test-'));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function readStateFile(dir: string): StateFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
}

export class Launcher {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  /** Every node pid ever seen in the state file, for cleanup. */
  private readonly seenPids = new Set<number>();

  constructor(
    readonly dir: string,
    args: string[],
    env: Record<string, string> = {},
  ) {
    this.child = spawn(process.execPath, [LAUNCHER, 'start', '--dir', dir, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => ((this.exitCode = code), resolve())));
  }

  get pid(): number {
    return this.child.pid!;
  }

  state(): StateFile | undefined {
    const state = readStateFile(this.dir);
    for (const n of state?.nodes ?? []) this.seenPids.add(n.pid);
    return state;
  }

  async waitForExit(timeoutMs: number): Promise<number | null> {
    await waitFor('launcher exit', () => this.exitCode !== null, timeoutMs);
    return this.exitCode;
  }

  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    await waitFor(`launcher output ${pattern}`, () => {
      if (this.exitCode !== null) throw new Error(`launcher exited (${this.exitCode}) before ${pattern}:\n${this.stdout}\n${this.stderr}`);
      return pattern.test(this.stdout);
    }, timeoutMs);
    this.state();
  }

  /** Ctrl-C, as a user would, and wait (bounded) for the launcher to exit. */
  async interrupt(timeoutMs: number): Promise<void> {
    this.state();
    this.child.kill('SIGINT');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, timeoutMs))]);
  }

  /** Kills whatever is left (launcher and every node it ever ran); safe to call twice. */
  async cleanup(): Promise<void> {
    this.state();
    if (this.exitCode === null) this.child.kill('SIGKILL');
    for (const pid of this.seenPids)
      if (alive(pid)) {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    await waitFor('every node gone', () => [...this.seenPids].every((p) => !alive(p)), 5000);
  }
}

/** Runs a one-shot launcher subcommand (status, kill, …) and collects its output. */
export function runClusterCommand(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cluster ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
