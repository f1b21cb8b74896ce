/**
 * The demo's own 3-node raftkv cluster: free 127.0.0.1 ports, --enable-fault-injection, and the operations the scenes
 * need (statuses, fault plans for every node, stop). Reuses the launcher's layout and process code.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { EtcdJsonClient } from '@raftkv/kv-server';
import { freeConsecutiveLoopbackPorts, type FaultPlan } from '@raftkv/cnet';
import { agreedLeader, queryStatuses, type NodeStatus } from '../cluster/cluster-status.js';
import { clusterLayout, type NodeLayout } from '../cluster/layout.js';
import { commandFor, signal, spawnNode, spawned, stopProcess } from '../cluster/processes.js';

const NODES = 3;
const FAULT_ROUTE = '/raftkv/fault';

export interface DemoClusterOptions {
  binary: string;
  dir: string;
  heartbeatMs: number;
  electionMs: number;
}

export interface DemoNode extends NodeLayout {
  pid: number;
  exited: boolean;
}

export function logTail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export class DemoCluster {
  private stopping = false;
  private readonly admin: EtcdJsonClient;

  private constructor(readonly nodes: DemoNode[]) {
    this.admin = new EtcdJsonClient({ endpoints: nodes.map((n) => n.clientUrl), commandTimeoutMs: 2000 });
  }

  /** Starts the nodes; `onSpawn` learns each pid at once (so an interrupted start can still be cleaned up). */
  static async start(o: DemoClusterOptions, onSpawn: (cluster: DemoCluster) => void): Promise<DemoCluster> {
    const layout = clusterLayout({
      nodes: NODES,
      basePort: await freeConsecutiveLoopbackPorts(2 * NODES),
      dir: o.dir,
      enableFaultInjection: true,
      heartbeatMs: o.heartbeatMs,
      electionMs: o.electionMs,
      memberClientUrls: true,
    });
    const cluster = new DemoCluster(layout.map((n) => ({ ...n, pid: 0, exited: false })));
    onSpawn(cluster);
    const command = commandFor(o.binary);
    for (const node of cluster.nodes) {
      const child: ChildProcess = spawnNode(command, node);
      node.pid = await spawned(child);
      child.once('exit', () => {
        node.exited = true;
      });
    }
    return cluster;
  }

  get names(): string[] {
    return this.nodes.map((n) => n.name);
  }

  /** A node that exited although nobody stopped it, with its log's tail. */
  crashed(): string | undefined {
    if (this.stopping) return undefined;
    const dead = this.nodes.find((n) => n.exited);
    return dead && `${dead.name} exited unexpectedly; its log (${dead.logFile}) ends:\n${logTail(dead.logFile, 15)}`;
  }

  statuses(timeoutMs = 1000): Promise<NodeStatus[]> {
    return queryStatuses(this.nodes, timeoutMs);
  }

  /** Waits until every node answers and agrees on a leader; its name. */
  async waitForLeader(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const crash = this.crashed();
      if (crash !== undefined) throw new Error(crash);
      const statuses = await this.statuses();
      const leader = agreedLeader(statuses);
      if (leader !== undefined && statuses.every((s) => s.status)) return leader;
      if (Date.now() >= deadline) throw new Error(`no agreed leader within ${timeoutMs} ms (logs in ${this.nodes[0]!.logFile.replace(/[^/]+$/, '')})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends the plan to every node; names the nodes that refused or did not answer. */
  async setFaults(plan: FaultPlan): Promise<void> {
    const failures: string[] = [];
    await Promise.all(
      this.nodes.map((n) =>
        this.admin.callAt(n.clientUrl, 'POST', FAULT_ROUTE, plan, 2000).catch((err: Error) => failures.push(`${n.name}: ${err.message}`)),
      ),
    );
    if (failures.length > 0) throw new Error(`fault plan not applied on ${failures.join('; ')}`);
  }

  /** SIGTERM every node, SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.admin.close();
    await Promise.all(this.nodes.filter((n) => n.pid > 0 && !n.exited).map((n) => stopProcess(n.pid, graceMs)));
  }

  /** Last resort on process exit (synchronous): SIGKILL whatever still runs. */
  killNow(): void {
    this.stopping = true;
    for (const n of this.nodes) if (n.pid > 0 && !n.exited) signal(n.pid, 'SIGKILL');
  }
}
