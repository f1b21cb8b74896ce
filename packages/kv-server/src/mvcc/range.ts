import { errCompacted, errFutureRevision } from './errors.js';
import { keySpan, type KeyIndex } from './key-index.js';
import type { KeyValue, RangeRequest, RangeResponse, SortTarget } from './types.js';

/** Resolves the revision a read asks for (0 or less = `viewRevision`), rejecting future and compacted ones. */
export function readRevision(requested: number | undefined, viewRevision: number, compacted: number): number {
  const rev = requested ?? 0;
  if (rev > viewRevision) throw errFutureRevision();
  const at = rev <= 0 ? viewRevision : rev;
  if (at < compacted) throw errCompacted();
  return at;
}

/**
 * etcd 3.4's Range (etcdserver/apply.go): `count` is the number of keys in the range at the revision,
 * before the min/max filters; filters prune, then sort, then `limit` truncates and sets `more`.
 */
export function rangeKeys(index: KeyIndex, req: RangeRequest, viewRevision: number, compacted: number): RangeResponse {
  const rev = readRevision(req.revision, viewRevision, compacted);
  const limit = req.limit !== undefined && req.limit > 0 ? req.limit : 0;
  const hasFilters =
    !!req.minModRevision || !!req.maxModRevision || !!req.minCreateRevision || !!req.maxCreateRevision;
  const order = effectiveSortOrder(req);
  // Without sorting or filters only the first limit+1 are needed (the extra one tells `more`).
  const keepAll = order !== 'NONE' || hasFilters || limit === 0;

  let count = 0;
  let kvs: KeyValue[] = [];
  for (const h of index.histories(keySpan(req.key, req.rangeEnd))) {
    const rec = h.recordAt(rev);
    if (rec === undefined) continue;
    count++;
    if (!req.countOnly && (keepAll || kvs.length <= limit)) kvs.push(rec.kv(h.key));
  }
  if (req.countOnly) return { kvs: [], more: false, count };

  if (hasFilters) kvs = kvs.filter((kv) => passesFilters(req, kv));
  if (order !== 'NONE') sortKvs(kvs, req.sortTarget ?? 'KEY', order === 'DESCEND');
  let more = false;
  if (limit > 0 && kvs.length > limit) {
    kvs = kvs.slice(0, limit);
    more = true;
  }
  if (req.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: Buffer.alloc(0) }));
  return { kvs, more, count };
}

/** etcd sorts ascending by default when the target is not KEY; KEY ascending is the index's natural order. */
function effectiveSortOrder(req: RangeRequest): 'NONE' | 'ASCEND' | 'DESCEND' {
  const order = req.sortOrder ?? 'NONE';
  const target = req.sortTarget ?? 'KEY';
  if (order === 'NONE') return target === 'KEY' ? 'NONE' : 'ASCEND';
  if (order === 'ASCEND' && target === 'KEY') return 'NONE';
  return order;
}

function passesFilters(req: RangeRequest, kv: KeyValue): boolean {
  if (req.maxModRevision && kv.modRevision > req.maxModRevision) return false;
  if (req.minModRevision && kv.modRevision < req.minModRevision) return false;
  if (req.maxCreateRevision && kv.createRevision > req.maxCreateRevision) return false;
  if (req.minCreateRevision && kv.createRevision < req.minCreateRevision) return false;
  return true;
}

function sortKvs(kvs: KeyValue[], target: SortTarget, descending: boolean): void {
  const sign = descending ? -1 : 1;
  const cmp = (a: KeyValue, b: KeyValue): number => {
    switch (target) {
      case 'KEY':
        return Buffer.compare(a.key, b.key);
      case 'VALUE':
        return Buffer.compare(a.value, b.value);
      case 'VERSION':
        return a.version - b.version;
      case 'CREATE':
        return a.createRevision - b.createRevision;
      case 'MOD':
        return a.modRevision - b.modRevision;
    }
  };
  kvs.sort((a, b) => sign * cmp(a, b));
}
