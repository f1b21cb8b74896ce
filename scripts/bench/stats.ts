/** Latency summaries: nearest-rank percentiles over a set of samples (milliseconds). */

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); NaN for no samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[rank - 1]!;
}

/** Sorts a copy of the samples and summarises them. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const n = sorted.length;
  return {
    count: n,
    mean: n === 0 ? NaN : sum / n,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: n === 0 ? NaN : sorted[n - 1]!,
  };
}

/** Median of a list of numbers (the mean of the middle two for an even count); NaN for none. */
export function median(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? finite[(n - 1) / 2]! : (finite[n / 2 - 1]! + finite[n / 2]!) / 2;
}

/** An append-only growable buffer of doubles: no boxing per sample, so recording stays cheap under load. */
export class SampleBuffer {
  private data = new Float64Array(1024);
  private size = 0;

  push(value: number): void {
    if (this.size === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.size++] = value;
  }

  get length(): number {
    return this.size;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.size);
  }
}

export interface RoundsSummary {
  /** Fastest and slowest of the rounds that produced a number; null when none did. */
  min: number | null;
  /** A miss (null) counts as slower than any number, so the median is null once misses reach the middle. */
  median: number | null;
  max: number | null;
  misses: number;
}

/** min / median / max of repeated single measurements, some of which may have missed (null, e.g. no recovery in time). */
export function summarizeRounds(samples: Array<number | null>): RoundsSummary {
  const numbers = samples.filter((s): s is number => s !== null && Number.isFinite(s)).sort((a, b) => a - b);
  const ranked = [...numbers, ...new Array<number>(samples.length - numbers.length).fill(Infinity)];
  const n = ranked.length;
  const middle = n === 0 ? NaN : n % 2 === 1 ? ranked[(n - 1) / 2]! : (ranked[n / 2 - 1]! + ranked[n / 2]!) / 2;
  return {
    min: numbers.length > 0 ? numbers[0]! : null,
    median: Number.isFinite(middle) ? middle : null,
    max: numbers.length > 0 ? numbers[numbers.length - 1]! : null,
    misses: samples.length - numbers.length,
  };
}
