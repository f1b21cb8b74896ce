// Seeded choices for the harness, on the simulator's PRNG (the same seed draws the same schedule and client choices).
import { Rng } from '@raftkv/raft';

export { Rng };

/** A copy of `items` in random order (Fisher-Yates). */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A generator for one labelled stream of a seed (e.g. one client), independent of the others. */
export function streamOf(seed: number, label: number): Rng {
  return new Rng((seed ^ Math.imul(label + 1, 0x9e3779b1)) >>> 0);
}
