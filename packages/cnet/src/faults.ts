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
