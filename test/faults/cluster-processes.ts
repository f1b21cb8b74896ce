/**
 * Real raftkv processes for the fault harness: started on free loopback ports in a temporary directory,
 * killed, paused, resumed and restarted with the same flags. Every child is SIGKILLed when this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPorts } from '@raftkv/cnet';

const RAFTKV_BIN = fileURLToPath(new URL('../../../packages/kv-server/bin/raftkv.js', import.meta.url));
const CLUSTER_TOKEN = 'raftkv-faults';

export interface ClusterOptions {
  nodes: number;
  heartbeatMs: number;
  electionMs: number;
  /** Small values make nodes snapshot and compact their logs during the run. */
  snapshotCount?: number;
  /** Where data and logs go; a fresh temporary directory when absent. */
  dir?: string;
}

export type NodeState = 'running' | 'paused' | 'down';

export interface ClusterNode {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  logFile: string;
  args: string[];
  state: NodeState;
  child?: ChildProcess;
}

/** Every child of every cluster in this process, for the exit hook. */
const liveChildren = new Set<ChildProcess>();

/** SIGKILLs every node process this process started and has not seen exit (a last-resort cleanup). */
export function killEveryNode(): number {
  let killed = 0;
  for (const child of liveChildren) {
    try {
      if (child.kill('SIGKILL')) killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}
process.on('exit', killEveryNode);

export class ClusterProcesses {
  readonly nodes: ClusterNode[];
  readonly dir: string;
  /** Nodes that exited without being killed here (a crash is a finding): "n2 exited with code 1". */
  readonly unexpectedExits: string[] = [];
  private readonly killing = new Set<ChildProcess>();
  private readonly ownsDir: boolean;

  private constructor(nodes: ClusterNode[], dir: string, ownsDir: boolean) {
    this.nodes = nodes;
    this.dir = dir;
    this.ownsDir = ownsDir;
  }

  /** Lays out the nodes (ports, directories, flags); nothing is started yet. */
  static async create(options: ClusterOptions): Promise<ClusterProcesses> {
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'raftkv-faults-'));
    const ports = await freeLoopbackPorts(2 * options.nodes);
    const names = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
    const url = (port: number): string => `http://127.0.0.1:${port}`;
    const clientUrls = names.map((_, i) => url(ports[2 * i]!));
    const peerUrls = names.map((_, i) => url(ports[2 * i + 1]!));
    const initialCluster = names.map((n, i) => `${n}=${peerUrls[i]}`).join(',');
    const initialClientUrls = names.map((n, i) => `${n}=${clientUrls[i]}`).join(',');
    const nodes = names.map((name, i): ClusterNode => {
      const dataDir = path.join(dir, 'data', name);
      const args = [
        '--name', name,
        '--data-dir', dataDir,
        '--listen-client-urls', clientUrls[i]!,
        '--advertise-client-urls', clientUrls[i]!,
        '--listen-peer-urls', peerUrls[i]!,
        '--initial-advertise-peer-urls', peerUrls[i]!,
        '--initial-cluster', initialCluster,
        '--initial-cluster-client-urls', initialClientUrls,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', CLUSTER_TOKEN,
        '--heartbeat-interval', String(options.heartbeatMs),
        '--election-timeout', String(options.electionMs),
        '--enable-fault-injection',
        '--log-level', 'warn',
      ];
      if (options.snapshotCount !== undefined) args.push('--snapshot-count', String(options.snapshotCount));
      return { name, clientUrl: clientUrls[i]!, peerUrl: peerUrls[i]!, dataDir, logFile: path.join(dir, 'logs', `${name}.log`), args, state: 'down' };
    });
    return new ClusterProcesses(nodes, dir, ownsDir);
  }

  node(name: string): ClusterNode {
    const node = this.nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`no node ${name}`);
    return node;
  }

  startAll(): void {
    for (const node of this.nodes) this.start(node.name);
  }

  /** Starts a node that is down, with its original flags and data directory. */
  start(name: string): void {
    const node = this.node(name);
    if (node.state !== 'down') return;
    fs.mkdirSync(node.dataDir, { recursive: true });
    fs.mkdirSync(path.dirname(node.logFile), { recursive: true });
    const fd = fs.openSync(node.logFile, 'a');
    try {
      fs.writeSync(fd, `\n=== ${new Date().toISOString()} starting ${name}\n`);
      const child = spawn(process.execPath, [RAFTKV_BIN, ...node.args], { stdio: ['ignore', fd, fd] });
      liveChildren.add(child);
      child.once('exit', (code, signal) => {
        liveChildren.delete(child);
        if (!this.killing.delete(child)) this.unexpectedExits.push(`${name} exited with ${signal ?? `code ${code}`}`);
        if (node.child === child) {
          node.child = undefined;
          node.state = 'down';
        }
      });
      node.child = child;
      node.state = 'running';
    } finally {
      fs.closeSync(fd);
    }
  }

  /** SIGKILL; resolves once the process has exited. */
  async kill(name: string): Promise<void> {
    const node = this.node(name);
    const child = node.child;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.killing.add(child);
    child.kill('SIGKILL');
    await exited;
  }

  pause(name: string): void {
    const node = this.node(name);
    if (node.state !== 'running' || node.child === undefined) return;
    node.child.kill('SIGSTOP');
    node.state = 'paused';
  }

  resume(name: string): void {
    const node = this.node(name);
    if (node.state !== 'paused' || node.child === undefined) return;
    node.child.kill('SIGCONT');
    node.state = 'running';
  }

  /** Names of nodes whose process runs and is not paused. */
  upNodes(): string[] {
    return this.nodes.filter((n) => n.state === 'running').map((n) => n.name);
  }

  /** The last lines of a node's log, for failure reports. */
  logTail(name: string, lines = 20): string {
    try {
      return fs.readFileSync(this.node(name).logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Kills every process (resuming paused ones is unnecessary for SIGKILL) and removes a directory we made. */
  async destroy(options: { keepDir?: boolean } = {}): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.name)));
    if (this.ownsDir && !options.keepDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
