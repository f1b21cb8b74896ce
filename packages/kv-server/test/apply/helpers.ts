import { EntryType, type Entry } from '@raftkv/raft';
import { encodeCommand } from '../../src/apply/command-codec.js';
import type { Command, CommandOp } from '../../src/mvcc/types.js';
import type { KvDb } from '../../src/mvcc/db.js';
import type { DbOp } from '../../src/mvcc/layout.js';
import { b } from '../mvcc/helpers.js';

/** Builds consecutive log entries from commands (or raw entries), starting at `firstIndex`. */
export class LogBuilder {
  constructor(
    private next = 1,
    private readonly term = 1,
  ) {}

  command(cmd: Command): Entry {
    return { term: this.term, index: this.next++, type: EntryType.Normal, data: encodeCommand(cmd) };
  }

  put(id: string, key: string, value: string, idempotencyKey?: string): Entry {
    const op: CommandOp = { put: { key: b(key), value: b(value) } };
    return this.command(idempotencyKey === undefined ? { id, op } : { id, idempotencyKey, op });
  }

  noop(): Entry {
    return { term: this.term, index: this.next++, type: EntryType.Normal, data: new Uint8Array(0) };
  }

  config(): Entry {
    return { term: this.term, index: this.next++, type: EntryType.Config, data: Buffer.from('{"voters":["n1"]}') };
  }

  raw(data: Uint8Array): Entry {
    return { term: this.term, index: this.next++, type: EntryType.Normal, data };
  }
}

/**
 * Calls `beforeWrite` with the operations of each batch the state machine writes to `db` (level's chained batch),
 * before the batch is written: it may record them, hold the write back, or throw to make the write fail.
 */
export function interceptBatches(db: KvDb, beforeWrite: (ops: DbOp[]) => Promise<void>): void {
  const chained = db.batch.bind(db) as () => ReturnType<KvDb['batch']>;
  (db as unknown as { batch: () => ReturnType<KvDb['batch']> }).batch = () => {
    const batch = chained();
    const ops: DbOp[] = [];
    const put = batch.put.bind(batch);
    const del = batch.del.bind(batch);
    const write = batch.write.bind(batch);
    batch.put = (key: Buffer, value: Buffer) => (ops.push({ type: 'put', key, value }), put(key, value));
    batch.del = (key: Buffer) => (ops.push({ type: 'del', key }), del(key));
    batch.write = async () => {
      try {
        await beforeWrite(ops);
      } catch (err) {
        await batch.close();
        throw err;
      }
      return write();
    };
    return batch;
  };
}
