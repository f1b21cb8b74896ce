// Entry point: checks a recorded key-value history for linearizability, key by key.
import type { HistoryEvent } from '../faults/history.js';
import { pairHistory, partitionByKey, type Operation } from './operations.js';
import { compileRegister, type RegisterStep } from './register-model.js';
import { searchLinearization, type SearchBudget, type SearchMode, type SearchResult } from './search.js';
import { dropUnobservableOptional } from './removal-guard.js';
import { findUnwrittenObservation } from './unwritten-values.js';
import { findViolationWindow } from './window.js';

export type Verdict = 'VALID' | 'INVALID' | 'UNKNOWN';

export interface CheckOptions {
  /** Search steps allowed per key (per search; shrinking a violation runs several). Default 20,000,000. */
  maxStepsPerKey?: number;
  /** Memory one search may use to remember explored states, in bytes. Default 256 MiB. */
  maxMemoBytes?: number;
  /** Wall-clock budget for deciding every key, in ms. Default 60,000. Past it, undecided keys are UNKNOWN. */
  timeoutMs?: number;
  /** Shrink violations to a small window. Default true. */
  explain?: boolean;
  /** Wall-clock budget for shrinking all violations, in ms. Default 20,000. Past it, windows are not minimal. */
  explainTimeoutMs?: number;
}

export interface Violation {
  /** Operations that together admit no linearization, in call order. */
  window: Operation[];
  /** opIds of the ops whose completion is the earliest point with no linearization. */
  failingOpIds: number[];
  /** opIds of window ops that may be left out: indeterminate, or still running at the failing point. */
  optionalOpIds: number[];
  /** opIds of window ops whose observed outcome is not needed to show the violation (shown, not used). */
  ignoredOutcomeOpIds: number[];
  /** False if shrinking ran out of budget (the window is still a real violation, just not minimal). */
  minimal: boolean;
}

export interface KeyReport {
  key: string;
  verdict: Verdict;
  /** Operations checked for this key (after dropping fails and indeterminate reads). */
  operations: number;
  /** Indeterminate ops left out before searching: nothing recorded could have depended on them. */
  unobservableIndeterminate: number;
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

const DEFAULT_MAX_STEPS = 20_000_000;
const DEFAULT_MAX_MEMO_BYTES = 256 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_EXPLAIN_MS = 20_000;
const QUICK_EXACT_STEPS = 5_000_000;

/** Checks a history of events. Throws HistoryError if the events are malformed. */
export function checkHistory(events: readonly HistoryEvent[], options: CheckOptions = {}): CheckReport {
  const { operations, dropped } = pairHistory(events);
  return checkOperations(operations, options, dropped);
}

/** Checks already-paired operations (see pairHistory). */
export function checkOperations(operations: readonly Operation[], options: CheckOptions = {}, dropped = 0): CheckReport {
  const started = performance.now();
  const maxSteps = options.maxStepsPerKey ?? DEFAULT_MAX_STEPS;
  const maxMemoBytes = options.maxMemoBytes ?? DEFAULT_MAX_MEMO_BYTES;
  const budget: SearchBudget = { maxSteps, maxMemoBytes, deadline: started + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) };
  const searched = [...partitionByKey(operations)]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([key, keyOps]) => searchKey(key, keyOps, budget));
  // Verdicts for every key first, so explaining one violation cannot starve the other keys.
  const explainBudget: SearchBudget = {
    maxSteps,
    maxMemoBytes,
    deadline: performance.now() + (options.explainTimeoutMs ?? DEFAULT_EXPLAIN_MS),
  };
  const keys = searched.map((s): KeyReport => {
    if (s.report.verdict !== 'INVALID') return s.report;
    if (!(options.explain ?? true)) return { ...s.report, violation: undefined };
    return s.report.violation === undefined ? explain(s, explainBudget) : s.report;
  });
  return { verdict: combine(keys.map((k) => k.verdict)), keys, dropped, elapsedMs: performance.now() - started };
}

interface SearchedKey {
  report: KeyReport;
  operations: Operation[];
  steps: RegisterStep[];
  /** The search mode that showed the violation, for shrinking it the same way. */
  mode: SearchMode;
}

function searchKey(key: string, operations: Operation[], budget: SearchBudget): SearchedKey {
  const all = compileRegister(operations).steps;
  const steps = dropUnobservableOptional(all);
  const report: KeyReport = {
    key,
    verdict: 'UNKNOWN',
    operations: operations.length,
    unobservableIndeterminate: all.length - steps.length,
    searchSteps: 0,
  };
  const unwritten = findUnwrittenObservation(steps);
  if (unwritten !== undefined) {
    const failing = operations[steps[unwritten]!.source]!;
    report.verdict = 'INVALID';
    report.violation = { window: [failing], failingOpIds: [failing.opId], optionalOpIds: [], ignoredOutcomeOpIds: [], minimal: true };
    return { report, operations, steps, mode: {} };
  }
  const result = decide(steps, budget, report);
  if (result.verdict === 'valid') {
    report.verdict = 'VALID';
    report.linearization = result.order.map((i) => operations[steps[i]!.source]!.opId);
  } else if (result.verdict === 'invalid') {
    report.verdict = 'INVALID';
  }
  return { report, operations, steps, mode: result.mode };
}

/**
 * Valid histories are found fast by the exact search, so it goes first on a short leash. A violation
 * amid many indeterminate ops is found far faster with them made reusable (see SearchMode); only if
 * that finds a linearization does the exact search get the whole budget.
 */
function decide(steps: RegisterStep[], budget: SearchBudget, report: KeyReport): SearchResult & { mode: SearchMode } {
  const attempts: [SearchBudget, SearchMode][] = steps.some((s) => s.optional)
    ? [
        [{ ...budget, maxSteps: Math.min(budget.maxSteps, QUICK_EXACT_STEPS) }, {}],
        [budget, { reuseOptional: true }],
        [budget, {}],
      ]
    : [[budget, {}]];
  let result: SearchResult = { verdict: 'unknown', steps: 0 };
  for (const [attemptBudget, mode] of attempts) {
    result = searchLinearization(steps, attemptBudget, mode);
    report.searchSteps += result.steps;
    if (result.verdict === 'invalid' || (result.verdict === 'valid' && !mode.reuseOptional)) return { ...result, mode };
  }
  return { ...result, mode: {} };
}

function explain({ report, operations, steps, mode }: SearchedKey, budget: SearchBudget): KeyReport {
  const window = findViolationWindow(steps, budget, mode);
  const opIdOf = (i: number): number => operations[steps[i]!.source]!.opId;
  return {
    ...report,
    violation: {
      window: window.members.map((i) => operations[steps[i]!.source]!),
      failingOpIds: window.failing.map(opIdOf),
      optionalOpIds: window.pending.map(opIdOf),
      ignoredOutcomeOpIds: window.relaxed.map(opIdOf),
      minimal: window.minimal,
    },
  };
}

function combine(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('INVALID')) return 'INVALID';
  if (verdicts.includes('UNKNOWN')) return 'UNKNOWN';
  return 'VALID';
}
