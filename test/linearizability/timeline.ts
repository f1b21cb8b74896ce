// Human-readable rendering of check reports: one line per key, and a timeline for each violation.
import type { KvOp } from '../faults/history.js';
import type { CheckReport, KeyReport, Violation } from './checker.js';
import type { Operation } from './operations.js';

const BAR_WIDTH = 40;
const MAX_ROWS = 200;

/** A summary line per key plus, for each INVALID key, its violation timeline. */
export function formatReport(report: CheckReport): string {
  const lines = [`linearizability: ${report.verdict} (${report.keys.length} keys, ${report.dropped} ops dropped, ${report.elapsedMs.toFixed(0)} ms)`];
  for (const key of report.keys) {
    lines.push(`  key ${JSON.stringify(key.key)}: ${key.verdict} (${key.operations} ops, ${key.searchSteps} search steps)`);
  }
  for (const key of report.keys) {
    const { violation } = key;
    if (violation) lines.push('', formatViolation({ ...key, violation }));
  }
  return lines.join('\n');
}

/**
 * One row per op in call order: process, an interval bar on a shared time axis, what it did.
 * `[===]` completed; `[==>` indeterminate or still running at the failing point; `!` marks failing ops.
 */
export function formatViolation(key: KeyReport & { violation: Violation }): string {
  const { window, minimal } = key.violation;
  const failing = new Set(key.violation.failingOpIds);
  const optional = new Set(key.violation.optionalOpIds);
  const ignoredOutcome = new Set(key.violation.ignoredOutcomeOpIds);
  // A window that could not be shrunk may be long: the ops nearest the failing point matter most.
  const shown = window.slice(-MAX_ROWS);
  const start = shown.reduce((min, o) => Math.min(min, o.call), Infinity);
  const end = shown.reduce((max, o) => Math.max(max, Number.isFinite(o.ret) ? o.ret : o.call), start);
  const span = end - start || 1;
  const column = (t: number): number => Math.round(((t - start) / span) * (BAR_WIDTH - 1));

  const header = `key ${JSON.stringify(key.key)} is not linearizable: no order of these ${window.length} operations` +
    ` explains what clients saw${minimal ? '' : ' (shrinking ran out of budget; window not minimal)'}`;
  const rows = shown.map((o) => {
    const open = optional.has(o.opId);
    const from = column(o.call);
    const to = open ? BAR_WIDTH - 1 : column(o.ret);
    const bar = ' '.repeat(from) + '[' + '='.repeat(Math.max(0, to - from - 1)) + (open ? '>' : ']');
    const mark = failing.has(o.opId) ? '!' : ' ';
    const times = `${fmt(o.call - start)}..${Number.isFinite(o.ret) ? fmt(o.ret - start) : 'never'}`;
    const notes = (open && o.status === 'definite' ? ' (still running at the failing point)' : '') +
      (ignoredOutcome.has(o.opId) ? ' (outcome not needed here)' : '');
    return `${mark} p${String(o.process).padEnd(3)} ${bar.padEnd(BAR_WIDTH + 1)} ${times.padEnd(20)} #${o.opId} ${describeOperation(o)}${notes}`;
  });
  const hidden = window.length - shown.length;
  return [
    header,
    `  times relative to ${fmt(start)}; '!' = completes where no linearization exists`,
    ...(hidden > 0 ? [`  (${hidden} earlier operations not shown)`] : []),
    ...rows,
  ].join('\n');
}

export function describeOperation(o: Operation): string {
  const what = describeOp(o.op);
  if (o.status === 'indeterminate') return `${what} -> ? (indeterminate)`;
  const r = o.result;
  switch (r.f) {
    case 'get':
      return `${what} -> ${r.value === null ? 'absent' : JSON.stringify(r.value)}`;
    case 'cas':
      return `${what} -> ${r.succeeded ? 'succeeded' : 'failed'}`;
    case 'delete':
      return `${what} -> ${r.deleted === undefined ? 'ok' : r.deleted ? 'deleted' : 'was absent'}`;
    case 'put':
      return `${what} -> ok`;
  }
}

function describeOp(op: KvOp): string {
  switch (op.f) {
    case 'put':
      return `put ${JSON.stringify(op.value)}`;
    case 'get':
      return 'get';
    case 'delete':
      return 'delete';
    case 'cas':
      return `cas ${op.expected === null ? 'absent' : JSON.stringify(op.expected)} -> ${JSON.stringify(op.value)}`;
  }
}

function fmt(t: number): string {
  return Number.isInteger(t) ? String(t) : t.toFixed(3);
}
