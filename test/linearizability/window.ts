// Shrinks a non-linearizable register history to a small sub-history that is itself not linearizable
// and whose violation implies the original's, so it can be read as the explanation.
import { observation, writtenValue, type RegisterStep } from './register-model.js';
import { searchLinearization, type SearchBudget } from './search.js';

export interface ViolationWindow {
  /** Indices into the key's steps, in call order. */
  members: number[];
  /** Steps whose return is the earliest point at which no linearization exists. */
  failing: number[];
  /** Members that may be left out of a linearization: indeterminate, or still running at the failing point. */
  pending: number[];
  /** False if the budget ran out while shrinking; the window is still a genuine violation. */
  minimal: boolean;
}

/**
 * `steps` must be known not linearizable. Two phases, each keeping the window a violation:
 * 1. the shortest prefix (cut at a return time) with no linearization; ops still running at the cut
 *    become optional, which can only make a linearization easier to find;
 * 2. removing operations one chunk at a time while still violating, only where a removal cannot
 *    create a violation: reads always, writes only if no later-ending kept op could depend on them.
 */
export function findViolationWindow(steps: readonly RegisterStep[], budget: SearchBudget): ViolationWindow {
  const cut = earliestViolatingCut(steps, budget);
  const prefix = prefixAt(steps, cut);
  let members = prefix.map((p) => p.index);
  const byIndex = new Map(prefix.map((p) => [p.index, p.step]));
  const stepOf = (i: number): RegisterStep => byIndex.get(i)!;
  const stillViolates = (candidate: number[]): boolean =>
    searchLinearization(candidate.map(stepOf), budget).verdict === 'invalid';

  let minimal = true;
  let changed = true;
  while (changed) {
    changed = false;
    for (let chunk = Math.max(1, members.length >> 1); chunk >= 1; chunk >>= 1) {
      for (let start = 0; start < members.length; ) {
        if (performance.now() > budget.deadline) {
          minimal = false;
          return describe(members, prefix, cut, minimal);
        }
        const removed = members.slice(start, start + chunk);
        const kept = members.filter((m) => !removed.includes(m));
        const removable = kept.length > 0 && removed.every((r) => removalIsSafe(stepOf(r), members.filter((m) => m !== r).map(stepOf)));
        if (removable && stillViolates(kept)) {
          members = kept;
          changed = true;
        } else {
          start += chunk;
        }
      }
    }
  }
  return describe(members, prefix, cut, minimal);
}

interface PrefixStep {
  index: number;
  step: RegisterStep;
}

/** The history as it stood at time `cut`: ops invoked by then; those not yet returned are optional. */
function prefixAt(steps: readonly RegisterStep[], cut: number): PrefixStep[] {
  const prefix: PrefixStep[] = [];
  steps.forEach((step, index) => {
    if (step.call > cut) return;
    const pending = step.ret > cut;
    prefix.push({ index, step: pending ? { ...step, optional: true, ret: Infinity } : step });
  });
  return prefix.sort((x, y) => x.step.call - y.step.call || x.index - y.index);
}

/** Binary search over required return times: validity of a prefix is monotone in its cut. */
function earliestViolatingCut(steps: readonly RegisterStep[], budget: SearchBudget): number {
  const cuts = [...new Set(steps.filter((s) => !s.optional).map((s) => s.ret))].sort((x, y) => x - y);
  let lo = 0;
  let hi = cuts.length - 1; // the full history is known to be invalid
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const prefix = prefixAt(steps, cuts[mid]!).map((p) => p.step);
    // An 'unknown' counts as "not shown invalid": the cut found is then later, but still a violation.
    if (searchLinearization(prefix, budget).verdict === 'invalid') hi = mid;
    else lo = mid + 1;
  }
  return cuts[lo] ?? Infinity;
}

/**
 * Removing `candidate` from a linearizable history leaves it linearizable unless some other op could
 * be linearized right after it and depended on the state it left: one that required that value, or
 * one that required the state to differ from something (a failed cas, a delete that saw the key).
 * Only ops still running when `candidate` was invoked can come after it.
 */
export function removalIsSafe(candidate: RegisterStep, others: readonly RegisterStep[]): boolean {
  const written = writtenValue(candidate);
  if (written === undefined) return true;
  for (const other of others) {
    if (other.ret < candidate.call) continue; // returned before it began: linearized before it
    const needs = observation(other);
    if (needs === undefined) continue;
    if ('differs' in needs || needs.equals === written) return false;
  }
  return true;
}

function describe(members: number[], prefix: PrefixStep[], cut: number, minimal: boolean): ViolationWindow {
  const inPrefix = new Map(prefix.map((p) => [p.index, p.step]));
  const sorted = members.slice().sort((x, y) => inPrefix.get(x)!.call - inPrefix.get(y)!.call || x - y);
  return {
    members: sorted,
    failing: sorted.filter((i) => !inPrefix.get(i)!.optional && inPrefix.get(i)!.ret === cut),
    pending: sorted.filter((i) => inPrefix.get(i)!.optional),
    minimal,
  };
}
