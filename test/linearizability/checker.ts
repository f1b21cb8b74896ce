// Entry point: checks a recorded key-value history for linearizability, key by key.
import type { HistoryEvent } from '../faults/history.js';
import { pairHistory, partitionByKey, type Operation } from './operations.js';
import { compileRegister } from './register-model.js';
import { searchLinearization, type SearchBudget } from './search.js';
import { findViolationWindow } from './window.js';

export type Verdict = 'VALID' | 'INVALID' | 'UNKNOWN';

export interface CheckOptions {
  /** Search steps allowed per key (per search; shrinking a violation runs several). Default 2,000,000. */
  maxStepsPerKey?: number;
  /** Wall-clock budget for the whole check, in ms. Default 60,000. Past it, unfinished keys are UNKNOWN. */
  timeoutMs?: number;
  /** Shrink violations to a small window. Default true. */
  explain?: boolean;
}

export interface Violation {
  /** Operations that together admit no linearization, in call order. */
  window: Operation[];
  /** opIds of the ops whose completion is the earliest point with no linearization. */
  failingOpIds: number[];
  /** opIds of window ops that may be left out: indeterminate, or still running at the failing point. */
  optionalOpIds: number[];
  /** False if shrinking ran out of budget (the window is still a real violation, just not minimal). */
  minimal: boolean;
}

export interface KeyReport {
  key: string;
  verdict: Verdict;
  /** Operations checked for this key (after dropping fails and indeterminate reads). */
  operations: number;
  searchSteps: number;
  /** For VALID: opIds in a witness linearization order (indeterminate ops not listed did not take effect). */
  linearization?: number[];
  /** For INVALID (when explain is on). */
  violation?: Violation;
}

export interface CheckReport {
  verdict: Verdict;
  keys: KeyReport[];
  /** Ops dropped before checking: definite failures and indeterminate reads. */
  dropped: number;
  elapsedMs: number;
}

const DEFAULT_MAX_STEPS = 2_000_000;
const DEFAULT_TIMEOUT_MS = 60_000;

/** Checks a history of events. Throws HistoryError if the events are malformed. */
export function checkHistory(events: readonly HistoryEvent[], options: CheckOptions = {}): CheckReport {
  const { operations, dropped } = pairHistory(events);
  return checkOperations(operations, options, dropped);
}

/** Checks already-paired operations (see pairHistory). */
export function checkOperations(operations: readonly Operation[], options: CheckOptions = {}, dropped = 0): CheckReport {
  const started = performance.now();
  const budget: SearchBudget = {
    maxSteps: options.maxStepsPerKey ?? DEFAULT_MAX_STEPS,
    deadline: started + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  };
  const keys = [...partitionByKey(operations)]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([key, keyOps]) => checkKey(key, keyOps, budget, options.explain ?? true));
  return { verdict: combine(keys.map((k) => k.verdict)), keys, dropped, elapsedMs: performance.now() - started };
}

function checkKey(key: string, operations: Operation[], budget: SearchBudget, explain: boolean): KeyReport {
  const { steps } = compileRegister(operations);
  const result = searchLinearization(steps, budget);
  const report: KeyReport = { key, verdict: 'UNKNOWN', operations: operations.length, searchSteps: result.steps };
  if (result.verdict === 'valid') {
    return { ...report, verdict: 'VALID', linearization: result.order.map((i) => operations[steps[i]!.source]!.opId) };
  }
  if (result.verdict === 'unknown') return report;
  if (!explain) return { ...report, verdict: 'INVALID' };
  const window = findViolationWindow(steps, budget);
  const opIdOf = (i: number): number => operations[steps[i]!.source]!.opId;
  return {
    ...report,
    verdict: 'INVALID',
    violation: {
      window: window.members.map((i) => operations[steps[i]!.source]!),
      failingOpIds: window.failing.map(opIdOf),
      optionalOpIds: window.pending.map(opIdOf),
      minimal: window.minimal,
    },
  };
}

function combine(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('INVALID')) return 'INVALID';
  if (verdicts.includes('UNKNOWN')) return 'UNKNOWN';
  return 'VALID';
}
