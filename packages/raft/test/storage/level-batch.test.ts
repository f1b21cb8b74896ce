import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { writeLevelBatch, type ChainedBatchingDb, type LevelBatchOp } from '../../src/storage/level-batch.js';

type Bytes = Uint8Array;
const bytes = (s: string): Bytes => new TextEncoder().encode(s);

describe('writeLevelBatch', () => {
  let dir: string;
  let db: Level<Bytes, Bytes>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftkv-level-batch-'));
    db = new Level<Bytes, Bytes>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes an open database\'s batch as an array, without a chained batch, puts and deletes alike', async () => {
    await db.put(bytes('gone'), bytes('x'));
    const chained = db.batch.bind(db);
    let chainedBatches = 0;
    (db as unknown as { batch: (...args: unknown[]) => unknown }).batch = (...args: unknown[]) => {
      if (args.length === 0) chainedBatches++;
      return (chained as (...a: unknown[]) => unknown)(...args);
    };
    const ops: LevelBatchOp<Bytes, Bytes>[] = [
      { type: 'put', key: bytes('a'), value: bytes('1') },
      { type: 'put', key: bytes('b'), value: new Uint8Array([0, 255, 7]) },
      { type: 'del', key: bytes('gone') },
    ];
    await writeLevelBatch(db, ops, { sync: true });
    expect(chainedBatches).to.equal(0);
    expect(Buffer.from((await db.get(bytes('a')))!).toString()).to.equal('1');
    expect([...(await db.get(bytes('b')))!]).to.deep.equal([0, 255, 7]);
    expect(await db.get(bytes('gone'))).to.equal(undefined);
  });

  it('refuses a closed database with level\'s own error', async () => {
    await db.close();
    const err = await writeLevelBatch(db, [{ type: 'put', key: bytes('a'), value: bytes('1') }]).then(
      () => null,
      (e: unknown) => e as { code?: string },
    );
    expect(err?.code).to.equal('LEVEL_DATABASE_NOT_OPEN');
  });

  it('uses the chained form for a database without classic-level\'s array write', async () => {
    const written: string[] = [];
    const fake: ChainedBatchingDb<Bytes, Bytes> = {
      batch: () => {
        const pending: string[] = [];
        return {
          put: (k: Bytes) => pending.push(`put ${Buffer.from(k).toString()}`),
          del: (k: Bytes) => pending.push(`del ${Buffer.from(k).toString()}`),
          write: async () => void written.push(...pending),
          close: async () => undefined,
        };
      },
    };
    await writeLevelBatch(fake, [
      { type: 'put', key: bytes('a'), value: bytes('1') },
      { type: 'del', key: bytes('b') },
    ]);
    expect(written).to.deep.equal(['put a', 'del b']);
  });
});
