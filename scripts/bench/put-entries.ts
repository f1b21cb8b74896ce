import { randomBytes, randomUUID } from 'node:crypto';
import { EntryType, type Entry } from '@raftkv/raft';
import { encodeCommand } from '@raftkv/kv-server';

/** The benchmark's value size (etcd's published benchmark uses 256 bytes too). */
export const VALUE_BYTES = 256;

/** Encoded puts to random 8-byte keys of a fixed set, as a leader's log would hold them: Raft entries from index 1. */
export class PutEntries {
  private readonly keys: Buffer[];
  private readonly value = randomBytes(VALUE_BYTES);
  private index = 1;

  constructor(keyCount: number) {
    this.keys = Array.from({ length: keyCount }, () => randomBytes(8));
  }

  /** At least `count` puts (whole batches), `batch` entries per batch. */
  batches(count: number, batch: number): Entry[][] {
    const out: Entry[][] = [];
    for (let made = 0; made < count; made += batch) {
      const entries: Entry[] = [];
      for (let i = 0; i < batch; i++) {
        const key = this.keys[Math.floor(Math.random() * this.keys.length)]!;
        const command = { id: randomUUID(), op: { put: { key, value: this.value } } };
        entries.push({ index: this.index++, term: 1, type: EntryType.Normal, data: encodeCommand(command) });
      }
      out.push(entries);
    }
    return out;
  }
}
