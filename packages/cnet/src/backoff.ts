/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half and all of
 * min(maxMs, minMs * 2^n), so peers that lost a node together do not redial in lockstep.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}
