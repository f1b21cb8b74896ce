/**
 * Where a node's requests waited, from latency-trace.ts traces (one per node; times in ms since the epoch): for
 * each node, its requests' stages in the faster half and in the slowest 1 %, how long its Readies took to become
 * durable, how long the acknowledgement of a Ready's last entry took to come back (a leader), its GC pauses, and
 * how many of the slowest requests overlapped a pause there or in any traced process.
 */
import type { ReadyTraceEvent } from '@raftkv/raft';
import type { KvRequestTraceEvent } from '@raftkv/kv-server';
import { median, percentile } from './stats.js';

/** A KV request as latency-trace.ts records it: times in ms since the epoch (a stage never reached: 0). */
export type RequestTrace = KvRequestTraceEvent;

/** A Ready as latency-trace.ts records it: times in ms since the epoch. */
export type ReadyTrace = Omit<ReadyTraceEvent, 'node'>;

export interface NodeTrace {
  node: string;
  requests: RequestTrace[];
  readies: ReadyTrace[];
  /** Accepting AppendResponses received. */
  acks: Array<{ at: number; from: string; index: number }>;
  gcs: Array<{ startedAt: number; durationMs: number }>;
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '-');

function quantiles(values: number[]): string {
  const sorted = Float64Array.from(values).sort();
  return `p50 ${ms(percentile(sorted, 50))} p99 ${ms(percentile(sorted, 99))} max ${ms(sorted[sorted.length - 1] ?? NaN)} ms`;
}

function overlapsPause(from: number, to: number, gcs: NodeTrace['gcs']): boolean {
  return gcs.some((g) => g.startedAt < to && g.startedAt + g.durationMs > from);
}

/** For each Ready that wrote entries: from its start to the first acknowledgement of its last entry (none: skipped). */
export function acknowledgementTimes(trace: NodeTrace): number[] {
  const acks = [...trace.acks].sort((a, b) => a.at - b.at);
  const writes = trace.readies.filter((r) => r.entries > 0).sort((a, b) => a.startedAt - b.startedAt);
  const times: number[] = [];
  let first = 0; // the first acknowledgement not before the current Ready's start
  for (const r of writes) {
    while (first < acks.length && acks[first]!.at < r.startedAt) first++;
    let i = first;
    while (i < acks.length && acks[i]!.index < r.lastEntryIndex) i++;
    if (i < acks.length) times.push(acks[i]!.at - r.startedAt);
  }
  return times;
}

export function summarizeTraces(traces: NodeTrace[]): string {
  const lines: string[] = [];
  const allPauses = traces.flatMap((t) => t.gcs);
  for (const t of traces) {
    const answered = t.requests.filter((r) => r.status === 200);
    lines.push(`${t.node}: ${t.requests.length} KV requests, ${t.readies.length} Readies, ${t.gcs.length} GC pauses`);
    if (answered.length > 0) {
      const total = (r: RequestTrace) => r.finishedAt - r.startedAt;
      const sorted = answered.map(total).sort((a, b) => a - b);
      const p50 = percentile(sorted, 50);
      const p99 = percentile(sorted, 99);
      lines.push(`  requests, arrival to response written: ${quantiles(sorted)}`);
      const stages = (set: RequestTrace[]) =>
        `body ${ms(median(set.map((r) => r.bodyReadAt - r.startedAt)))}, handler ${ms(median(set.map((r) => r.handledAt - r.bodyReadAt)))}, ` +
        `respond ${ms(median(set.map((r) => r.finishedAt - r.handledAt)))}`;
      const slow = answered.filter((r) => total(r) >= p99);
      lines.push(`  median stages, faster half: ${stages(answered.filter((r) => total(r) <= p50))}`);
      lines.push(`  median stages, slowest 1 % (${slow.length}): ${stages(slow)}`);
      const share = (f: (r: RequestTrace) => boolean) => `${Math.round((slow.filter(f).length / slow.length) * 100)} %`;
      lines.push(
        `  of the slowest 1 %, overlapping a GC pause here: ${share((r) => overlapsPause(r.startedAt, r.finishedAt, t.gcs))}, ` +
          `in any traced process: ${share((r) => overlapsPause(r.startedAt, r.finishedAt, allPauses))}`,
      );
    }
    const writing = t.readies.filter((r) => r.entries > 0);
    if (writing.length > 0) lines.push(`  Readies with entries (${writing.length}), start to durable: ${quantiles(writing.map((r) => r.persistedAt - r.startedAt))}`);
    const acked = acknowledgementTimes(t);
    if (acked.length > 0) lines.push(`  ...start to the first acknowledgement of their last entry (${acked.length}): ${quantiles(acked)}`);
    if (t.gcs.length > 0) lines.push(`  GC pauses: ${quantiles(t.gcs.map((g) => g.durationMs))}`);
  }
  return lines.join('\n');
}
