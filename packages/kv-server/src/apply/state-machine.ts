import { EventEmitter } from 'node:events';
import { EntryType, type Entry, type Snapshot, type StateMachine } from '@raftkv/raft';
import { silentLogger, type Logger } from '@raftkv/cnet';
import { openKvDb, readUint, scanBatches, syncKvDb, type KvDb } from '../mvcc/db.js';
import { errStopped, errTimeout } from '../mvcc/errors.js';
import { META_APPLIED_INDEX, encodeUint, recordKey, dedupKey, type DbOp } from '../mvcc/layout.js';
import { encodeRecordBody } from '../mvcc/record.js';
import { MvccStore, type ChangeEvent, type WriteOutcome } from '../mvcc/store.js';
import { LeaseTable, type LeaseChange } from '../lease/lease-table.js';
import {
  KvError,
  type Command,
  type CommandOp,
  type CommandResponse,
  type CommandResult,
  type RangeRequest,
  type RangeResponse,
  type TxnRequest,
  type TxnResponse,
} from '../mvcc/types.js';
import { decodeCommand, decodeResult, encodeCommand, encodeResult } from './command-codec.js';
import { DEFAULT_WRITE_BEHIND, WriteBehind, type WriteBehindOptions } from './write-behind.js';
import { DEFAULT_DEDUP_LIMITS, DedupTable, encodeEntry, type DedupLimits } from './dedup.js';
import { ResultWaiters } from './results.js';
import { decodeSnapshot, encodeSnapshot, type KvSnapshotState } from './snapshot-codec.js';

export interface KvStateMachineOptions {
  logger?: Logger;
  /** Must be equal on every node of a cluster (eviction is part of the replicated state). */
  dedupLimits?: Partial<DedupLimits>;
  /** When applied effects are written to level (default: etcd's backend batching, 100 ms or 10,000 operations). */
  writeBehind?: Partial<WriteBehindOptions>;
}

export interface KvStateMachineEvents {
  /** After an apply() batch is applied in memory, after its answers: the new applied index and store revision. */
  applied: [index: number, revision: number];
  /** After an apply() batch is applied in memory (committed in Raft), before its answers and `applied`: each write transaction's changes, in revision order. */
  changes: [changes: Array<{ revision: number; events: ChangeEvent[] }>];
  /** After an apply() batch is applied in memory (committed in Raft): leases granted, renewed by a keepalive, or revoked. */
  leases: [changes: LeaseChange[]];
  /** A snapshot replaced the whole state: watchers and the lessor start over from it. */
  restored: [revision: number];
}

/**
 * The KV state machine the Raft driver applies committed entries to. Each apply() call executes its
 * entries against the MVCC store in memory and queues their effects, the dedup entries and the applied index
 * for level (WriteBehind: one batch per interval, each holding the applied index of its last entry), so a
 * restart neither re-applies nor skips an entry: it replays from the Raft log whatever the last batch missed.
 */
export class KvStateMachine extends EventEmitter<KvStateMachineEvents> implements StateMachine {
  private applied: number;
  private readonly waiters = new ResultWaiters();
  /** apply, takeSnapshot and restoreSnapshot run one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when a batch failed to write: memory is then ahead of disk, and the process must restart. */
  private failure: Error | undefined;
  private closed = false;
  private readonly writes: WriteBehind;

  private constructor(
    private readonly db: KvDb,
    private readonly ownsDb: boolean,
    private store: MvccStore,
    private leaseTable: LeaseTable,
    private dedup: DedupTable,
    appliedIndex: number,
    private readonly limits: DedupLimits,
    private readonly logger: Logger,
    writeBehind: WriteBehindOptions,
  ) {
    super();
    this.applied = appliedIndex;
    this.writes = new WriteBehind(db, writeBehind, (err) => {
      this.failure = err;
      this.logger.error({ err: String(err) }, 'kv batch write failed; the node must restart');
    });
    this.store.leaseExists = (id) => this.leaseTable.has(id);
  }

  /**
   * Opens (or creates) the KV database at `location` (a directory such as dataDir/kv), or uses an open level
   * instance, which must be dedicated to this state machine: restoring a snapshot replaces every key in it.
   */
  static async open(location: string | KvDb, options: KvStateMachineOptions = {}): Promise<KvStateMachine> {
    const ownsDb = typeof location === 'string';
    const db = typeof location === 'string' ? await openKvDb(location) : location;
    const limits = { ...DEFAULT_DEDUP_LIMITS, ...options.dedupLimits };
    const store = await MvccStore.load(db);
    const leases = await LeaseTable.load(db, store);
    const dedup = await DedupTable.load(db, limits);
    const applied = (await readUint(db, META_APPLIED_INDEX)) ?? 0;
    const writeBehind = { ...DEFAULT_WRITE_BEHIND, ...options.writeBehind };
    return new KvStateMachine(db, ownsDb, store, leases, dedup, applied, limits, options.logger ?? silentLogger, writeBehind);
  }

  // ---- StateMachine (called by the Raft driver) ----

  appliedIndex(): number {
    return this.applied;
  }

  /** `logDurable`: the effects reach the disk only once the Raft log holds the entries durably (see the interface). */
  apply(entries: Entry[], logDurable?: Promise<boolean>): Promise<void> {
    return this.serially(() => this.applyBatch(entries, logDurable));
  }

  /** Writes what every resolved apply() queued, then flushes it to disk, so the log before it can go. */
  async sync(): Promise<void> {
    await this.writes.flush();
    await syncKvDb(this.db);
  }

  /**
   * Captures the state in queue order (as of the applies called before this) by copying references to its
   * records, which are never changed once written, then encodes them off the queue so applies go on meanwhile.
   */
  async takeSnapshot(): Promise<Uint8Array> {
    const state = await this.serially(async (): Promise<KvSnapshotState> => ({
      appliedIndex: this.applied,
      currentRevision: this.store.currentRevision(),
      compactMainRevision: this.store.compactMainRevision(),
      records: this.store.records(),
      dedup: Array.from(this.dedup.entries()),
      leases: this.leaseTable.list().map((l) => ({ id: l.id, ttl: l.ttl })),
    }));
    return encodeSnapshot(state);
  }

  restoreSnapshot(snapshot: Snapshot): Promise<void> {
    return this.serially(() => this.restore(snapshot));
  }

  // ---- What the HTTP layer uses ----

  /** Encodes a command for raft.propose(). */
  encodeWrite(command: Command): Uint8Array {
    return encodeCommand(command);
  }

  /**
   * Resolves when the command with this id is applied on this node (register before proposing). A duplicate of
   * an applied id (or of its idempotency key) resolves with the first result; an id already applied resolves at once.
   */
  waitForResult(id: string, timeoutMs?: number): Promise<CommandResult> {
    const known = this.dedup.get(id);
    if (known !== undefined) return Promise.resolve(decodeResult(known.result));
    return this.waiters.wait(id, timeoutMs);
  }

  /** waitForResult, unwrapped: resolves with { revision, response } or rejects with the KvError the command produced. */
  async waitApplied(id: string, timeoutMs?: number): Promise<{ revision: number; raftTerm?: number; response: CommandResponse }> {
    const result = await this.waitForResult(id, timeoutMs);
    if ('error' in result) throw result.error;
    return result.ok;
  }

  /** Stops waiting for an id; its waiters reject with `reason` (default: request timed out). */
  forget(id: string, reason: Error = errTimeout()): void {
    this.waiters.cancel(id, reason);
  }

  /** Resolves once this node has applied `index` (e.g. a ReadIndex); rejects after timeoutMs if given. */
  waitForAppliedIndex(index: number, timeoutMs?: number): Promise<void> {
    if (this.applied >= index) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onApplied = (applied: number): void => {
        if (applied < index) return;
        cleanup();
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => (cleanup(), reject(errTimeout())), timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('applied', onApplied);
      };
      this.on('applied', onApplied);
    });
  }

  /** A local read at the current or a past revision (throws KvError: compacted, future revision, bad request). */
  range(req: RangeRequest): RangeResponse {
    return this.store.range(req);
  }

  /** A txn that cannot write (see isTxnReadOnly), served locally without a revision. */
  readTxn(req: TxnRequest): TxnResponse {
    return this.store.readTxn(req);
  }

  currentRevision(): number {
    return this.store.currentRevision();
  }

  /** Alias of currentRevision() for the HTTP layer's backend interface. */
  revision(): number {
    return this.store.currentRevision();
  }

  compactedRevision(): number {
    return this.store.compactedRevision();
  }

  /** The store, for reading history (watch catch-up); writes go through apply() only. */
  mvcc(): MvccStore {
    return this.store;
  }

  /** The replicated lease state (read-only use: timetolive, leases). */
  leases(): LeaseTable {
    return this.leaseTable;
  }

  dedupSize(): number {
    return this.dedup.size;
  }

  /** Waits for queued work and writes, rejects remaining waiters, and closes the database if this instance opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.writes.flush().catch(() => undefined);
    this.waiters.cancelAll(errStopped());
    if (this.ownsDb) await this.db.close();
  }

  // ---- internals ----

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.failure) throw new Error(`kv state machine unusable after a failed write: ${this.failure.message}`);
      if (this.closed) throw new Error('kv state machine closed');
      return fn();
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async applyBatch(entries: Entry[], logDurable?: Promise<boolean>): Promise<void> {
    const fresh = entries.filter((e) => e.index > this.applied);
    fresh.forEach((e, i) => {
      if (e.index !== this.applied + 1 + i)
        throw new Error(`apply would skip entries: expected index ${this.applied + 1 + i}, got ${e.index}`);
    });
    if (fresh.length === 0) return;

    const ops: DbOp[] = [];
    const answered: Array<[string, CommandResult]> = [];
    const leaseChanges: LeaseChange[] = [];
    const changes: Array<{ revision: number; events: ChangeEvent[] }> = [];
    for (const e of fresh) {
      if (e.type === EntryType.Normal && e.data.length > 0) this.applyEntry(e, ops, answered, leaseChanges);
      // Keys join and leave leases as each command writes, so the next command sees the attachments.
      for (const c of this.store.takeChanges()) {
        this.leaseTable.track(c.events);
        changes.push(c);
      }
    }
    const last = fresh[fresh.length - 1]!.index;
    ops.push(...this.store.takeDbOps(), { type: 'put', key: META_APPLIED_INDEX, value: encodeUint(last) });
    // The entries are committed in the Raft log on a quorum, and reads see the store in memory: watchers hear of
    // the changes and waiting requests are answered now (as etcd does before its backend commits), watchers
    // first so a client that watches after its answer never sees that change again. If the write of these
    // effects fails, the next apply fails, the node stops and a restart replays these entries from the log.
    if (changes.length > 0) this.emit('changes', changes);
    if (leaseChanges.length > 0) this.emit('leases', leaseChanges);
    for (const [id, result] of answered) this.waiters.resolve(id, result);
    this.writes.add(ops, logDurable);
    this.applied = last;
    this.emit('applied', last, this.store.currentRevision());
  }

  private applyEntry(e: Entry, ops: DbOp[], answered: Array<[string, CommandResult]>, leaseChanges: LeaseChange[]): void {
    let cmd: Command;
    try {
      cmd = decodeCommand(e.data);
    } catch (err) {
      // Every node fails to decode it alike; nobody can be waiting for it.
      this.logger.warn({ index: e.index, err: String(err) }, 'skipping an undecodable log entry');
      return;
    }
    const seen = this.dedup.lookup(cmd.id, cmd.idempotencyKey);
    let encoded: Buffer;
    let result: CommandResult;
    if (seen !== undefined) {
      encoded = seen.result;
      result = decodeResult(encoded);
      if (seen.id === cmd.id) {
        answered.push([cmd.id, result]);
        return;
      }
    } else {
      result = this.execute(cmd.op, e, ops, leaseChanges);
      encoded = encodeResult(result);
    }
    const entry = { id: cmd.id, index: e.index, result: encoded };
    this.dedup.record(cmd.idempotencyKey === undefined ? entry : { ...entry, idempotencyKey: cmd.idempotencyKey }, ops);
    this.dedup.evict(e.index, ops);
    answered.push([cmd.id, result]);
  }

  private execute(op: CommandOp, e: Entry, ops: DbOp[], leaseChanges: LeaseChange[]): CommandResult {
    try {
      const out = this.executeOp(op, ops, leaseChanges);
      return { ok: { revision: out.revision, raftTerm: e.term, response: out.response } };
    } catch (err) {
      if (err instanceof KvError) return { error: err };
      this.logger.error({ index: e.index, err: String(err) }, 'command failed unexpectedly');
      return { error: new KvError(13, `etcdserver: ${(err as Error).message ?? String(err)}`) };
    }
  }

  private executeOp(op: CommandOp, ops: DbOp[], leaseChanges: LeaseChange[]): WriteOutcome<CommandResponse> {
    if ('leaseGrant' in op) return this.leaseTable.grant(op.leaseGrant.id, op.leaseGrant.ttl, this.store, ops, leaseChanges);
    if ('leaseRevoke' in op) return this.leaseTable.revoke(op.leaseRevoke.id, this.store, ops, leaseChanges);
    if ('leaseKeepAlive' in op) return this.leaseTable.keepAlive(op.leaseKeepAlive.id, this.store, leaseChanges);
    if ('put' in op) return this.store.put(op.put);
    if ('deleteRange' in op) return this.store.deleteRange(op.deleteRange);
    if ('txn' in op) return this.store.txn(op.txn);
    if ('compaction' in op) return this.store.compact(op.compaction.revision);
    throw new KvError(3, 'etcdserver: unknown command op');
  }

  private async restore(snapshot: Snapshot): Promise<void> {
    const s = decodeSnapshot(snapshot.data);
    if (s.appliedIndex !== snapshot.meta.index)
      this.logger.warn({ encoded: s.appliedIndex, meta: snapshot.meta.index }, 'snapshot index differs from its meta');
    // Queued writes land first, or they would land on top of the snapshot's state.
    await this.writes.flush();
    // One batch replaces every key, so a crash leaves either the old state or the new one.
    const ops: DbOp[] = [];
    for await (const batch of scanBatches(this.db, { gte: Buffer.of(0), lt: Buffer.of(0xff) }))
      for (const [k] of batch) ops.push({ type: 'del', key: k });
    const { keys, records } = s.records;
    for (let i = 0; i < records.length; i++)
      ops.push({ type: 'put', key: recordKey(records[i]!), value: encodeRecordBody(keys[i]!, records[i]!) });
    const dedup = DedupTable.fromEntries(s.dedup, this.limits);
    for (const e of s.dedup) ops.push({ type: 'put', key: dedupKey(e.id), value: encodeEntry(e) });
    const store = MvccStore.fromRecords(s.records, s.currentRevision, s.compactMainRevision);
    const leaseTable = LeaseTable.fromLeases(s.leases, store);
    ops.push(...leaseTable.dbOps());
    ops.push(...store.takeDbOps(), { type: 'put', key: META_APPLIED_INDEX, value: encodeUint(s.appliedIndex) });
    // Through the write-behind, so a failed write is handled in one place; the queue is empty, so this is one batch.
    this.writes.add(ops);
    await this.writes.flush();
    this.store = store;
    this.leaseTable = leaseTable;
    this.store.leaseExists = (id) => this.leaseTable.has(id);
    this.dedup = dedup;
    this.applied = s.appliedIndex;
    // Requests waiting here whose commands the snapshot already covers get their results.
    for (const id of this.waiters.ids()) {
      const known = this.dedup.get(id);
      if (known !== undefined) this.waiters.resolve(id, decodeResult(known.result));
    }
    this.emit('restored', this.store.currentRevision());
    this.emit('applied', this.applied, this.store.currentRevision());
  }
}
