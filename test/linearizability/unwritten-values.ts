// A fast path for the plainest violation: an op that saw a value no op could have written by then.
// It needs no search, and the search alone can be exponential before it reaches such an op.
import { ABSENT, observation, writtenValue, type RegisterStep } from './register-model.js';

/**
 * Index of the earliest-returning required step that needs the state to equal a value which no
 * step (definite or indeterminate) writes with an invocation at or before that step's return.
 * Such a step alone is a violation: removing every other op cannot help it (see removalGuard).
 */
export function findUnwrittenObservation(steps: readonly RegisterStep[]): number | undefined {
  const firstWriteCall = new Map<number, number>();
  for (const step of steps) {
    const written = writtenValue(step);
    if (written !== undefined) firstWriteCall.set(written, Math.min(step.call, firstWriteCall.get(written) ?? Infinity));
  }
  let found: number | undefined;
  steps.forEach((step, i) => {
    const needs = observation(step);
    if (step.optional || needs === undefined || !('equals' in needs) || needs.equals === ABSENT) return;
    if ((firstWriteCall.get(needs.equals) ?? Infinity) <= step.ret) return;
    if (found === undefined || step.ret < steps[found]!.ret) found = i;
  });
  return found;
}
