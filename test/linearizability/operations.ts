// Pairs invoke/completion events into operations with a call and a return time.
import type { HistoryEvent, KvOp, KvResult } from '../faults/history.js';

/**
 * One operation as the checker sees it.
 * `definite`: it completed with `ok`, so it took effect exactly once between call and ret.
 * `indeterminate`: it may have taken effect once at any time after call, or never; ret is +Infinity.
 */
export type Operation =
  | { opId: number; process: number; op: KvOp; call: number; ret: number; status: 'definite'; result: KvResult }
  | { opId: number; process: number; op: KvOp; call: number; ret: number; status: 'indeterminate' };

/** The history is malformed (a harness bug), as opposed to non-linearizable. */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';
}

export interface PairedHistory {
  operations: Operation[];
  /** Ops dropped because they cannot constrain anything: definite `fail`s and indeterminate reads. */
  dropped: number;
}

/** Pairs events by opId. Throws HistoryError on malformed input rather than guessing. */
export function pairHistory(events: readonly HistoryEvent[]): PairedHistory {
  const invokes = new Map<number, Extract<HistoryEvent, { type: 'invoke' }>>();
  const completions = new Map<number, Exclude<HistoryEvent, { type: 'invoke' }>>();
  for (const event of events) {
    checkEventShape(event);
    if (event.type === 'invoke') {
      if (invokes.has(event.opId)) throw new HistoryError(`op ${event.opId} is invoked twice`);
      invokes.set(event.opId, event);
      continue;
    }
    const invoke = invokes.get(event.opId);
    if (invoke === undefined) throw new HistoryError(`op ${event.opId} completes (${event.type}) before any invoke`);
    if (completions.has(event.opId)) throw new HistoryError(`op ${event.opId} completes twice`);
    if (event.time < invoke.time) throw new HistoryError(`op ${event.opId} completes at ${event.time}, before its invoke at ${invoke.time}`);
    if (event.process !== invoke.process) throw new HistoryError(`op ${event.opId} is invoked by process ${invoke.process} but completed by ${event.process}`);
    completions.set(event.opId, event);
  }

  const operations: Operation[] = [];
  let dropped = 0;
  for (const invoke of invokes.values()) {
    const { opId, process, op, time: call } = invoke;
    const completion = completions.get(opId);
    if (completion?.type === 'fail') {
      dropped++;
    } else if (completion?.type === 'ok') {
      checkResultMatches(opId, op, completion.result);
      operations.push({ opId, process, op, call, ret: completion.time, status: 'definite', result: completion.result });
    } else if (op.f === 'get') {
      dropped++; // an indeterminate read observed nothing we know of
    } else {
      operations.push({ opId, process, op, call, ret: Infinity, status: 'indeterminate' });
    }
  }
  return { operations, dropped };
}

function checkEventShape(event: HistoryEvent): void {
  const where = `event ${JSON.stringify(event)}`;
  if (!Number.isInteger(event.opId)) throw new HistoryError(`${where}: opId must be an integer`);
  if (!Number.isFinite(event.time)) throw new HistoryError(`${where}: time must be a finite number`);
  if (event.type === 'invoke') {
    const op = event.op as Partial<KvOp> | undefined;
    if (op === undefined || typeof op.key !== 'string') throw new HistoryError(`${where}: invoke needs op with a string key`);
    if (!['put', 'get', 'delete', 'cas'].includes(op.f as string)) throw new HistoryError(`${where}: unknown op ${String(op.f)}`);
  } else if (!['ok', 'fail', 'info'].includes(event.type)) {
    throw new HistoryError(`${where}: unknown event type`);
  }
}

function checkResultMatches(opId: number, op: KvOp, result: KvResult | undefined): void {
  if (result === undefined || result.f !== op.f) {
    throw new HistoryError(`op ${opId}: ok result ${JSON.stringify(result)} does not match op ${op.f}`);
  }
  if (result.f === 'get' && result.value !== null && typeof result.value !== 'string') {
    throw new HistoryError(`op ${opId}: get result value must be a string or null`);
  }
  if (result.f === 'cas' && typeof result.succeeded !== 'boolean') {
    throw new HistoryError(`op ${opId}: cas result needs a boolean 'succeeded'`);
  }
}

/** Groups operations by key: a KV map is linearizable iff every key's history is (P-compositionality). */
export function partitionByKey(operations: readonly Operation[]): Map<string, Operation[]> {
  const byKey = new Map<string, Operation[]>();
  for (const operation of operations) {
    const list = byKey.get(operation.op.key);
    if (list === undefined) byKey.set(operation.op.key, [operation]);
    else list.push(operation);
  }
  return byKey;
}
