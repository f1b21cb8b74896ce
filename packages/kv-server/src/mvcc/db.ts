import { Level } from 'level';
import { readAhead } from '@raftkv/raft';
import { decodeUint } from './layout.js';

/** The KV database: level with Buffer keys and values. */
export type KvDb = Level<Buffer, Buffer>;

const BUFFERS = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const;

export async function openKvDb(location: string): Promise<KvDb> {
  const db = new Level<Buffer, Buffer>(location, BUFFERS);
  await db.open();
  return db;
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
  yield* readAhead(it, SCAN_BATCH_ENTRIES);
}

/** What classic-level (level's Node implementation) adds to the abstract-level API and `Level`'s type leaves out. */
interface CompactableDb {
  compactRange(start: Buffer, end: Buffer): Promise<void>;
}

/** A range that holds no key of the layout (every key starts with a letter). */
const NO_KEYS_START = Buffer.of(0x00);
const NO_KEYS_END = Buffer.of(0x00, 0x00);

/**
 * Makes every write that has completed durable against a power loss. A synced write would not do: LevelDB 1.20
 * closes a log file unsynced when it switches memtables, so older unsynced writes can sit in a closed log. A
 * compaction of any range first flushes the memtable into a synced table file (DBImpl::CompactRange); over a range
 * that holds no keys it does nothing else.
 */
export async function syncKvDb(db: KvDb): Promise<void> {
  const compactable = db as unknown as Partial<CompactableDb>;
  if (typeof compactable.compactRange !== 'function') throw new Error('the KV database cannot flush its memtable (not classic-level)');
  await compactable.compactRange(NO_KEYS_START, NO_KEYS_END);
}

export async function readUint(db: KvDb, key: Buffer): Promise<number | undefined> {
  const v = await db.get(key, BUFFERS);
  return v === undefined ? undefined : decodeUint(v);
}
