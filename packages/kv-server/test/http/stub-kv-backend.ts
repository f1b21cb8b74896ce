import {
  KvError,
  type Command,
  type CommandOp,
  type CommandResponse,
  type Compare,
  type DeleteRangeResponse,
  type KeyValue,
  type PutRequest,
  type RangeRequest,
  type RangeResponse,
  type RequestOp,
  type ResponseOp,
  type TxnRequest,
  type TxnResponse,
} from '../../src/mvcc/types.js';
import type { KvBackend, WriteOutcome } from '../../src/proposals.js';

/**
 * Latest-value-only KV for handler tests (no history, no compaction): enough to check the HTTP shapes and the
 * proposal path without the real MVCC store. Commands travel as their id; `applyEntry` applies each id once.
 */
export class StubKvBackend implements KvBackend {
  private readonly data = new Map<string, KeyValue>();
  private readonly pending = new Map<string, Command>();
  private readonly waiters = new Map<string, { resolve: (o: WriteOutcome) => void; reject: (e: unknown) => void }>();
  private readonly applied = new Set<string>();
  private rev = 1;
  private writeRev = 1;
  private changed = false;
  appliedCount = 0;
  entriesSeen = 0;

  encodeWrite(command: Command): Uint8Array {
    this.pending.set(command.id, command);
    return Buffer.from(command.id);
  }

  waitApplied(requestId: string): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => this.waiters.set(requestId, { resolve, reject }));
  }

  forget(requestId: string): void {
    this.waiters.delete(requestId);
  }

  applyEntry(data: Uint8Array): void {
    this.entriesSeen++;
    const id = Buffer.from(data).toString();
    const command = this.pending.get(id);
    if (!command || this.applied.has(id)) return;
    this.applied.add(id);
    this.appliedCount++;
    const waiter = this.waiters.get(id);
    try {
      const response = this.applyOp(command.op);
      waiter?.resolve({ revision: this.rev, response });
    } catch (err) {
      waiter?.reject(err);
    }
  }

  revision(): number {
    return this.rev;
  }

  range(req: RangeRequest): RangeResponse {
    const found = this.matching(req.key, req.rangeEnd);
    const limited = req.limit && req.limit > 0 ? found.slice(0, req.limit) : found;
    const kvs = req.countOnly ? [] : limited.map((kv) => (req.keysOnly ? { ...kv, value: Buffer.alloc(0) } : kv));
    return { kvs, more: limited.length < found.length, count: found.length };
  }

  private matching(key: Buffer, rangeEnd: Buffer | undefined): KeyValue[] {
    const all = [...this.data.values()].sort((a, b) => Buffer.compare(a.key, b.key));
    if (rangeEnd === undefined) return all.filter((kv) => kv.key.equals(key));
    const toEnd = rangeEnd.length === 1 && rangeEnd[0] === 0;
    return all.filter((kv) => Buffer.compare(kv.key, key) >= 0 && (toEnd || Buffer.compare(kv.key, rangeEnd) < 0));
  }

  private applyOp(op: CommandOp): CommandResponse {
    // A whole command writes at one new revision, as etcd's txns do.
    this.writeRev = this.rev + 1;
    this.changed = false;
    let resp: CommandResponse = {};
    if ('put' in op) resp = this.put(op.put);
    else if ('deleteRange' in op) resp = this.deleteRange(op.deleteRange.key, op.deleteRange.rangeEnd);
    else if ('txn' in op) resp = this.txn(op.txn);
    if (this.changed) this.rev = this.writeRev;
    if (!('compaction' in op)) return resp;
    if (op.compaction.revision > this.rev) throw new KvError(11, 'etcdserver: mvcc: required revision is a future revision');
    return {};
  }

  private put(req: PutRequest): { prevKv?: KeyValue } {
    const id = req.key.toString('latin1');
    const prev = this.data.get(id);
    this.changed = true;
    this.data.set(id, {
      key: req.key,
      value: req.value,
      createRevision: prev?.createRevision ?? this.writeRev,
      modRevision: this.writeRev,
      version: (prev?.version ?? 0) + 1,
      lease: 0,
    });
    return req.prevKv && prev ? { prevKv: prev } : {};
  }

  private deleteRange(key: Buffer, rangeEnd: Buffer | undefined): DeleteRangeResponse {
    const found = this.matching(key, rangeEnd);
    if (found.length > 0) this.changed = true;
    for (const kv of found) this.data.delete(kv.key.toString('latin1'));
    return { deleted: found.length, prevKvs: found };
  }

  private txn(req: TxnRequest): TxnResponse {
    const succeeded = req.compare.every((c) => this.compare(c));
    const responses = (succeeded ? req.success : req.failure).map((op) => this.txnOp(op));
    return { succeeded, responses };
  }

  private txnOp(op: RequestOp): ResponseOp {
    if ('requestRange' in op) return { responseRange: this.range(op.requestRange) };
    if ('requestPut' in op) return { responsePut: this.put(op.requestPut) };
    if ('requestDeleteRange' in op) {
      const d = op.requestDeleteRange;
      return { responseDeleteRange: this.deleteRange(d.key, d.rangeEnd) };
    }
    return { responseTxn: this.txn(op.requestTxn) };
  }

  private compare(c: Compare): boolean {
    const kv = this.data.get(c.key.toString('latin1'));
    const actual = {
      VERSION: kv?.version ?? 0,
      CREATE: kv?.createRevision ?? 0,
      MOD: kv?.modRevision ?? 0,
      LEASE: 0,
      VALUE: 0,
    }[c.target];
    const wanted = { VERSION: c.version, CREATE: c.createRevision, MOD: c.modRevision, LEASE: c.lease, VALUE: 0 }[c.target] ?? 0;
    const order = c.target === 'VALUE' ? Buffer.compare(kv?.value ?? Buffer.alloc(0), c.value ?? Buffer.alloc(0)) : Math.sign(actual - wanted);
    return { EQUAL: order === 0, NOT_EQUAL: order !== 0, GREATER: order > 0, LESS: order < 0 }[c.result];
  }
}
