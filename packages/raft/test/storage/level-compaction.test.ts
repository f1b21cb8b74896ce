import { expect } from 'chai';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { EntryType } from '../../src/core/messages.js';
import type { Entry, Snapshot, SnapshotMeta } from '../../src/core/messages.js';
import { CorruptStorageError } from '../../src/storage/storage.js';
import { LevelRaftStorage } from '../../src/storage/level-storage.js';
import {
  ENTRY_KEYS_END,
  LOG_START_KEY,
  SNAPSHOT_KEY,
  encodeLogStartRecord,
  encodeSnapshotRecord,
  entryKey,
  indexOfEntryKey,
} from '../../src/storage/records.js';

function entries(from: number, to: number, term = 1): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term, type: EntryType.Normal, data: Uint8Array.of(i & 0xff, 7) });
  return out;
}

function meta(index: number, term = 1): SnapshotMeta {
  return { index, term, config: { voters: ['n1'] } };
}

function snapshot(index: number, term = 1): Snapshot {
  return { meta: meta(index, term), data: Uint8Array.of(index & 0xff, 1, 2) };
}

type Db = Level<Uint8Array, Uint8Array>;

/** Opens the store's LevelDB directly (the store must be closed), as a crash would have left it. */
async function withDb<T>(dir: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db: Db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function storedEntryIndexes(db: Db): Promise<number[]> {
  const out: number[] = [];
  for await (const key of db.keys({ gte: entryKey(0), lt: ENTRY_KEYS_END })) out.push(indexOfEntryKey(key));
  return out;
}

function span(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Waits (a turn of the event loop at a time) until the new start is stored and the entries before it not yet all deleted. */
async function untilDeleting(s: LevelRaftStorage): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (s.staleRange().last < s.staleRange().first) {
    if (Date.now() > deadline) throw new Error('the compaction never started deleting');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('LevelRaftStorage compaction', function () {
  this.timeout(60000);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raft-compact-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A store with entries 1..20 (commit 15) and, as a crash mid-compaction leaves it, a log start at 10 but entries 1..10 still there. */
  async function crashedMidCompaction(): Promise<void> {
    const s = await LevelRaftStorage.open(dir);
    await s.save({ entries: entries(1, 20), hardState: { term: 1, vote: 'n1', commit: 15 } });
    await s.close();
    await withDb(dir, (db) => db.put(LOG_START_KEY, encodeLogStartRecord(meta(10)), { sync: true }));
  }

  it('after a crash between the log start record and its deletes, restarts at that start with the entries after it', async () => {
    await crashedMidCompaction();
    const s = await LevelRaftStorage.open(dir);
    try {
      const state = await s.load();
      expect(state.snapshot).to.deep.equal(meta(10));
      expect(await s.loadSnapshot()).to.equal(null);
      expect(state.entries.map((e) => e.index)).to.deep.equal(span(11, 20));
      expect(state.applied).to.equal(10);
      expect(s.storedRange()).to.deep.equal({ first: 11, last: 20 });
      expect(s.staleRange()).to.deep.equal({ first: 1, last: 10 });
      // New entries append after the live log; entries before the start are refused as before.
      await s.save({ entries: entries(21, 22) });
      await s.save({ entries: entries(8, 8) }).then(
        () => expect.fail('saved an entry under the snapshot'),
        (err: Error) => expect(err.message).to.match(/snapshot/),
      );
      // The next compaction deletes the leftovers along with what it covers.
      await s.compact(meta(12));
      expect(s.staleRange().last).to.be.lessThan(s.staleRange().first);
    } finally {
      await s.close();
    }
    await withDb(dir, async (db) => expect(await storedEntryIndexes(db)).to.deep.equal(span(13, 22)));
    const reopened = await LevelRaftStorage.open(dir);
    try {
      const state = await reopened.load();
      expect(state.snapshot).to.deep.equal(meta(12));
      expect(state.entries.map((e) => e.index)).to.deep.equal(span(13, 22));
    } finally {
      await reopened.close();
    }
  });

  // Leftovers before the start are fine, a hole in the live log is not: at its start or in its middle.
  for (const missing of [11, 14]) {
    it(`still refuses a missing entry ${missing} after the start when leftovers sit before it`, async () => {
      await crashedMidCompaction();
      await withDb(dir, (db) => db.del(entryKey(missing)));
      let error: unknown;
      await LevelRaftStorage.open(dir).then(
        (s) => s.close(),
        (err: unknown) => (error = err),
      );
      expect(error).to.be.instanceOf(CorruptStorageError);
      expect((error as Error).message).to.match(new RegExp(`entry ${missing} is missing`));
    });
  }

  it('compacts 20,000 entries in chunks, letting a save through before the deletes finish', async () => {
    const s = await LevelRaftStorage.open(dir);
    try {
      for (let from = 1; from <= 20_000; from += 2_000) await s.save({ entries: entries(from, from + 1_999) });
      let staleWhenSaved: { first: number; last: number } | undefined;
      const compacting = s.compact(meta(18_000));
      await untilDeleting(s);
      await s.save({ entries: entries(20_001, 20_001), hardState: { term: 1, vote: null, commit: 20_001 } });
      staleWhenSaved = s.staleRange();
      await compacting;
      // The save landed while entries before the start were still waiting to be deleted.
      expect(staleWhenSaved!.last).to.be.at.least(staleWhenSaved!.first);
      expect(s.storedRange()).to.deep.equal({ first: 18_001, last: 20_001 });
      expect(s.staleRange().last).to.be.lessThan(s.staleRange().first);
    } finally {
      await s.close();
    }
    await withDb(dir, async (db) => expect(await storedEntryIndexes(db)).to.deep.equal(span(18_001, 20_001)));
  });

  it('a close during the deletes leaves a store that opens at the new start, and the next compaction finishes them', async () => {
    const s = await LevelRaftStorage.open(dir);
    for (let from = 1; from <= 20_000; from += 5_000) await s.save({ entries: entries(from, from + 4_999) });
    const compacting = s.compact(meta(19_000));
    await untilDeleting(s);
    await s.close();
    await compacting;
    const leftovers = await withDb(dir, storedEntryIndexes);
    expect(leftovers[0]).to.be.below(19_000); // the deletes did not all happen
    const reopened = await LevelRaftStorage.open(dir);
    try {
      const state = await reopened.load();
      expect(state.snapshot).to.deep.equal(meta(19_000));
      expect(state.entries.map((e) => e.index)).to.deep.equal(span(19_001, 20_000));
      await reopened.compact(meta(19_500));
    } finally {
      await reopened.close();
    }
    await withDb(dir, async (db) => expect(await storedEntryIndexes(db)).to.deep.equal(span(19_501, 20_000)));
  });

  it('a compaction removes the installed snapshot file and what an interrupted install left in the snapshots dir', async () => {
    const s = await LevelRaftStorage.open(dir);
    try {
      await s.save({ entries: entries(1, 100), hardState: { term: 1, vote: null, commit: 100 } });
      await s.save({ snapshot: { ...snapshot(50), data: new Uint8Array(1 << 20).fill(9) }, entries: [] });
      expect(await readdir(join(dir, 'snapshots'))).to.deep.equal([`${'50'.padStart(16, '0')}-1.snap`]);
      await writeFile(join(dir, 'snapshots', `${'70'.padStart(16, '0')}-1.snap.tmp`), Uint8Array.of(1, 2));
      await s.compact(meta(60));
      expect(await readdir(join(dir, 'snapshots'))).to.deep.equal([]);
    } finally {
      await s.close();
    }
    const reopened = await LevelRaftStorage.open(dir);
    try {
      const state = await reopened.load();
      expect(state.snapshot).to.deep.equal(meta(60));
      expect(state.entries.map((e) => e.index)).to.deep.equal(span(61, 100));
      expect(await reopened.loadSnapshot()).to.equal(null);
    } finally {
      await reopened.close();
    }
  });

  it('opens a store of an older version that keeps its snapshot inline, and a compaction replaces that record', async () => {
    const s = await LevelRaftStorage.open(dir);
    await s.save({ entries: entries(1, 20), hardState: { term: 1, vote: 'n1', commit: 15 } });
    await s.close();
    await withDb(dir, async (db) => {
      await db.batch([
        { type: 'put', key: SNAPSHOT_KEY, value: encodeSnapshotRecord(snapshot(8)) },
        ...span(1, 8).map((i) => ({ type: 'del' as const, key: entryKey(i) })),
      ]);
    });
    const reopened = await LevelRaftStorage.open(dir);
    try {
      const state = await reopened.load();
      expect(state.snapshot).to.deep.equal(meta(8));
      expect(state.applied).to.equal(8);
      expect(state.entries.map((e) => e.index)).to.deep.equal(span(9, 20));
      expect(await reopened.loadSnapshot()).to.deep.equal(snapshot(8));
      await reopened.compact(meta(12));
      expect(await reopened.loadSnapshot()).to.equal(null);
    } finally {
      await reopened.close();
    }
    await withDb(dir, async (db) => {
      expect(await db.get(SNAPSHOT_KEY)).to.equal(undefined);
      expect(await db.get(LOG_START_KEY)).to.not.equal(undefined);
      expect(await storedEntryIndexes(db)).to.deep.equal(span(13, 20));
    });
  });
});
