/** The comparison tables: one row per workload, a column group per system, and raftkv/etcd ratios. */
import { renderTable } from '@raftkv/kv-server';
import { failoverSamples, type FailoverRun, type SingleFailoverRun } from './failover.js';
import type { SystemName } from './options.js';
import { median, summarizeRounds } from './stats.js';
import type { SystemResult } from './system-run.js';

/** A system's result as a result file holds it, old or new (failover was a single sample before it was repeated). */
export type StoredSystemResult = Omit<SystemResult, 'failover'> & { failover?: FailoverRun | SingleFailoverRun };

export interface LoadCells {
  throughput: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** CPU of all nodes per answered request, µs. */
  cpuUs: number;
}

export interface ReportModel {
  systems: SystemName[];
  loads: Array<{ name: string; by: Partial<Record<SystemName, LoadCells>> }>;
  /** One number per system and run (failover median, restart, memory), smaller is better. */
  others: Array<{ name: string; by: Partial<Record<SystemName, number | null>> }>;
}

function addRow<T>(rows: Array<{ name: string; by: Partial<Record<SystemName, T>> }>, name: string, system: SystemName, value: T): void {
  let row = rows.find((r) => r.name === name);
  if (!row) rows.push((row = { name, by: {} }));
  row.by[system] = value;
}

/** The failover row: the median of a run's rounds, named with how many there were (runs with different counts get separate rows). */
function addFailoverRow(rows: ReportModel['others'], system: SystemName, run: FailoverRun | SingleFailoverRun): void {
  const samples = failoverSamples(run);
  addRow(rows, `failover: kill → new leader ack, median of ${samples.length} (ms)`, system, summarizeRounds(samples).median);
}

export function modelOf(results: StoredSystemResult[]): ReportModel {
  const model: ReportModel = { systems: results.map((r) => r.system), loads: [], others: [] };
  for (const r of results) {
    for (const w of r.workloads) {
      const l = w.latencyMs;
      addRow(model.loads, w.name, r.system, { throughput: w.throughput, p50: l.p50, p99: l.p99, max: l.max, errors: w.errors, cpuUs: 1000 * (w.nodeCpuMsPerOp ?? NaN) });
    }
    if (r.failover) addFailoverRow(model.others, r.system, r.failover);
    if (r.restart) addRow(model.others, `restart with ${r.restart.keys} keys → lin. read (ms)`, r.system, r.restart.restartMs);
    for (const [node, mb] of Object.entries(r.peakRssMb)) addRow(model.others, `peak RSS ${node} (MiB)`, r.system, mb);
  }
  return model;
}

/** Field-by-field medians over several runs' models (each number its own median). */
export function medianModel(models: ReportModel[]): ReportModel {
  const systems = [...new Set(models.flatMap((m) => m.systems))];
  const out: ReportModel = { systems, loads: [], others: [] };
  const fields: Array<keyof LoadCells> = ['throughput', 'p50', 'p99', 'max', 'errors', 'cpuUs'];
  for (const name of [...new Set(models.flatMap((m) => m.loads.map((l) => l.name)))])
    for (const s of systems) {
      const cells = models.map((m) => m.loads.find((l) => l.name === name)?.by[s]).filter((c): c is LoadCells => c !== undefined);
      if (cells.length > 0) addRow(out.loads, name, s, Object.fromEntries(fields.map((f) => [f, median(cells.map((c) => c[f]))])) as unknown as LoadCells);
    }
  for (const name of [...new Set(models.flatMap((m) => m.others.map((o) => o.name)))])
    for (const s of systems) {
      const values = models.map((m) => m.others.find((o) => o.name === name)?.by[s]).filter((v): v is number | null => v !== undefined);
      if (values.length > 0) addRow(out.others, name, s, median(values.filter((v): v is number => v !== null)));
    }
  return out;
}

/** One comparison run by run: each run's raftkv/etcd ratio, in run order (runs without both systems left out). */
export interface PairedRatios {
  name: string;
  ratios: number[];
}

/** What a set of runs says pair by pair: each run compares the two systems under that run's conditions. */
export interface PairedModel {
  loads: Array<{ name: string; throughput: number[]; p99: number[] }>;
  /** Failover, restart, memory: smaller is better. */
  others: PairedRatios[];
}

/** a/b, or undefined when either is missing or b is 0. */
function ratioOf(a: number | null | undefined, b: number | null | undefined): number | undefined {
  if (a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return a / b;
}

export function pairedModel(models: ReportModel[]): PairedModel {
  const out: PairedModel = { loads: [], others: [] };
  for (const name of [...new Set(models.flatMap((m) => m.loads.map((l) => l.name)))]) {
    const row = { name, throughput: [] as number[], p99: [] as number[] };
    for (const m of models) {
      const by = m.loads.find((l) => l.name === name)?.by;
      const ops = ratioOf(by?.raftkv?.throughput, by?.etcd?.throughput);
      const p99 = ratioOf(by?.raftkv?.p99, by?.etcd?.p99);
      if (ops !== undefined && p99 !== undefined) {
        row.throughput.push(ops);
        row.p99.push(p99);
      }
    }
    if (row.p99.length > 0) out.loads.push(row);
  }
  for (const name of [...new Set(models.flatMap((m) => m.others.map((o) => o.name)))]) {
    const ratios = models
      .map((m) => m.others.find((o) => o.name === name)?.by)
      .map((by) => ratioOf(by?.raftkv, by?.etcd))
      .filter((r): r is number => r !== undefined);
    if (ratios.length > 0) out.others.push({ name, ratios });
  }
  return out;
}

/** "1.10x (0.95-1.30x)": the median of the ratios and their range. */
export function formatRatioSpread(ratios: number[]): string {
  return `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x)`;
}

/** The paired ratios as Markdown tables: median and range of each run's ratio, and in how many runs raftkv did at least as well. */
export function renderPaired(paired: PairedModel): string {
  const parts: string[] = [];
  if (paired.loads.length > 0)
    parts.push(
      renderMarkdown(
        ['workload', 'runs', 'ops/s raftkv/etcd', 'p99 raftkv/etcd', 'runs with p99 ≤ etcd'],
        paired.loads.map((r) => [r.name, String(r.p99.length), formatRatioSpread(r.throughput), formatRatioSpread(r.p99), String(r.p99.filter((x) => x <= 1).length)]),
      ),
    );
  if (paired.others.length > 0)
    parts.push(
      renderMarkdown(
        ['measurement', 'runs', 'raftkv/etcd', 'runs with raftkv ≤ etcd'],
        paired.others.map((r) => [r.name, String(r.ratios.length), formatRatioSpread(r.ratios), String(r.ratios.filter((x) => x <= 1).length)]),
      ),
    );
  return parts.join('\n');
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** a/b as "0.42x"; "-" when either is missing or b is 0. */
export function formatRatio(a: number | null | undefined, b: number | null | undefined): string {
  const ratio = ratioOf(a, b);
  return ratio === undefined ? '-' : `${ratio.toFixed(2)}x`;
}

function renderMarkdown(headers: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n') + '\n';
}

export function renderModel(model: ReportModel, style: 'ascii' | 'markdown'): string {
  const render = style === 'ascii' ? renderTable : renderMarkdown;
  const both = model.systems.includes('raftkv') && model.systems.includes('etcd');
  const loadHeaders = ['workload'];
  for (const s of model.systems) loadHeaders.push(`${s} ops/s`, 'p50 ms', 'p99 ms', 'max ms', 'errors', 'cpu µs/op');
  if (both) loadHeaders.push('ops/s raftkv/etcd', 'p99 raftkv/etcd', 'cpu/op raftkv/etcd');
  const loadRows = model.loads.map((row) => {
    const cells = [row.name];
    for (const s of model.systems) {
      const c = row.by[s];
      cells.push(
        c ? c.throughput.toFixed(0) : '-',
        formatMs(c?.p50),
        formatMs(c?.p99),
        formatMs(c?.max),
        c ? String(c.errors) : '-',
        c && Number.isFinite(c.cpuUs) ? c.cpuUs.toFixed(0) : '-',
      );
    }
    if (both)
      cells.push(
        formatRatio(row.by.raftkv?.throughput, row.by.etcd?.throughput),
        formatRatio(row.by.raftkv?.p99, row.by.etcd?.p99),
        formatRatio(row.by.raftkv?.cpuUs, row.by.etcd?.cpuUs),
      );
    return cells;
  });
  const otherHeaders = ['measurement', ...model.systems, ...(both ? ['raftkv/etcd'] : [])];
  const otherRows = model.others.map((row) => [
    row.name,
    ...model.systems.map((s) => formatMs(row.by[s])),
    ...(both ? [formatRatio(row.by.raftkv, row.by.etcd)] : []),
  ]);
  const parts: string[] = [];
  if (loadRows.length > 0) parts.push(render(loadHeaders, loadRows));
  if (otherRows.length > 0) parts.push(render(otherHeaders, otherRows));
  return parts.join('\n');
}
