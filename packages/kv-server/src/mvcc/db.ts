import { Level } from 'level';
import { decodeUint, type DbOp } from './layout.js';

/** The KV database: level with Buffer keys and values. */
export type KvDb = Level<Buffer, Buffer>;

const BUFFERS = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const;

export async function openKvDb(location: string): Promise<KvDb> {
  const db = new Level<Buffer, Buffer>(location, BUFFERS);
  await db.open();
  return db;
}

export async function writeBatch(db: KvDb, ops: DbOp[]): Promise<void> {
  if (ops.length > 0) await db.batch(ops, BUFFERS);
}

/** Every entry under `bounds`, in key order. */
export async function* scan(db: KvDb, bounds: { gte: Buffer; lt: Buffer }): AsyncGenerator<[Buffer, Buffer]> {
  for await (const entry of db.iterator({ ...bounds, ...BUFFERS })) yield entry;
}

export async function readUint(db: KvDb, key: Buffer): Promise<number | undefined> {
  const v = await db.get(key, BUFFERS);
  return v === undefined ? undefined : decodeUint(v);
}
