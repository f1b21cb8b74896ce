/** Per-scene and per-second summaries of the recorded operations (pure). */
import { summarize } from '../bench/stats.js';
import { electionsIn, type LeaderObservation, type OpRecord } from './records.js';

export interface WindowStats {
  /** Acknowledged writes. */
  acked: number;
  failedWrites: number;
  okReads: number;
  failedReads: number;
  /** Write latency of acknowledged writes in the window (ms); NaN without any. */
  p50: number;
  p99: number;
  /** Acknowledged writes per second. */
  throughput: number;
}

/** Operations that finished in [fromMs, toMs). */
export function windowStats(ops: OpRecord[], fromMs: number, toMs: number): WindowStats {
  const inside = ops.filter((op) => op.endMs >= fromMs && op.endMs < toMs);
  const writes = inside.filter((op) => op.kind === 'write');
  const reads = inside.filter((op) => op.kind === 'read');
  const acked = writes.filter((op) => op.outcome === 'ok');
  const latency = summarize(acked.map((op) => op.endMs - op.startMs));
  const seconds = (toMs - fromMs) / 1000;
  return {
    acked: acked.length,
    failedWrites: writes.length - acked.length,
    okReads: reads.filter((op) => op.outcome === 'ok').length,
    failedReads: reads.filter((op) => op.outcome !== 'ok').length,
    p50: latency.p50,
    p99: latency.p99,
    throughput: seconds > 0 ? acked.length / seconds : 0,
  };
}

/** One column of the timeline. */
export interface SecondSample {
  /** Scene running at the end of this second (0 before the first). */
  scene: number;
  /** Leader at the end of the second, if known. */
  leader?: string;
  elections: number;
  acked: number;
  failed: number;
  /** p99 latency of writes acknowledged in this second (ms); NaN without any. */
  p99: number;
}

/** Second-by-second samples from `startMs` to `endMs`; `sceneStarts[i]` is when scene i+1 began. */
export function perSecond(ops: OpRecord[], observations: LeaderObservation[], sceneStarts: number[], startMs: number, endMs: number): SecondSample[] {
  const elections = electionsIn(observations);
  const samples: SecondSample[] = [];
  for (let from = startMs; from < endMs; from += 1000) {
    const to = Math.min(from + 1000, endMs);
    const stats = windowStats(ops, from, to);
    const seen = observations.filter((o) => o.atMs < to);
    const last = seen[seen.length - 1];
    const scene = sceneStarts.filter((s) => s < to).length;
    const sample: SecondSample = {
      scene,
      elections: elections.filter((e) => e.atMs >= from && e.atMs < to).length,
      acked: stats.acked,
      failed: stats.failedWrites,
      p99: stats.p99,
    };
    if (last?.leader !== undefined) sample.leader = last.leader;
    samples.push(sample);
  }
  return samples;
}
