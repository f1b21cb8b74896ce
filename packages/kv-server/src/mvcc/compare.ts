import { keySpan, type KeyIndex } from './key-index.js';
import type { Compare, KeyValue } from './types.js';

/**
 * etcd's applyCompare: a compare over a range holds when it holds for every key in it. With no key,
 * VERSION/CREATE/MOD/LEASE compare against 0, and a VALUE compare always fails (a missing value has no bytes to compare).
 */
export function evaluateCompare(index: KeyIndex, rev: number, c: Compare): boolean {
  const kvs: KeyValue[] = [];
  for (const h of index.histories(keySpan(c.key, c.rangeEnd))) {
    const kv = h.at(rev);
    if (kv !== undefined) kvs.push(kv);
  }
  if (kvs.length === 0) return c.target !== 'VALUE' && compareKv(c, undefined);
  return kvs.every((kv) => compareKv(c, kv));
}

function compareKv(c: Compare, kv: KeyValue | undefined): boolean {
  let order: number;
  switch (c.target) {
    case 'VALUE':
      order = Buffer.compare(kv?.value ?? Buffer.alloc(0), c.value ?? Buffer.alloc(0));
      break;
    case 'CREATE':
      order = Math.sign((kv?.createRevision ?? 0) - (c.createRevision ?? 0));
      break;
    case 'MOD':
      order = Math.sign((kv?.modRevision ?? 0) - (c.modRevision ?? 0));
      break;
    case 'VERSION':
      order = Math.sign((kv?.version ?? 0) - (c.version ?? 0));
      break;
    case 'LEASE':
      order = Math.sign((kv?.lease ?? 0) - (c.lease ?? 0));
      break;
  }
  switch (c.result) {
    case 'EQUAL':
      return order === 0;
    case 'NOT_EQUAL':
      return order !== 0;
    case 'GREATER':
      return order > 0;
    case 'LESS':
      return order < 0;
  }
}
