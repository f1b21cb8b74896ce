// One key's operations compiled to a compact form for the search: values interned to small integers
// (0 = key absent), each op reduced to a precondition on the state and the state it leaves.
import type { Operation } from './operations.js';

export const ABSENT = 0;

export enum StepKind {
  /** put, or a delete whose reply was not looked at: always possible; state := a. */
  Write,
  /** get -> a: possible iff state == a; state unchanged. */
  Read,
  /** cas that succeeded (or indeterminate cas taking effect): possible iff state == a; state := b. */
  Cas,
  /** cas whose compare failed: possible iff state != a; state unchanged. */
  CasFailed,
  /** delete that reported whether the key existed (a = 1 if it did): state := absent. */
  DeleteObserved,
}

export interface RegisterStep {
  kind: StepKind;
  a: number;
  b: number;
  call: number;
  /** +Infinity when optional. */
  ret: number;
  /** May be left out of the linearization (indeterminate, or pending in a prefix). */
  optional: boolean;
  /** Index of the source Operation in the key's operation list. */
  source: number;
}

/** Applies a step to a state: the new state, or -1 if the step is impossible in that state. */
export function applyStep(step: RegisterStep, state: number): number {
  switch (step.kind) {
    case StepKind.Write:
      return step.a;
    case StepKind.Read:
      return state === step.a ? state : -1;
    case StepKind.Cas:
      return state === step.a ? step.b : -1;
    case StepKind.CasFailed:
      return state !== step.a ? state : -1;
    case StepKind.DeleteObserved:
      return (state !== ABSENT) === (step.a === 1) ? ABSENT : -1;
  }
}

/** The state a mutating step leaves, or undefined for pure reads. */
export function writtenValue(step: RegisterStep): number | undefined {
  switch (step.kind) {
    case StepKind.Write:
      return step.a;
    case StepKind.Cas:
      return step.b;
    case StepKind.DeleteObserved:
      return ABSENT;
    default:
      return undefined;
  }
}

/** What a step requires of the state before it: one value, anything but one value, or nothing. */
export function observation(step: RegisterStep): { equals: number } | { differs: number } | undefined {
  switch (step.kind) {
    case StepKind.Read:
    case StepKind.Cas:
      return { equals: step.a };
    case StepKind.DeleteObserved:
      return step.a === 1 ? { differs: ABSENT } : { equals: ABSENT };
    case StepKind.CasFailed:
      return { differs: step.a };
    default:
      return undefined;
  }
}

export interface CompiledRegister {
  steps: RegisterStep[];
  /** values[i] is what id i stands for; values[0] is null (absent). */
  values: (string | null)[];
}

/** Stands for every value written but never read or compared against: no op can tell them apart. */
export const UNOBSERVED_VALUE = '(a value nobody observed)';

/** Compiles one key's operations; operations that can constrain nothing must already be dropped. */
export function compileRegister(operations: readonly Operation[]): CompiledRegister {
  const observed = observedValues(operations);
  const values: (string | null)[] = [null];
  const ids = new Map<string, number>();
  let unobservedId: number | undefined;
  const intern = (value: string | null): number => {
    if (value === null) return ABSENT;
    if (!observed.has(value)) {
      // One id for all of them lets the search treat states it cannot distinguish as one.
      unobservedId ??= values.push(UNOBSERVED_VALUE) - 1;
      return unobservedId;
    }
    let id = ids.get(value);
    if (id === undefined) {
      id = values.push(value) - 1;
      ids.set(value, id);
    }
    return id;
  };

  const steps = operations.map((operation, source): RegisterStep => {
    const optional = operation.status === 'indeterminate';
    const base = { call: operation.call, ret: optional ? Infinity : operation.ret, optional, source, b: 0 };
    const { op } = operation;
    const result = operation.status === 'definite' ? operation.result : undefined;
    switch (op.f) {
      case 'put':
        return { ...base, kind: StepKind.Write, a: intern(op.value) };
      case 'get':
        if (result?.f !== 'get') throw new Error(`get op ${operation.opId} has no get result`);
        return { ...base, kind: StepKind.Read, a: intern(result.value) };
      case 'delete':
        if (result?.f === 'delete' && result.deleted !== undefined) {
          return { ...base, kind: StepKind.DeleteObserved, a: result.deleted ? 1 : 0 };
        }
        return { ...base, kind: StepKind.Write, a: ABSENT };
      case 'cas': {
        const expected = intern(op.expected);
        // An indeterminate cas matters only if it took effect, and then its compare succeeded.
        if (result?.f === 'cas' && !result.succeeded) return { ...base, kind: StepKind.CasFailed, a: expected };
        return { ...base, kind: StepKind.Cas, a: expected, b: intern(op.value) };
      }
    }
  });
  return { steps, values };
}

/** Values some op compares the state against: read results and cas expectations. */
function observedValues(operations: readonly Operation[]): Set<string> {
  const observed = new Set<string>();
  for (const operation of operations) {
    if (operation.op.f === 'cas' && operation.op.expected !== null) observed.add(operation.op.expected);
    if (operation.status === 'definite' && operation.result.f === 'get' && operation.result.value !== null) {
      observed.add(operation.result.value);
    }
  }
  return observed;
}
