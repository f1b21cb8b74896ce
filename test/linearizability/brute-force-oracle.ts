// Test helper: linearizability decided straight from the definition, by trying every subset of the
// indeterminate ops and every order that respects real time. Exponential: tiny histories only.
import type { KvOp, KvResult } from '../faults/history.js';
import type { Operation } from './operations.js';

/** Applies op to a single register; returns the new value, or undefined if the result is impossible. */
export function stepRegister(value: string | null, op: KvOp, result: KvResult | undefined): { value: string | null } | undefined {
  switch (op.f) {
    case 'put':
      return { value: op.value };
    case 'get':
      return result?.f === 'get' && result.value === value ? { value } : undefined;
    case 'delete':
      if (result?.f === 'delete' && result.deleted !== undefined && result.deleted !== (value !== null)) return undefined;
      return { value: null };
    case 'cas': {
      const matches = value === op.expected;
      if (result?.f === 'cas' && !result.succeeded) return matches ? undefined : { value };
      return matches ? { value: op.value } : undefined;
    }
  }
}

/** Whether one key's operations are linearizable, by exhaustive search. */
export function bruteForceLinearizable(operations: readonly Operation[]): boolean {
  const optional = operations.filter((o) => o.status === 'indeterminate');
  const required = operations.filter((o) => o.status === 'definite');
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const chosen = [...required, ...optional.filter((_, i) => mask & (1 << i))];
    if (someOrderWorks(chosen, null)) return true;
  }
  return false;
}

function someOrderWorks(remaining: readonly Operation[], value: string | null): boolean {
  if (remaining.length === 0) return true;
  return remaining.some((candidate) => {
    // candidate may go next only if nothing still remaining finished before it started
    if (remaining.some((other) => other !== candidate && other.ret < candidate.call)) return false;
    const next = stepRegister(value, candidate.op, candidate.status === 'definite' ? candidate.result : undefined);
    return next !== undefined && someOrderWorks(remaining.filter((o) => o !== candidate), next.value);
  });
}

/** Checks a claimed linearization order (opIds) of one key: real-time order and register semantics. */
export function isLegalLinearization(operations: readonly Operation[], order: readonly number[]): boolean {
  const byId = new Map(operations.map((o) => [o.opId, o]));
  const ordered = order.map((id) => byId.get(id));
  if (ordered.some((o) => o === undefined) || new Set(order).size !== order.length) return false;
  if (operations.some((o) => o.status === 'definite' && !order.includes(o.opId))) return false;
  let value: string | null = null;
  for (let i = 0; i < ordered.length; i++) {
    const o = ordered[i]!;
    if (ordered.slice(i + 1).some((later) => later!.ret < o.call)) return false;
    const next = stepRegister(value, o.op, o.status === 'definite' ? o.result : undefined);
    if (next === undefined) return false;
    value = next.value;
  }
  return true;
}
