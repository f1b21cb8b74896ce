// Shrinks a non-linearizable register history to a small sub-history that is itself not linearizable
// and whose violation implies the original's, so it can be read as the explanation.
import { ABSENT, StepKind, writtenValue, type RegisterStep } from './register-model.js';
import { removalGuard } from './removal-guard.js';
import { searchLinearization, type SearchBudget, type SearchMode } from './search.js';

export interface ViolationWindow {
  /** Indices into the key's steps, in call order. */
  members: number[];
  /** Steps whose return is the earliest point at which no linearization exists. */
  failing: number[];
  /** Members that may be left out of a linearization: indeterminate, or still running at the failing point. */
  pending: number[];
  /** Members whose observed outcome the window ignores (a delete's "deleted"): not needed to show it. */
  relaxed: number[];
  /** False if the budget ran out while shrinking; the window is still a genuine violation. */
  minimal: boolean;
}

/**
 * `steps` must be known not linearizable (in `mode`, whose 'invalid' implies the real one). Two phases, each keeping the window a violation:
 * 1. the shortest prefix (cut at a return time) with no linearization; ops still running at the cut
 *    become optional, which can only make a linearization easier to find;
 * 2. removing operations a chunk at a time while it still violates, but only removals that cannot
 *    create a violation (see removalGuard), so the window's violation implies the history's.
 */
export function findViolationWindow(steps: readonly RegisterStep[], budget: SearchBudget, mode: SearchMode = {}): ViolationWindow {
  // Any search that runs out of budget counts as "not shown to violate": the window stays a genuine
  // violation, but may be larger than needed.
  let exhausted = false;
  const violates = (subset: RegisterStep[]): boolean => {
    const verdict = searchLinearization(subset, budget, mode).verdict;
    if (verdict === 'unknown') exhausted = true;
    return verdict === 'invalid';
  };

  const cut = earliestViolatingCut(steps, violates);
  const prefix = prefixAt(steps, cut);
  const byIndex = new Map(prefix.map((p) => [p.index, p.step]));
  const stepOf = (i: number): RegisterStep => byIndex.get(i)!;
  // The ops completing at the cut are what first cannot be linearized: always kept.
  const failing = prefix.filter((p) => !p.step.optional && p.step.ret === cut).map((p) => p.index);
  let pool = prefix.map((p) => p.index).filter((i) => !failing.includes(i));
  const violatesWith = (rest: number[]): boolean => violates([...failing, ...rest].map(stepOf));

  // Deletes that saw the key both write and demand "not absent", so they pin each other and every
  // write around them. Forgetting what they saw only relaxes the history; keep that if it still violates.
  const relaxed = pool.filter((i) => stepOf(i).kind === StepKind.DeleteObserved);
  const original = new Map(relaxed.map((i) => [i, stepOf(i)]));
  for (const i of relaxed) byIndex.set(i, { ...stepOf(i), kind: StepKind.Write, a: ABSENT });
  if (relaxed.length > 0 && !violatesWith(pool)) {
    for (const [i, step] of original) byIndex.set(i, step);
    relaxed.length = 0;
  }

  // Every removal is checked twice: the guard (it cannot create a violation) and a search (one remains).
  const tryRemoving = (removed: number[]): boolean => {
    const gone = new Set(removed);
    const rest = pool.filter((i) => !gone.has(i));
    const safe = removalGuard([...failing, ...rest].map(stepOf));
    if (gone.size === 0 || !removed.every((r) => safe(stepOf(r))) || !violatesWith(rest)) return false;
    pool = rest;
    return true;
  };

  // Reads are always safe to drop, and once gone they no longer pin the writes around them.
  tryRemoving(pool.filter((i) => writtenValue(stepOf(i)) === undefined));

  // Most of a long prefix is old history: drop everything that ended before some start time, the
  // latest start found by binary search.
  const starts = [...new Set(pool.map((i) => stepOf(i).call))].sort((x, y) => x - y);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi && performance.now() <= budget.deadline) {
    const mid = (lo + hi) >> 1;
    if (tryRemoving(pool.filter((i) => stepOf(i).ret < starts[mid]!))) lo = mid + 1;
    else hi = mid - 1;
  }

  // ddmin-like: try dropping all the others at once, then halves, quarters, ... single ops,
  // repeating while anything was dropped (a drop can unblock another).
  let changed = true;
  while (changed) {
    changed = false;
    for (let chunk = pool.length; chunk >= 1; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
      for (let start = 0; start < pool.length; ) {
        if (performance.now() > budget.deadline) return describe([...failing, ...pool], prefix, failing, relaxed, false);
        if (tryRemoving(pool.slice(start, start + chunk))) changed = true;
        else start += chunk;
      }
    }
  }
  return describe([...failing, ...pool], prefix, failing, relaxed, !exhausted);
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
function earliestViolatingCut(steps: readonly RegisterStep[], violates: (subset: RegisterStep[]) => boolean): number {
  const cuts = [...new Set(steps.filter((s) => !s.optional).map((s) => s.ret))].sort((x, y) => x - y);
  let lo = 0;
  let hi = cuts.length - 1; // the full history is known to be invalid
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (violates(prefixAt(steps, cuts[mid]!).map((p) => p.step))) hi = mid;
    else lo = mid + 1;
  }
  return cuts[lo] ?? Infinity;
}

function describe(
  members: number[],
  prefix: PrefixStep[],
  failing: number[],
  relaxed: number[],
  minimal: boolean,
): ViolationWindow {
  const inPrefix = new Map(prefix.map((p) => [p.index, p.step]));
  const sorted = members.slice().sort((x, y) => inPrefix.get(x)!.call - inPrefix.get(y)!.call || x - y);
  return {
    members: sorted,
    failing,
    pending: sorted.filter((i) => inPrefix.get(i)!.optional),
    relaxed: relaxed.filter((i) => members.includes(i)),
    minimal,
  };
}
