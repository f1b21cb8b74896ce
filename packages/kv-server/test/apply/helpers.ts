import { EntryType, type Entry } from '@raftkv/raft';
import { encodeCommand } from '../../src/apply/command-codec.js';
import type { Command, CommandOp } from '../../src/mvcc/types.js';
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
