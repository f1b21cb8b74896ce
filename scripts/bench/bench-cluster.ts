/**
 * A 3-node cluster (raftkv or etcd) for one benchmark run: temp data dirs, free 127.0.0.1 ports, and the node
 * operations the workloads need (find the leader, stop and respawn a node). Reuses the launcher's layout and process code.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freeConsecutiveLoopbackPorts } from '@raftkv/cnet';
import { agreedLeader, queryStatuses } from '../cluster/cluster-status.js';
import { clusterLayout, type NodeLayout } from '../cluster/layout.js';
import { processState, spawnNode, spawned, stopProcess } from '../cluster/processes.js';

export const NODES = 3;
const POLL_MS = 100;

export interface ClusterConfig {
  /** Executable and arguments before the node flags: [node, …args, raftkv.js] or [etcd]. */
  command: string[];
  /** Holds data/ and logs/. */
  dir: string;
  heartbeatMs: number;
  electionMs: number;
  snapshotCount: number;
  startTimeoutMs: number;
}

export interface ClusterNode extends NodeLayout {
  pid: number;
  running: boolean;
  /** False once the benchmark stopped or killed it on purpose: only an unwanted exit is a failure. */
  wanted: boolean;
}

function logTail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export class BenchCluster {
  private constructor(
    readonly config: ClusterConfig,
    readonly nodes: ClusterNode[],
  ) {}

  static async start(config: ClusterConfig): Promise<BenchCluster> {
    const basePort = await freeConsecutiveLoopbackPorts(2 * NODES);
    const layout = clusterLayout({
      nodes: NODES,
      basePort,
      dir: config.dir,
      enableFaultInjection: false,
      heartbeatMs: config.heartbeatMs,
      electionMs: config.electionMs,
    });
    const cluster = new BenchCluster(
      config,
      layout.map((n) => ({ ...n, args: [...n.args, '--snapshot-count', String(config.snapshotCount)], pid: 0, running: false, wanted: false })),
    );
    try {
      for (const node of cluster.nodes) await cluster.spawn(node);
      await cluster.leader(config.startTimeoutMs);
    } catch (err) {
      await cluster.stop(2000);
      throw err;
    }
    return cluster;
  }

  private async spawn(node: ClusterNode): Promise<void> {
    const child: ChildProcess = spawnNode(this.config.command, node);
    node.pid = await spawned(child);
    node.running = true;
    node.wanted = true;
    child.once('exit', () => {
      if (node.pid === child.pid) node.running = false;
    });
  }

  running(): ClusterNode[] {
    return this.nodes.filter((n) => n.running);
  }

  /** Waits until every running node answers and agrees on a leader; its node and term. */
  async leader(timeoutMs: number): Promise<{ node: ClusterNode; term: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dead = this.nodes.find((n) => n.wanted && !n.running);
      if (dead) throw new Error(`${dead.name} exited:\n${logTail(dead.logFile, 15)}`);
      const live = this.running();
      const statuses = await queryStatuses(live, 1000);
      const name = agreedLeader(statuses);
      const status = statuses.find((s) => s.node.name === name)?.status;
      if (name !== undefined && status && statuses.every((s) => s.status)) return { node: live.find((n) => n.name === name)!, term: Number(status.raftTerm) };
      if (Date.now() >= deadline) {
        const answers = statuses.map((s) => `${s.node.name}: ${s.status ? `leader ${s.status.leader}` : s.error}`).join('; ');
        throw new Error(`no agreed leader within ${timeoutMs} ms (${answers}); logs in ${path.join(this.config.dir, 'logs')}`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stopNode(node: ClusterNode, graceMs: number): Promise<void> {
    node.wanted = false;
    if (node.running) await stopProcess(node.pid, graceMs);
    node.running = false;
  }

  /** Starts a stopped node again with the same flags and data dir. */
  async respawn(node: ClusterNode): Promise<void> {
    if (node.running) throw new Error(`${node.name} is still running`);
    await this.spawn(node);
  }

  /** The load generator SIGKILLed this node. */
  markKilled(node: ClusterNode): void {
    node.wanted = false;
    node.running = false;
  }

  async stop(graceMs: number): Promise<void> {
    for (const n of this.nodes) n.wanted = false;
    await Promise.all(this.nodes.filter((n) => n.pid !== 0 && processState(n.pid) !== 'gone').map((n) => stopProcess(n.pid, graceMs)));
    for (const n of this.nodes) n.running = false;
  }
}
