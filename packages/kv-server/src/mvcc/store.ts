import { readUint, scanBatches, type KvDb } from './db.js';
import { errCompacted, errFutureRevision, errKeyNotFound, errLeaseNotFound } from './errors.js';
import { KeyIndex, KeyIndexLoader, keySpan, type KeySpan } from './key-index.js';
import type { KeyHistory } from './key-history.js';
import {
  META_COMPACTED_REVISION,
  META_CURRENT_REVISION,
  encodeUint,
  parseRecordKey,
  prefixBounds,
  recordKey,
  RECORD_PREFIX,
  type DbOp,
} from './layout.js';
import { encodeRecordBody, RevisionRecord, type RecordList } from './record.js';
import { rangeKeys, readRevision } from './range.js';
import { evaluateCompare } from './compare.js';
import {
  classifyOp,
  isTxnReadOnly,
  validateCompaction,
  validateDeleteRange,
  validatePut,
  validateRange,
  validateTxn,
  type ClassifiedOp,
} from './validate.js';
import type {
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from './types.js';

/**
 * One change a write transaction made, as watchers see it: the new value (PUT) or a tombstone (DELETE, kv holds
 * the key and the deleting revision only), with the value before it when there was one.
 */
export interface ChangeEvent {
  type: 'PUT' | 'DELETE';
  kv: KeyValue;
  prevKv?: KeyValue;
}

/** A write's outcome: the store revision after it (for the response header) and the response body. */
export interface WriteOutcome<R> {
  revision: number;
  response: R;
}

/** A txn with every compare already decided against the state before the txn (etcd's compareToPath). */
interface PlannedTxn {
  succeeded: boolean;
  ops: PlannedOp[];
}
type PlannedOp = Exclude<ClassifiedOp, { kind: 'txn' }> | { kind: 'txn'; plan: PlannedTxn };

/** etcd's store starts at revision 1; the first write makes revision 2. */
const INITIAL_REVISION = 1;
/** etcd's compactMainRev before any compaction, which lets a first compaction at revision 0 succeed. */
const NEVER_COMPACTED = -1;

/**
 * The MVCC store: one revision per write transaction, history per key, reads at past revisions, compaction.
 * Writes happen in memory at once and queue their level operations; the owner writes them (with whatever
 * else must be atomic with them, such as the applied index) via takeDbOps().
 */
export class MvccStore {
  private index = new KeyIndex();
  private current = INITIAL_REVISION;
  /** etcd's compactMainRev: reads below it are refused. */
  private compacted = NEVER_COMPACTED;
  private pending: DbOp[] = [];
  /** Changes since the last takeChanges(), grouped by revision (one write transaction each). */
  private changes: Array<{ revision: number; events: ChangeEvent[] }> = [];
  /** Whether a lease id exists; a put naming another lease fails (set by the apply loop's lease table). */
  leaseExists: (id: number) => boolean = () => false;

  /** Rebuilds the in-memory index from the records and meta in `db`. */
  static async load(db: KvDb): Promise<MvccStore> {
    const loader = new KeyIndexLoader();
    for await (const batch of scanBatches(db, prefixBounds(RECORD_PREFIX)))
      for (const [k, v] of batch) {
        const rev = parseRecordKey(k);
        loader.add(rev.main, rev.sub, v);
      }
    const current = (await readUint(db, META_CURRENT_REVISION)) ?? INITIAL_REVISION;
    // Stored plus one, so "never compacted" (-1) fits an unsigned field.
    const compacted = ((await readUint(db, META_COMPACTED_REVISION)) ?? 0) - 1;
    return MvccStore.withIndex(loader.finish(), current, compacted);
  }

  /** A store holding exactly `list`'s records (in revision order), e.g. from a snapshot. */
  static fromRecords(list: RecordList, current: number, compactMain: number): MvccStore {
    return MvccStore.withIndex(KeyIndex.fromRecords(list), current, compactMain);
  }

  private static withIndex(index: KeyIndex, current: number, compactMain: number): MvccStore {
    const s = new MvccStore();
    s.index = index;
    s.current = current;
    s.compacted = compactMain;
    return s;
  }

  currentRevision(): number {
    return this.current;
  }

  /** The revision of the last compaction (0 when none). */
  compactedRevision(): number {
    return Math.max(0, this.compacted);
  }

  /** etcd's compactMainRev: -1 before any compaction (then a compaction at revision 0 is allowed once). */
  compactMainRevision(): number {
    return this.compacted;
  }

  /** Number of keys with any kept history (live or not yet compacted). */
  indexedKeys(): number {
    return this.index.size;
  }

  /** The latest value of every live key, in key order. */
  *liveKvs(): Generator<KeyValue> {
    for (const history of this.index.histories({ from: Buffer.alloc(0), to: null })) {
      const kv = history.latest();
      if (kv !== undefined) yield kv;
    }
  }

  /** Every kept record with its key, grouped by key. */
  records(): RecordList {
    return this.index.allRecords();
  }

  /** Level operations for the writes since the last call, ending with the revision meta. */
  takeDbOps(): DbOp[] {
    const ops = this.pending;
    this.pending = [];
    ops.push(
      { type: 'put', key: META_CURRENT_REVISION, value: encodeUint(this.current) },
      { type: 'put', key: META_COMPACTED_REVISION, value: encodeUint(this.compacted + 1) },
    );
    return ops;
  }

  /** The changes each write transaction made since the last call, in revision order. */
  takeChanges(): Array<{ revision: number; events: ChangeEvent[] }> {
    const out = this.changes;
    this.changes = [];
    return out;
  }

  /** The changes of revisions [fromRev, toRev] to keys in `span`, in revision order (history kept since compaction). */
  changesIn(span: KeySpan, fromRev: number, toRev: number): Array<{ revision: number; events: ChangeEvent[] }> {
    const found: Array<{ main: number; sub: number; event: ChangeEvent }> = [];
    for (const history of this.index.histories(span)) {
      const recs = history.records;
      for (let i = recs.length - 1; i >= 0 && recs[i]!.main >= fromRev; i--) {
        const rec = recs[i]!;
        if (rec.main > toRev) continue;
        const prev = i > 0 ? recs[i - 1]! : undefined;
        found.push({ main: rec.main, sub: rec.sub, event: eventOf(history.key, rec, prev) });
      }
    }
    found.sort((a, b) => a.main - b.main || a.sub - b.sub);
    const out: Array<{ revision: number; events: ChangeEvent[] }> = [];
    for (const f of found) {
      const last = out[out.length - 1];
      if (last !== undefined && last.revision === f.main) last.events.push(f.event);
      else out.push({ revision: f.main, events: [f.event] });
    }
    return out;
  }

  /** Deletes every listed key that exists, all in one revision (a lease revoke). */
  deleteKeys(keys: Buffer[]): WriteOutcome<DeleteRangeResponse> {
    return this.write((w) => {
      let deleted = 0;
      for (const key of keys) deleted += w.deleteRange({ key }).deleted;
      return { deleted, prevKvs: [] };
    });
  }

  range(req: RangeRequest): RangeResponse {
    validateRange(req);
    return rangeKeys(this.index, req, this.current, this.compacted);
  }

  put(req: PutRequest): WriteOutcome<PutResponse> {
    validatePut(req);
    if ((req.lease ?? 0) !== 0 && !this.leaseExists(req.lease!)) throw errLeaseNotFound();
    if ((req.ignoreValue || req.ignoreLease) && this.index.get(req.key)?.latestRecord() === undefined) throw errKeyNotFound();
    return this.write((w) => w.put(req));
  }

  deleteRange(req: DeleteRangeRequest): WriteOutcome<DeleteRangeResponse> {
    validateDeleteRange(req);
    return this.write((w) => w.deleteRange(req));
  }

  txn(req: TxnRequest): WriteOutcome<TxnResponse> {
    validateTxn(req);
    const plan = this.plan(req);
    this.checkPuts(plan);
    this.checkRanges(plan);
    return this.write((w) => this.execute(w, plan));
  }

  /** Serves a txn without writes locally (no revision is made); throws if any branch writes. */
  readTxn(req: TxnRequest): TxnResponse {
    validateTxn(req);
    if (!isTxnReadOnly(req)) throw new Error('readTxn given a txn that writes');
    const plan = this.plan(req);
    this.checkRanges(plan);
    return this.execute(new WriteTxn(this.index, this.current, this.compacted, []), plan);
  }

  compact(revision: number): WriteOutcome<CompactionResponse> {
    validateCompaction({ revision });
    if (revision <= this.compacted) throw errCompacted();
    if (revision > this.current) throw errFutureRevision();
    for (const rec of this.index.compact(revision)) this.pending.push({ type: 'del', key: recordKey(rec) });
    this.compacted = revision;
    return { revision: this.current, response: {} };
  }

  private write<R>(fn: (w: WriteTxn) => R): WriteOutcome<R> {
    const w = new WriteTxn(this.index, this.current, this.compacted, this.pending);
    const response = fn(w);
    if (w.changed) {
      this.current = w.rev;
      this.changes.push({ revision: w.rev, events: w.events });
    }
    return { revision: this.current, response };
  }

  private plan(req: TxnRequest): PlannedTxn {
    const succeeded = req.compare.every((c) => evaluateCompare(this.index, this.current, c));
    const ops = (succeeded ? req.success : req.failure).map((op): PlannedOp => {
      const c = classifyOp(op)!;
      return c.kind === 'txn' ? { kind: 'txn', plan: this.plan(c.req) } : c;
    });
    return { succeeded, ops };
  }

  /** etcd's checkPut over the chosen path, against the state before the txn. */
  private checkPuts(plan: PlannedTxn): void {
    for (const op of plan.ops) {
      if (op.kind === 'txn') this.checkPuts(op.plan);
      if (op.kind !== 'put') continue;
      if ((op.req.ignoreValue || op.req.ignoreLease) && this.index.get(op.req.key)?.latestRecord() === undefined)
        throw errKeyNotFound();
      if ((op.req.lease ?? 0) !== 0 && !this.leaseExists(op.req.lease!)) throw errLeaseNotFound();
    }
  }

  /** etcd's checkRange: a range at a future or compacted revision fails the whole txn. */
  private checkRanges(plan: PlannedTxn): void {
    for (const op of plan.ops) {
      if (op.kind === 'txn') this.checkRanges(op.plan);
      if (op.kind === 'range' && op.req.revision) readRevision(op.req.revision, this.current, this.compacted);
    }
  }

  private execute(w: WriteTxn, plan: PlannedTxn): TxnResponse {
    const responses = plan.ops.map((op): ResponseOp => {
      switch (op.kind) {
        case 'range':
          return { responseRange: w.range(op.req) };
        case 'put':
          return { responsePut: w.put(op.req) };
        case 'deleteRange':
          return { responseDeleteRange: w.deleteRange(op.req) };
        case 'txn':
          return { responseTxn: this.execute(w, op.plan) };
      }
    });
    return { succeeded: plan.succeeded, responses };
  }
}

/**
 * One write transaction: every change gets revision `rev` and the next sub-revision. Reads inside it see
 * its earlier writes (etcd's storeTxnWrite.Range reads at rev once something changed).
 */
class WriteTxn {
  readonly rev: number;
  readonly events: ChangeEvent[] = [];
  private sub = 0;

  constructor(
    private readonly index: KeyIndex,
    private readonly begin: number,
    private readonly compacted: number,
    private readonly out: DbOp[],
  ) {
    this.rev = begin + 1;
  }

  get changed(): boolean {
    return this.sub > 0;
  }

  private get viewRevision(): number {
    return this.changed ? this.rev : this.begin;
  }

  range(req: RangeRequest): RangeResponse {
    return rangeKeys(this.index, req, this.viewRevision, this.compacted);
  }

  put(req: PutRequest): PutResponse {
    const history = this.index.getOrCreate(req.key);
    const prevRecord = history.latestRecord();
    if ((req.ignoreValue || req.ignoreLease) && prevRecord === undefined) throw errKeyNotFound();
    const createRevision = prevRecord?.createRevision ?? this.rev;
    const version = (prevRecord?.version ?? 0) + 1;
    const lease = req.ignoreLease ? prevRecord!.lease : (req.lease ?? 0);
    const sub = this.sub++;
    const rec = req.ignoreValue
      ? RevisionRecord.putKeepingValue(this.rev, sub, createRevision, version, lease, prevRecord!)
      : RevisionRecord.put(this.rev, sub, createRevision, version, lease, req.value);
    this.add(history, rec);
    const prev = prevRecord?.kv(history.key);
    const kv = rec.kv(history.key);
    this.events.push(prev === undefined ? { type: 'PUT', kv } : { type: 'PUT', kv, prevKv: prev });
    return req.prevKv && prev !== undefined ? { prevKv: prev } : {};
  }

  deleteRange(req: DeleteRangeRequest): DeleteRangeResponse {
    const prevKvs: KeyValue[] = [];
    for (const history of this.index.histories(keySpan(req.key, req.rangeEnd))) {
      const prev = history.latest();
      if (prev === undefined) continue;
      prevKvs.push(prev);
      this.add(history, RevisionRecord.tombstone(this.rev, this.sub++));
      this.events.push({ type: 'DELETE', kv: tombstoneKv(history.key, this.rev), prevKv: prev });
    }
    return { deleted: prevKvs.length, prevKvs: req.prevKv ? prevKvs : [] };
  }

  private add(history: KeyHistory, rec: RevisionRecord): void {
    history.append(rec);
    this.out.push({ type: 'put', key: recordKey(rec), value: encodeRecordBody(history.key, rec) });
  }
}

/** etcd's DELETE event carries only the key and the deleting revision. */
function tombstoneKv(key: Buffer, rev: number): KeyValue {
  return { key, value: Buffer.alloc(0), createRevision: 0, modRevision: rev, version: 0, lease: 0 };
}

/** The change `rec` made to `key`, after `prev` (the key's record before it, if any). */
function eventOf(key: Buffer, rec: RevisionRecord, prev: RevisionRecord | undefined): ChangeEvent {
  const type = rec.isTombstone ? 'DELETE' : 'PUT';
  const kv = rec.isTombstone ? tombstoneKv(key, rec.main) : rec.kv(key);
  return prev === undefined || prev.isTombstone ? { type, kv } : { type, kv, prevKv: prev.kv(key) };
}
