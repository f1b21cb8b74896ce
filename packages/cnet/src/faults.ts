/** Faults applied to outbound messages of one directed link (from → to). */
export interface LinkFaults {
  /** Fixed delay in ms. */
  delayMs?: number;
  /** Uniform extra delay in [0, jitterMs). */
  jitterMs?: number;
  /** Probability in [0,1] that a message is dropped. */
  dropRate?: number;
  /** Probability in [0,1] that a message is sent twice. */
  duplicateRate?: number;
  /** When false (default) delivery order per link is kept even with jitter. */
  reorder?: boolean;
}

/** A seeded, replaceable description of faults. */
export interface FaultPlan {
  seed: number;
  /** Faults for every link unless overridden by `links`. */
  default?: LinkFaults;
  /** Per directed link, keyed "from->to". */
  links?: Record<string, LinkFaults>;
  /** Cut links, both ways: each pair [a, b] cuts a→b and b→a. */
  partitions?: Array<[string, string]>;
}

/** The key of a directed link in `FaultPlan.links`. */
export function linkKey(from: string, to: string): string {
  return `${from}->${to}`;
}

/** Throws a RangeError/TypeError naming the first bad field of a plan. */
export function validateFaultPlan(plan: FaultPlan): void {
  if (typeof plan !== 'object' || plan === null) throw new TypeError('fault plan must be an object or null');
  if (!Number.isFinite(plan.seed)) throw new TypeError('fault plan needs a finite numeric seed');
  if (plan.default !== undefined) validateLinkFaults('default', plan.default);
  for (const [key, faults] of Object.entries(plan.links ?? {})) {
    if (!/^.+->.+$/.test(key)) throw new TypeError(`fault plan link key ${JSON.stringify(key)} must look like "from->to"`);
    validateLinkFaults(`links[${JSON.stringify(key)}]`, faults);
  }
  for (const pair of plan.partitions ?? []) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw new TypeError('each fault plan partition must be a pair of node ids');
    }
  }
}

function validateLinkFaults(where: string, faults: LinkFaults): void {
  const nonNegative = (name: keyof LinkFaults): void => {
    const value = faults[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new RangeError(`fault plan ${where}.${name} must be a finite number >= 0`);
    }
  };
  const probability = (name: keyof LinkFaults): void => {
    nonNegative(name);
    if ((faults[name] as number | undefined) !== undefined && (faults[name] as number) > 1) {
      throw new RangeError(`fault plan ${where}.${name} must be within [0, 1]`);
    }
  };
  nonNegative('delayMs');
  nonNegative('jitterMs');
  probability('dropRate');
  probability('duplicateRate');
}
