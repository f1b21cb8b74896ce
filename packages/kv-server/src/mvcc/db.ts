import { Level } from 'level';
import { writeLevelBatch } from '@raftkv/raft';
import { decodeUint, type DbOp } from './layout.js';

/** The KV database: level with Buffer keys and values. */
export type KvDb = Level<Buffer, Buffer>;

const BUFFERS = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const;

export async function openKvDb(location: string): Promise<KvDb> {
  const db = new Level<Buffer, Buffer>(location, BUFFERS);
  await db.open();
  return db;
}

/** One atomic batch (level's chained batch: see writeLevelBatch). */
export function writeBatch(db: KvDb, ops: DbOp[]): Promise<void> {
  return writeLevelBatch(db, ops);
}

/** Entries per native read when scanning a whole prefix (a load), and the bytes those reads may hold. */
const SCAN_BATCH_ENTRIES = 1000;
const SCAN_BATCH_BYTES = 1 << 20;

/**
 * Every entry under `bounds`, in key order, a batch at a time: a load over many entries makes about a hundred
 * times fewer native calls and promises than an entry-by-entry iterator (whose reads stop at 16 KiB by default).
 */
export async function* scanBatches(db: KvDb, bounds: { gte: Buffer; lt: Buffer }): AsyncGenerator<Array<[Buffer, Buffer]>> {
  const it = db.iterator({ ...bounds, ...BUFFERS, highWaterMarkBytes: SCAN_BATCH_BYTES } as typeof bounds & typeof BUFFERS);
  try {
    for (;;) {
      const batch = await it.nextv(SCAN_BATCH_ENTRIES);
      if (batch.length === 0) return;
      yield batch;
    }
  } finally {
    await it.close();
  }
}

export async function readUint(db: KvDb, key: Buffer): Promise<number | undefined> {
  const v = await db.get(key, BUFFERS);
  return v === undefined ? undefined : decodeUint(v);
}
