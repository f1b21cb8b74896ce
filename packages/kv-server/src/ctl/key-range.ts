/** etcd's key-range conventions (clientv3 WithPrefix / WithFromKey) and the range flags get/del share. */
import type { RangeRequest, SortOrder, SortTarget } from '../mvcc/types.js';
import { UsageError } from './exit-codes.js';

const ZERO = Buffer.from([0]);

/** The smallest key greater than every key starting with `prefix`; [0] (all keys) when there is none. */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] = prefix[i]! + 1;
      return end;
    }
  }
  return ZERO;
}

export interface KeyRangeFlags {
  prefix?: boolean;
  fromKey?: boolean;
}

/** Resolves `<key> [range_end]` with --prefix / --from-key into the wire's key and range_end. */
export function resolveKeyRange(keyText: string, rangeEndText: string | undefined, flags: KeyRangeFlags): { key: Buffer; rangeEnd?: Buffer } {
  if (flags.prefix && flags.fromKey) throw new UsageError('`--prefix` and `--from-key` cannot be set at the same time, choose one');
  if (rangeEndText !== undefined && (flags.prefix || flags.fromKey))
    throw new UsageError('too many arguments: range_end cannot be combined with --prefix or --from-key');
  const key = Buffer.from(keyText, 'utf8');
  if (flags.prefix) return key.length === 0 ? { key: ZERO, rangeEnd: ZERO } : { key, rangeEnd: prefixRangeEnd(key) };
  if (flags.fromKey) return { key: key.length === 0 ? ZERO : key, rangeEnd: ZERO };
  if (rangeEndText !== undefined) return { key, rangeEnd: Buffer.from(rangeEndText, 'utf8') };
  return { key };
}

export interface GetFlags extends KeyRangeFlags {
  rev?: number;
  limit?: number;
  keysOnly?: boolean;
  countOnly?: boolean;
  sortBy?: string;
  order?: string;
}

const SORT_TARGETS: Record<string, SortTarget> = { KEY: 'KEY', CREATE: 'CREATE', MODIFY: 'MOD', MOD: 'MOD', VALUE: 'VALUE', VERSION: 'VERSION' };

/** A range request from get's arguments; etcdctl sorts ascending by default once a sort target is named. */
export function buildRangeRequest(keyText: string, rangeEndText: string | undefined, flags: GetFlags): RangeRequest {
  const req: RangeRequest = resolveKeyRange(keyText, rangeEndText, flags);
  if (flags.rev !== undefined && flags.rev !== 0) req.revision = flags.rev;
  if (flags.limit !== undefined && flags.limit !== 0) req.limit = flags.limit;
  if (flags.keysOnly) req.keysOnly = true;
  if (flags.countOnly) req.countOnly = true;
  if (flags.sortBy !== undefined && flags.sortBy !== '') {
    const target = SORT_TARGETS[flags.sortBy.toUpperCase()];
    if (!target) throw new UsageError(`bad sort target "${flags.sortBy}": use CREATE, KEY, MODIFY, VALUE or VERSION`);
    req.sortTarget = target;
    req.sortOrder = 'ASCEND';
  }
  if (flags.order !== undefined && flags.order !== '') {
    const order = flags.order.toUpperCase();
    if (order !== 'ASCEND' && order !== 'DESCEND') throw new UsageError(`bad sort order "${flags.order}": use ASCEND or DESCEND`);
    req.sortOrder = order as SortOrder;
  }
  return req;
}

/** Parses a non-negative integer flag value, with a usage error naming the flag. */
export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`invalid value "${text}" for ${flag}: expected a non-negative integer`);
  return Number(text);
}
