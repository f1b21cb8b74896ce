/** Peak resident memory of each node: VmHWM from /proc/<pid>/status, sampled so restarted or killed nodes keep their peak. */
import fs from 'node:fs';
import type { ClusterNode } from './bench-cluster.js';

/** VmHWM in kB from the text of /proc/<pid>/status; undefined when absent. */
export function parseVmHwmKb(status: string): number | undefined {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

function readVmHwmKb(pid: number): number | undefined {
  try {
    return parseVmHwmKb(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
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
      const kb = readVmHwmKb(node.pid);
      if (kb !== undefined) this.peakKb.set(node.name, Math.max(kb, this.peakKb.get(node.name) ?? 0));
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** Peak RSS per node name, in MiB. */
  peaksMb(): Record<string, number> {
    return Object.fromEntries([...this.peakKb].sort(([a], [b]) => a.localeCompare(b)).map(([name, kb]) => [name, Math.round((kb / 1024) * 10) / 10]));
  }
}
