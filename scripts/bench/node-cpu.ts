/** CPU time of the node processes from /proc/<pid>/stat, to report CPU per operation (steadier than throughput on a busy machine). */
import fs from 'node:fs';
import type { ClusterNode } from './bench-cluster.js';

/** Linux reports utime/stime in USER_HZ ticks, 100 per second on every common configuration. */
const TICKS_PER_SECOND = 100;

/** utime + stime in ms from the text of /proc/<pid>/stat; undefined when it cannot be read. */
export function parseProcStatCpuMs(stat: string): number | undefined {
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime) || fields.length < 13) return undefined;
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

function cpuMsOf(pid: number): number | undefined {
  try {
    return parseProcStatCpuMs(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU ms per running node (by pid), to subtract from a later reading. */
export function readNodeCpu(nodes: ClusterNode[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const n of nodes) {
    const ms = n.running ? cpuMsOf(n.pid) : undefined;
    if (ms !== undefined) out.set(n.pid, ms);
  }
  return out;
}

/** CPU ms all nodes used since `before` (nodes present in both readings). */
export function cpuMsSince(before: Map<number, number>, nodes: ClusterNode[]): number {
  let total = 0;
  for (const [pid, ms] of readNodeCpu(nodes)) {
    const start = before.get(pid);
    if (start !== undefined) total += ms - start;
  }
  return total;
}
