// Wing–Gong / Lowe linearizability search over one register, with the memoization porcupine and
// Knossos use: a (set of linearized ops, state) pair already explored is never explored again, nor
// one it dominates (see VisitedSet).
import { ABSENT, applyStep, StepKind, type RegisterStep } from './register-model.js';
import { VisitedSet } from './visited-set.js';

export interface SearchBudget {
  /** Search steps (one candidate tried or one backtrack) before giving up with 'unknown'. */
  maxSteps: number;
  /** Absolute performance.now() time after which the search gives up with 'unknown'. */
  deadline: number;
  /** Memory for remembered (linearized set, state) pairs before giving up with 'unknown'. */
  maxMemoBytes: number;
}

export interface SearchMode {
  /**
   * Let each optional op take effect any number of times (from its invocation on) instead of at
   * most once. Strictly more permissive, so 'invalid' here is 'invalid' for real; and with nothing
   * to use up, the search no longer tells apart which optional ops were used: far fewer states.
   * 'valid' here proves nothing, and `order` is then not a real linearization.
   */
  reuseOptional?: boolean;
}

export type SearchResult =
  | { verdict: 'valid'; steps: number; order: number[] }
  | { verdict: 'invalid'; steps: number }
  | { verdict: 'unknown'; steps: number };

const NIL = -1;
const HEAD = 0;
const TIME_CHECK_EVERY = 4096;

/**
 * Searches for a linearization of `steps` starting from an absent key.
 * `order` (on success) lists the indices of the steps taken, in linearization order; optional
 * steps not listed did not take effect.
 */
export function searchLinearization(
  steps: readonly RegisterStep[],
  budget: SearchBudget,
  { reuseOptional = false }: SearchMode = {},
): SearchResult {
  const reusable = (op: number): boolean => reuseOptional && steps[op]!.optional;
  const n = steps.length;
  // Node 0 is the head sentinel; op i has call node 1+2i and return node 2+2i.
  const next = new Int32Array(2 * n + 1);
  const prev = new Int32Array(2 * n + 1);
  linkInTimeOrder(steps, next, prev);

  const words = Math.ceil(n / 32);
  const linearized = new Uint32Array(words);
  // Optional ops stay out of the hash, so pairs that may dominate each other share a probe run.
  const zobrist = zobristKeys(n).map((key, i) => (steps[i]!.optional ? 0 : key));
  const required = new Uint32Array(words);
  steps.forEach((step, i) => {
    if (!step.optional) required[i >> 5]! |= 1 << (i & 31);
  });
  let setHash = 0;
  const visited = new VisitedSet(words);
  const maxRemembered = Math.floor(budget.maxMemoBytes / visited.bytesPerEntry);

  const twins = interchangeableOptionalOps(steps);
  const twinsUsed = new Int32Array(twins.classes);
  // The state before the last op, if that op was an indeterminate blind write; else -1 (see mustJustify).
  let blindFrom = -1;
  const stateCount = 2 + steps.reduce((max, s) => Math.max(max, s.a, s.b), 0);

  const stackOp: number[] = [];
  const stackState: number[] = [];
  const stackBlindFrom: number[] = [];
  let state = ABSENT;
  const stepIfAllowed = (op: number): number => {
    const step = steps[op]!;
    const twinClass = twins.classOf[op]!;
    // Of identical optional ops, only ever take the earliest-invoked one left (see interchangeableOptionalOps).
    if (twinClass >= 0 && twins.rank[op] !== (reuseOptional ? 0 : twinsUsed[twinClass])) return -1;
    if (blindFrom >= 0 && applyStep(step, blindFrom) >= 0) return -1; // would not need that blind write
    return applyStep(step, state);
  };
  let node = next[HEAD]!;
  let count = 0;
  // Each config tries its required ops first and its optional ones in a second pass. Then the pairs
  // that leave an optional op unused come first and dominate the rest (see VisitedSet).
  let optionalPass = false;

  for (;;) {
    if (
      ++count > budget.maxSteps ||
      visited.count > maxRemembered ||
      (count % TIME_CHECK_EVERY === 0 && performance.now() > budget.deadline)
    ) {
      return { verdict: 'unknown', steps: count };
    }
    // Every required return precedes every optional one (at +Infinity), so reaching an optional
    // return (or the end) means every required op has been linearized.
    if (node === NIL) return { verdict: 'valid', steps: count, order: stackOp.slice() };
    const op = (node - 1) >> 1;
    const isCall = (node & 1) === 1;
    if (!isCall && steps[op]!.optional) return { verdict: 'valid', steps: count, order: stackOp.slice() };

    if (isCall) {
      if (steps[op]!.optional !== optionalPass) {
        node = next[node]!;
        continue;
      }
      const newState = stepIfAllowed(op);
      if (newState >= 0) {
        const word = op >> 5;
        const bit = reusable(op) ? 0 : 1 << (op & 31); // a reusable op is never used up
        linearized[word]! |= bit;
        const hash = (setHash ^ zobrist[op]!) >>> 0;
        const newBlindFrom = mustJustify(steps[op]!) ? state : -1;
        // What may follow depends on blindFrom too, so it is part of the remembered state.
        if (visited.addIfNew(hash, newState + (newBlindFrom + 1) * stateCount, linearized, required)) {
          stackOp.push(op);
          stackState.push(state);
          stackBlindFrom.push(blindFrom);
          setHash = hash;
          state = newState;
          blindFrom = newBlindFrom;
          if (!reusable(op)) {
            const twinClass = twins.classOf[op]!;
            if (twinClass >= 0) twinsUsed[twinClass]!++;
            lift(node, next, prev);
          }
          node = next[HEAD]!;
          optionalPass = false;
          continue;
        }
        linearized[word]! &= ~bit;
      }
      node = next[node]!;
      continue;
    }

    // A required op returns here: nothing before it could be linearized in this pass.
    if (!optionalPass) {
      optionalPass = true;
      node = next[HEAD]!;
      continue;
    }
    // Nor in the optional pass: undo the last choice and go on after it, in the pass it was made in.
    const undone = stackOp.pop();
    if (undone === undefined) return { verdict: 'invalid', steps: count };
    state = stackState.pop()!;
    blindFrom = stackBlindFrom.pop()!;
    const callNode = 1 + 2 * undone;
    if (!reusable(undone)) {
      linearized[undone >> 5]! &= ~(1 << (undone & 31));
      setHash = (setHash ^ zobrist[undone]!) >>> 0;
      if (twins.classOf[undone]! >= 0) twinsUsed[twins.classOf[undone]!]!--;
      unlift(callNode, next, prev);
    }
    node = next[callNode]!;
    optionalPass = steps[undone]!.optional;
  }
}

function linkInTimeOrder(steps: readonly RegisterStep[], next: Int32Array, prev: Int32Array): void {
  const nodes: number[] = [];
  for (let i = 0; i < steps.length; i++) nodes.push(1 + 2 * i, 2 + 2 * i);
  const time = (node: number): number => {
    const step = steps[(node - 1) >> 1]!;
    return node & 1 ? step.call : step.optional ? Infinity : step.ret;
  };
  // Calls before returns at equal times: touching intervals count as concurrent, the lenient reading.
  nodes.sort((x, y) => compare(time(x), time(y)) || (y & 1) - (x & 1) || x - y);
  let last = HEAD;
  prev[HEAD] = NIL;
  for (const node of nodes) {
    next[last] = node;
    prev[node] = last;
    last = node;
  }
  next[last] = NIL;
}

const compare = (x: number, y: number): number => (x < y ? -1 : x > y ? 1 : 0); // Infinity-safe

/** Unlinks op's call node and its return node (the node right after it in numbering). */
function lift(callNode: number, next: Int32Array, prev: Int32Array): void {
  unlink(callNode, next, prev);
  unlink(callNode + 1, next, prev);
}

function unlink(node: number, next: Int32Array, prev: Int32Array): void {
  next[prev[node]!] = next[node]!;
  if (next[node] !== NIL) prev[next[node]!] = prev[node]!;
}

function unlift(callNode: number, next: Int32Array, prev: Int32Array): void {
  relink(callNode + 1, next, prev);
  relink(callNode, next, prev);
}

function relink(node: number, next: Int32Array, prev: Int32Array): void {
  next[prev[node]!] = node;
  if (next[node] !== NIL) prev[next[node]!] = node;
}

/**
 * An indeterminate write without precondition (put, or delete whose reply was not seen) is worth
 * linearizing only right before an op that needs its value and would fail on the state before it.
 * Given any linearization, drop such a write if nothing up to the next write depends on it, or else
 * move it later, to just before the first op that does: ops it passes accept the old state and do
 * not change it, and with no return time it may go anywhere after its invocation. So the search
 * only lets it be followed by an op that rejects the previous state: far fewer places to try.
 */
function mustJustify(step: RegisterStep): boolean {
  return step.optional && step.kind === StepKind.Write;
}

/**
 * Groups optional ops that are indistinguishable: same precondition, same effect, no return time.
 * If a linearization uses a later-invoked one where an earlier-invoked twin was still unused,
 * swapping the two gives another valid linearization (the earlier one may go anywhere the later one
 * can). So the search only uses twins in invocation order: k twins cost k+1 choices, not 2^k.
 */
function interchangeableOptionalOps(steps: readonly RegisterStep[]): { classOf: Int32Array; rank: Int32Array; classes: number } {
  const classOf = new Int32Array(steps.length).fill(-1);
  const rank = new Int32Array(steps.length);
  const members = new Map<string, number[]>();
  steps.forEach((step, i) => {
    if (!step.optional) return;
    const key = `${step.kind},${step.a},${step.b}`;
    const list = members.get(key);
    if (list === undefined) members.set(key, [i]);
    else list.push(i);
  });
  let classes = 0;
  for (const list of members.values()) {
    if (list.length < 2) continue;
    list.sort((x, y) => steps[x]!.call - steps[y]!.call || x - y);
    list.forEach((op, position) => {
      classOf[op] = classes;
      rank[op] = position;
    });
    classes++;
  }
  return { classOf, rank, classes };
}

/** Deterministic per-op random keys so a set's hash updates by one xor (Zobrist hashing). */
function zobristKeys(n: number): Uint32Array {
  const keys = new Uint32Array(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    keys[i] = x >>> 0;
  }
  return keys;
}
