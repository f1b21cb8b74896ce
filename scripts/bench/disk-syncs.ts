/**
 * How long each system's synced log writes took during a workload, from the nodes' own Prometheus histograms:
 * etcd's WAL fsyncs and raftkv's log saves (which also hold LevelDB's write and the hand-offs between threads).
 * Both share the bucket bounds from 1 ms doubling up, so the shares at those bounds compare directly.
 */
import type { SystemName } from './options.js';

export const SYNC_HISTOGRAM: Record<SystemName, string> = {
  raftkv: 'raftkv_disk_log_save_duration_seconds',
  etcd: 'etcd_disk_wal_fsync_duration_seconds',
};

/** The bounds reported, in ms: buckets both histograms have. */
export const SHARED_BOUNDS_MS = [1, 2, 4, 8, 16] as const;

/** Cumulative bucket counts by upper bound in seconds (+Inf as Infinity). */
export type BucketCounts = Map<number, number>;

export interface DiskSyncs {
  /** Synced writes on all nodes during the workload (its warm-up included). */
  count: number;
  /** Share of them that took at most each of SHARED_BOUNDS_MS, by bound. */
  shareWithinMs: Record<string, number>;
}

/** The `<metric>_bucket` lines of a Prometheus text exposition (no labels but `le`). */
export function parseBuckets(text: string, metric: string): BucketCounts {
  const out: BucketCounts = new Map();
  const prefix = `${metric}_bucket{le="`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const close = line.indexOf('"}', prefix.length);
    if (close < 0) continue;
    const le = line.slice(prefix.length, close);
    const count = Number(line.slice(close + 2).trim());
    if (Number.isFinite(count)) out.set(le === '+Inf' ? Infinity : Number(le), count);
  }
  return out;
}

/** Sums the nodes' counts bound by bound. */
export function addBuckets(a: BucketCounts, b: BucketCounts): BucketCounts {
  const out = new Map(a);
  for (const [le, n] of b) out.set(le, (out.get(le) ?? 0) + n);
  return out;
}

/** What `after` counted since `before` (a bound missing before counts from 0). */
export function subtractBuckets(after: BucketCounts, before: BucketCounts): BucketCounts {
  const out: BucketCounts = new Map();
  for (const [le, n] of after) out.set(le, n - (before.get(le) ?? 0));
  return out;
}

/** undefined without writes, or when a count went down (a node restarted or did not answer the second time). */
export function summarizeSyncs(counts: BucketCounts): DiskSyncs | undefined {
  const count = counts.get(Infinity);
  if (count === undefined || count <= 0) return undefined;
  for (const n of counts.values()) if (n < 0) return undefined;
  const shareWithinMs: Record<string, number> = {};
  for (const ms of SHARED_BOUNDS_MS) {
    const within = counts.get(ms / 1000);
    if (within !== undefined) shareWithinMs[String(ms)] = within / count;
  }
  return { count, shareWithinMs };
}

/** Every node's histogram summed; an empty map when none answered (a node may be down). */
export async function scrapeSyncBuckets(clientUrls: string[], system: SystemName): Promise<BucketCounts> {
  const scrape = async (url: string): Promise<BucketCounts> => {
    try {
      const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
      return res.ok ? parseBuckets(await res.text(), SYNC_HISTOGRAM[system]) : new Map();
    } catch {
      // Missing from the sum: the figures are a side note, never a reason to fail a run.
      return new Map();
    }
  };
  return (await Promise.all(clientUrls.map(scrape))).reduce(addBuckets, new Map());
}

/** "5,800 synced writes, ≤1 ms 92 %, ≤4 ms 99.3 %" */
export function describeSyncs(s: DiskSyncs | undefined): string {
  if (!s) return 'no synced writes seen';
  const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(x > 0.99 ? 1 : 0)} %`);
  return `${s.count} synced writes, ≤1 ms ${pct(s.shareWithinMs['1'])}, ≤4 ms ${pct(s.shareWithinMs['4'])}`;
}
