/** Where a sampling heap profile (heap-sampler.ts) says a node allocated: bytes by function, self and inclusive. */
import { functionKey, topLines } from './profile-summary.js';

export interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapProfileNode[];
}

export interface HeapProfile {
  head: HeapProfileNode;
}

const asMegabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1).padStart(8)} MB`;

function top(totals: Map<string, number>, n: number, all: number): string[] {
  return topLines(totals, n, all, asMegabytes);
}

/** The `n` functions that allocated most themselves, and the `n` under which most was allocated (a recursion counted once). */
export function summarizeHeapProfile(profile: HeapProfile, n: number): string {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapProfileNode, onStack: Set<string>): number => {
    const key = functionKey(node);
    total += node.selfSize;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    const entered = !onStack.has(key);
    if (entered) onStack.add(key);
    let sum = node.selfSize;
    for (const child of node.children) sum += walk(child, onStack);
    if (entered) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + sum);
    }
    return sum;
  };
  walk(profile.head, new Set());
  if (total === 0) return 'sampled 0 bytes\n';
  return [
    `sampled ${(total / 1e6).toFixed(1)} MB allocated (garbage included); percentages of that`,
    '',
    'allocated by the function itself:',
    ...top(self, n, total),
    '',
    'allocated by the function or its callees:',
    ...top(inclusive, n, total),
    '',
  ].join('\n');
}
