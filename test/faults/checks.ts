/** The checks after a run, besides linearizability: lost acknowledged writes, identical node states, availability. */
import type { HistoryEvent } from '../linearizability/index.js';
import type { ClusterProcesses } from './cluster-processes.js';
import type { KvHttpClient, NodeStatus, StoredKv } from './kv-http.js';
import type { MajoritySpan } from './nemesis.js';
import { waitUntil } from './timing.js';

/**
 * Waits until every node runs, names the same leader in the same term, and all have committed and applied
 * the same index (twice in a row, so nothing was still in flight). Resolves the last statuses, or a reason.
 */
export async function waitForSettled(cluster: ClusterProcesses, admin: KvHttpClient, timeoutMs: number): Promise<{ settled: boolean; detail: string }> {
  let previous = '';
  let detail = 'no status yet';
  const settled = await waitUntil(async () => {
    const statuses = await Promise.all(cluster.nodes.map((n) => admin.status(n.clientUrl).catch((err: Error) => err)));
    const failed = statuses.findIndex((s) => s instanceof Error);
    if (failed >= 0) {
      detail = `${cluster.nodes[failed]!.name}: ${(statuses[failed] as Error).message}`;
      previous = '';
      return false;
    }
    const ok = statuses as NodeStatus[];
    detail = cluster.nodes.map((n, i) => `${n.name} leader=${ok[i]!.leader} term=${ok[i]!.term} commit=${ok[i]!.commitIndex} applied=${ok[i]!.appliedIndex}`).join('; ');
    const first = ok[0]!;
    const agreed =
      first.leader !== '0' &&
      ok.every((s) => s.leader === first.leader && s.term === first.term && s.commitIndex === first.commitIndex && s.appliedIndex === first.commitIndex);
    const same = agreed && detail === previous;
    previous = agreed ? detail : '';
    return same;
  }, timeoutMs, 300);
  return { settled, detail };
}

export interface StateComparison {
  identical: boolean;
  /** Per node: its store revision and key count, or its error. */
  summary: string;
  /** The first difference found, when not identical. */
  difference?: string;
}

/** Reads every node's whole local state (serializably) until all are identical or the timeout passes. */
export async function compareNodeStates(cluster: ClusterProcesses, admin: KvHttpClient, timeoutMs: number): Promise<StateComparison> {
  let result: StateComparison = { identical: false, summary: 'not read' };
  await waitUntil(async () => {
    const states = await Promise.all(cluster.nodes.map((n) => admin.localState(n.clientUrl).catch((err: Error) => err)));
    result.summary = cluster.nodes
      .map((n, i) => {
        const s = states[i]!;
        return s instanceof Error ? `${n.name}: ${s.message}` : `${n.name}: revision ${s.revision}, ${s.kvs.length} keys`;
      })
      .join('; ');
    const error = states.find((s) => s instanceof Error);
    if (error) {
      result = { identical: false, summary: result.summary, difference: error.message };
      return false;
    }
    const ok = states as Array<{ revision: string; kvs: StoredKv[] }>;
    const difference = firstDifference(cluster.nodes.map((n) => n.name), ok);
    result = { identical: difference === undefined, summary: result.summary, difference };
    return difference === undefined;
  }, timeoutMs, 500);
  return result;
}

function firstDifference(names: string[], states: Array<{ revision: string; kvs: StoredKv[] }>): string | undefined {
  const [first, ...rest] = states;
  for (const [i, other] of rest.entries()) {
    const name = names[i + 1]!;
    if (other.revision !== first!.revision) return `${names[0]} is at revision ${first!.revision}, ${name} at ${other.revision}`;
    const keys = new Set([...first!.kvs, ...other.kvs].map((kv) => kv.key));
    for (const key of keys) {
      const a = JSON.stringify(first!.kvs.find((kv) => kv.key === key) ?? null);
      const b = JSON.stringify(other.kvs.find((kv) => kv.key === key) ?? null);
      if (a !== b) return `key ${JSON.stringify(key)}: ${names[0]} has ${a}, ${name} has ${b}`;
    }
  }
  return undefined;
}

/**
 * Acknowledged writes the final read contradicts: a write (put ok, or cas ok that succeeded) is lost when the
 * final value was written by an operation that had already returned before that write was even invoked,
 * or when the key reads as absent although some write was acknowledged. (Values are unique per write.)
 */
export function findLostWrites(events: readonly HistoryEvent[], finalValues: ReadonlyMap<string, string | null>): string[] {
  const invokes = new Map<number, Extract<HistoryEvent, { type: 'invoke' }>>();
  const completions = new Map<number, HistoryEvent>();
  for (const e of events) {
    if (e.type === 'invoke') invokes.set(e.opId, e);
    else completions.set(e.opId, e);
  }
  const lost: string[] = [];
  for (const [key, finalValue] of finalValues) {
    const acked = [...invokes.values()].filter((inv) => {
      if (inv.op.key !== key || (inv.op.f !== 'put' && inv.op.f !== 'cas')) return false;
      const done = completions.get(inv.opId);
      return done?.type === 'ok' && (done.result.f === 'put' || (done.result.f === 'cas' && done.result.succeeded));
    });
    if (finalValue === null) {
      if (acked.length > 0) lost.push(`key ${key} reads absent, but ${acked.length} writes were acknowledged (e.g. op ${acked[0]!.opId})`);
      continue;
    }
    const writer = [...invokes.values()].find((inv) => inv.op.key === key && (inv.op.f === 'put' || inv.op.f === 'cas') && inv.op.value === finalValue);
    if (writer === undefined) {
      lost.push(`key ${key} reads ${JSON.stringify(finalValue)}, which no client wrote`);
      continue;
    }
    const writerDone = completions.get(writer.opId);
    if (writerDone?.type !== 'ok') continue; // indeterminate: it may have landed after every other write
    for (const w of acked) {
      if (w.time > writerDone.time) {
        lost.push(`key ${key}: op ${w.opId} (${w.op.f} ${JSON.stringify((w.op as { value: string }).value)}) was acknowledged after op ${writer.opId} wrote the final value ${JSON.stringify(finalValue)}`);
      }
    }
  }
  return lost;
}

export interface Availability {
  /** Operations invoked while a majority was up and connected. */
  invoked: number;
  ok: number;
  /** ok / invoked, or null when no operation ran then. */
  share: number | null;
}

/** The share of operations that succeeded among those invoked while a majority of nodes was up and connected. */
export function availability(events: readonly HistoryEvent[], spans: readonly MajoritySpan[]): Availability {
  const okIds = new Set(events.filter((e) => e.type === 'ok').map((e) => e.opId));
  let invoked = 0;
  let ok = 0;
  for (const e of events) {
    if (e.type !== 'invoke') continue;
    const span = spans.find((s) => s.from <= e.time && e.time < s.to);
    if (!span?.majorityUp) continue;
    invoked++;
    if (okIds.has(e.opId)) ok++;
  }
  return { invoked, ok, share: invoked === 0 ? null : ok / invoked };
}
