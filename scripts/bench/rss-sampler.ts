/** Peak resident memory of each node: VmHWM from /proc/<pid>/status, sampled so restarted or killed nodes keep their peak. */
import fs from 'node:fs';
import type { ClusterNode } from './bench-cluster.js';

/** A kB field (VmHWM: peak resident, VmRSS: resident now) from the text of /proc/<pid>/status; undefined when absent. */
export function parseStatusKb(status: string, field: 'VmHWM' | 'VmRSS'): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  return m ? Number(m[1]) : undefined;
}

function readStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    return parseStatusKb(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), field);
  } catch {
    return undefined;
  }
}

const mib = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

/** Resident memory of each running node right now, MiB by name (to show how memory grows from workload to workload). */
export function currentRssMb(nodes: ClusterNode[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const node of nodes) {
    const kb = node.running ? readStatusKb(node.pid, 'VmRSS') : undefined;
    if (kb !== undefined) out[node.name] = mib(kb);
  }
  return out;
}

export class RssSampler {
  private readonly peakKb = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly nodes: () => ClusterNode[],
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** Reads every running node now (e.g. just before one is killed). */
  sample(): void {
    for (const node of this.nodes()) {
      if (!node.running) continue;
      const kb = readStatusKb(node.pid, 'VmHWM');
      if (kb !== undefined) this.peakKb.set(node.name, Math.max(kb, this.peakKb.get(node.name) ?? 0));
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** Peak RSS per node name, in MiB. */
  peaksMb(): Record<string, number> {
    return Object.fromEntries([...this.peakKb].sort(([a], [b]) => a.localeCompare(b)).map(([name, kb]) => [name, mib(kb)]));
  }
}
