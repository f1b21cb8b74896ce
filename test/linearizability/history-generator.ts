// Test helper: histories produced by a real sequential register under random concurrency, so they are
// linearizable by construction (each op takes effect at a chosen instant inside its interval).
import type { KvOp, KvResult } from '../faults/history.js';
import type { Interval, Outcome } from './history-builder.js';

export interface GeneratorOptions {
  processes: number;
  opsPerProcess: number;
  keys: number;
  /** Probability an op ends indeterminate (half of those take effect, possibly after the client gave up). */
  indeterminateRate: number;
  /** Probability an op definitely fails (never takes effect). */
  failRate: number;
  /**
   * What a cas expects. 'anyWritten' (default): any value put so far, on any key, so most fail and
   * most values get compared against. 'recent': the key's current value, or (a lost race) the one
   * before it, as a client that read first would do.
   */
  casExpects?: 'anyWritten' | 'recent';
}

/** mulberry32: a small seeded PRNG, so a failing seed reproduces. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Planned {
  interval: Interval;
  /** When it takes effect; undefined if never. */
  effectAt: number | undefined;
  fate: 'ok' | 'fail' | 'info';
}

export function generateLinearizableHistory(rand: () => number, options: GeneratorOptions): Interval[] {
  const planned: Planned[] = [];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const keys = Array.from({ length: options.keys }, (_, i) => `key${i}`);
  const writtenSoFar: string[] = [];

  for (let process = 0; process < options.processes; process++) {
    let t = rand() * 5;
    for (let i = 0; i < options.opsPerProcess; i++) {
      const call = t + rand() * 5;
      const effect = call + rand() * 10;
      const ret = effect + rand() * 10;
      const key = pick(keys);
      const value = `p${process}-${i}`;
      const roll = rand();
      const op: KvOp =
        roll < 0.35 ? { f: 'put', key, value }
        : roll < 0.75 ? { f: 'get', key }
        : roll < 0.93 ? { f: 'cas', key, expected: writtenSoFar.length > 0 && rand() < 0.8 ? pick(writtenSoFar) : null, value }
        : { f: 'delete', key };
      if (op.f === 'put') writtenSoFar.push(value);
      const fateRoll = rand();
      const fate = fateRoll < options.indeterminateRate ? 'info' : fateRoll < options.indeterminateRate + options.failRate ? 'fail' : 'ok';
      // An indeterminate op may take effect well after its client gave up, or never.
      const effectAt = fate === 'fail' ? undefined : fate === 'info' ? (rand() < 0.5 ? call + rand() * 40 : undefined) : effect;
      planned.push({ interval: { process, call, ret, op, outcome: 'open' }, effectAt, fate });
      t = ret;
    }
  }

  const state = new Map<string, string | null>();
  const before = new Map<string, string | null>(); // each key's value before its latest write
  const inEffectOrder = planned.filter((p) => p.effectAt !== undefined).sort((x, y) => x.effectAt! - y.effectAt!);
  const results = new Map<Planned, KvResult>();
  for (const p of inEffectOrder) {
    const { op } = p.interval;
    const current = state.get(op.key) ?? null;
    if (op.f === 'cas' && options.casExpects === 'recent') op.expected = rand() < 0.6 ? current : (before.get(op.key) ?? null);
    results.set(p, applyToRegister(state, op, rand));
    if ((state.get(op.key) ?? null) !== current) before.set(op.key, current);
  }

  return planned.map((p) => {
    const result = results.get(p);
    const outcome: Outcome = p.fate === 'ok' ? { ok: result! } : p.fate;
    return { ...p.interval, outcome };
  });
}

function applyToRegister(state: Map<string, string | null>, op: KvOp, rand: () => number): KvResult {
  const current = state.get(op.key) ?? null;
  switch (op.f) {
    case 'put':
      state.set(op.key, op.value);
      return { f: 'put' };
    case 'get':
      return { f: 'get', value: current };
    case 'delete':
      state.set(op.key, null);
      return rand() < 0.5 ? { f: 'delete', deleted: current !== null } : { f: 'delete' };
    case 'cas': {
      const succeeded = current === op.expected;
      if (succeeded) state.set(op.key, op.value);
      return { f: 'cas', succeeded };
    }
  }
}

/**
 * Makes a completed read return the value of a put that a second definite put followed, both before
 * the read began. Values are unique per op, so no linearization can let the read see it.
 */
export function staleReadMutation(intervals: Interval[], pick: number): { history: Interval[]; readId: number } | undefined {
  const definitePut = (iv: Interval): boolean => iv.op.f === 'put' && typeof iv.outcome === 'object';
  const candidates: { readId: number; value: string }[] = [];
  intervals.forEach((read, readId) => {
    if (read.op.f !== 'get' || typeof read.outcome !== 'object') return;
    for (const first of intervals) {
      if (!definitePut(first) || first.op.key !== read.op.key || first.op.f !== 'put') continue;
      const overwritten = intervals.some(
        (second) => definitePut(second) && second.op.key === read.op.key && second.call > first.ret && second.ret < read.call,
      );
      if (overwritten) {
        candidates.push({ readId, value: first.op.value });
        return;
      }
    }
  });
  if (candidates.length === 0) return undefined;
  const { readId, value } = candidates[pick % candidates.length]!;
  const history = intervals.slice();
  history[readId] = { ...intervals[readId]!, outcome: { ok: { f: 'get', value } } };
  return { history, readId };
}
