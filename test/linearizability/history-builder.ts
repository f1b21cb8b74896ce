// Test helper: writes histories as intervals, e.g. op(1, 0, 10, put('a')).
import type { HistoryEvent, KvOp, KvResult } from '../faults/history.js';

export type Outcome = { ok: KvResult } | 'fail' | 'info' | 'open';

export interface Interval {
  process: number;
  call: number;
  /** Ignored for 'open' (never completed). */
  ret: number;
  op: KvOp;
  outcome: Outcome;
}

export const put = (value: string, key = 'k'): KvOp => ({ f: 'put', key, value });
export const get = (key = 'k'): KvOp => ({ f: 'get', key });
export const del = (key = 'k'): KvOp => ({ f: 'delete', key });
export const cas = (expected: string | null, value: string, key = 'k'): KvOp => ({ f: 'cas', key, expected, value });

export const wrote: Outcome = { ok: { f: 'put' } };
export const read = (value: string | null): Outcome => ({ ok: { f: 'get', value } });
export const casResult = (succeeded: boolean): Outcome => ({ ok: { f: 'cas', succeeded } });
export const deleted = (existed?: boolean): Outcome => ({ ok: { f: 'delete', deleted: existed } });

export function op(process: number, call: number, ret: number, kvOp: KvOp, outcome: Outcome): Interval {
  return { process, call, ret, op: kvOp, outcome };
}

/** Turns intervals into an event history sorted by time (op ids are interval positions). */
export function toEvents(intervals: readonly Interval[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  intervals.forEach((iv, opId) => {
    events.push({ type: 'invoke', process: iv.process, opId, time: iv.call, op: iv.op });
    const { process, ret: time } = iv;
    if (iv.outcome === 'open') return;
    if (iv.outcome === 'fail' || iv.outcome === 'info') events.push({ type: iv.outcome, process, opId, time });
    else events.push({ type: 'ok', process, opId, time, result: iv.outcome.ok });
  });
  return events.sort((x, y) => x.time - y.time);
}
