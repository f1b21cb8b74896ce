// Which operations can be removed from a register history without ever turning a linearizable
// history into a violation. Used to shrink violations (so the shrunk window still proves one) and to
// drop indeterminate writes nobody could have observed before searching.
import { observation, writtenValue, type RegisterStep } from './register-model.js';

/**
 * Decides which ops may be removed together so that a linearizable history stays linearizable,
 * judged against the ops that stay. Take any linearization and delete the removed ops: a kept op
 * sees a different state only if a removed write was the last write before it. That harms it only
 * if it needed that value, or needed the state to differ from something (a failed cas, a delete that
 * saw the key). A removed write cannot be the last one before a kept op if it began after that op
 * returned, or if a kept definite write lies wholly between them in real time.
 */
export function removalGuard(kept: readonly RegisterStep[]): (candidate: RegisterStep) => boolean {
  const observers = kept.flatMap((step) => {
    const needs = observation(step);
    return needs === undefined ? [] : [{ step, needs }];
  });
  const separatedBetween = separatorIndex(kept);
  const keptWrites = new Set(kept.flatMap((step) => writtenValue(step) ?? []));
  const keptNeeds = new Set(observers.flatMap(({ needs }) => ('equals' in needs ? [needs.equals] : [])));
  const keptRefuses = new Set(observers.flatMap(({ needs }) => ('differs' in needs ? [needs.differs] : [])));
  const keptWriteOtherThan = (value: number): boolean => keptWrites.size > 1 || (keptWrites.size === 1 && !keptWrites.has(value));
  return (candidate) => {
    const written = writtenValue(candidate);
    if (written === undefined) return true;
    // Not for soundness but for a faithful story: a value someone read keeps a write that produced
    // it, and an op that saw "anything but v" keeps a write of something else.
    if (keptNeeds.has(written) && !keptWrites.has(written)) return false;
    for (const refused of keptRefuses) if (written !== refused && !keptWriteOtherThan(refused)) return false;
    for (const { step, needs } of observers) {
      if (step.ret < candidate.call) continue; // returned before the write began
      // It needed another value, or needed the state to differ from the very value written: either
      // way this write cannot have been the last one before it in a valid linearization.
      if ('equals' in needs ? needs.equals !== written : needs.differs === written) continue;
      if (!separatedBetween(candidate.ret, step.call)) return false;
    }
    return true;
  };
}

/** Answers "does some definite write start after `after` and end before `before`?" in O(log n). */
function separatorIndex(kept: readonly RegisterStep[]): (after: number, before: number) => boolean {
  const writes = kept.filter((s) => !s.optional && writtenValue(s) !== undefined).sort((x, y) => x.call - y.call);
  const minRetFrom = new Float64Array(writes.length + 1).fill(Infinity);
  for (let i = writes.length - 1; i >= 0; i--) minRetFrom[i] = Math.min(writes[i]!.ret, minRetFrom[i + 1]!);
  return (after, before) => {
    let lo = 0;
    let hi = writes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (writes[mid]!.call > after) hi = mid;
      else lo = mid + 1;
    }
    return minRetFrom[lo]! < before;
  };
}

/**
 * Drops indeterminate ops whose effect nothing kept could have depended on. Verdict-preserving both
 * ways: the guard keeps linearizable histories linearizable, and an optional op may always be left out.
 * Repeats to a fixpoint, since dropping an indeterminate cas can free the writes it expected.
 */
export function dropUnobservableOptional(steps: readonly RegisterStep[]): RegisterStep[] {
  let kept = steps.slice();
  for (;;) {
    // Judging against the current set (a superset of what stays) is conservative: only optional ops
    // go, so no separating write is lost, and fewer observers can only block fewer removals.
    const safe = removalGuard(kept);
    const next = kept.filter((step) => !(step.optional && safe(step)));
    if (next.length === kept.length) return kept;
    kept = next;
  }
}
