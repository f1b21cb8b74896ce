/** Writes an INVALID run to disk: the whole history, the events of the smallest window showing it, and the report. */
import fs from 'node:fs';
import path from 'node:path';
import { formatReport, type CheckReport, type HistoryEvent } from '../linearizability/index.js';
import { toJsonLines } from '../linearizability/history-io.js';

/** Returns the path of the full history (`<dir>/<seed>.jsonl`); the window goes to `<seed>.window.jsonl`. */
export function saveViolation(dir: string, seed: number, history: readonly HistoryEvent[], report: CheckReport): string {
  fs.mkdirSync(dir, { recursive: true });
  const windowIds = new Set(report.keys.flatMap((k) => k.violation?.window.map((op) => op.opId) ?? []));
  const base = path.join(dir, String(seed));
  fs.writeFileSync(`${base}.jsonl`, toJsonLines(history));
  fs.writeFileSync(`${base}.window.jsonl`, toJsonLines(history.filter((e) => windowIds.has(e.opId))));
  fs.writeFileSync(`${base}.txt`, formatReport(report) + '\n');
  return `${base}.jsonl`;
}
