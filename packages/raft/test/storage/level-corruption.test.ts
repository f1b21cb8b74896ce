import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { Level } from 'level';
import { EntryType } from '../../src/core/messages.js';
import type { Entry } from '../../src/core/messages.js';
import { CorruptStorageError } from '../../src/storage/storage.js';
import { LevelRaftStorage } from '../../src/storage/level-storage.js';
import { HARD_STATE_KEY, LOG_START_KEY, SNAPSHOT_REF_KEY, encodeLogStartRecord, entryKey } from '../../src/storage/records.js';

function entries(from: number, to: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term: 1, type: EntryType.Normal, data: Uint8Array.of(i, i, i) });
  return out;
}

/** Opens the store's LevelDB directly, as a disk fault would see it. */
async function tamper(dir: string, fn: (db: Level<Uint8Array, Uint8Array>) => Promise<void>): Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

async function flipByte(db: Level<Uint8Array, Uint8Array>, key: Uint8Array, at: number): Promise<void> {
  const value = Uint8Array.from((await db.get(key))!);
  value[at % value.length]! ^= 0x40;
  await db.put(key, value);
}

async function expectCorrupt(dir: string, pattern: RegExp): Promise<void> {
  let error: unknown;
  try {
    const s = await LevelRaftStorage.open(dir);
    await s.close();
  } catch (err) {
    error = err;
  }
  expect(error).to.be.instanceOf(CorruptStorageError);
  expect((error as Error).message).to.match(pattern);
}

describe('LevelRaftStorage corruption detection', () => {
  let dir: string;

  const installedMeta = { index: 5, term: 1, config: { voters: ['n1'] } };

  // The log starts at a snapshot installed from a leader: a reference record and a file (1, 2, 3, 4).
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raft-corrupt-'));
    const s = await LevelRaftStorage.open(dir);
    await s.save({ entries: entries(1, 20), hardState: { term: 1, vote: 'n1', commit: 15 } });
    await s.save({ snapshot: { meta: installedMeta, data: Uint8Array.of(1, 2, 3, 4) }, entries: [] });
    await s.close();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens the untampered store (control)', async () => {
    const s = await LevelRaftStorage.open(dir);
    expect((await s.load()).entries).to.have.length(15);
    await s.close();
  });

  for (const at of [0, 3, 5, 7]) {
    it(`detects a flipped bit at byte ${at} of an entry record`, async () => {
      await tamper(dir, (db) => flipByte(db, entryKey(12), at));
      await expectCorrupt(dir, /entry record .* checksum/);
    });
  }

  it('detects a truncated (partially written) entry record', async () => {
    await tamper(dir, async (db) => {
      const value = (await db.get(entryKey(9)))!;
      await db.put(entryKey(9), value.subarray(0, value.length - 2));
    });
    await expectCorrupt(dir, /entry record/);
  });

  it('detects a record shorter than its checksum', async () => {
    await tamper(dir, (db) => db.put(entryKey(9), Uint8Array.of(1, 2)));
    await expectCorrupt(dir, /truncated/);
  });

  it('detects a valid record stored under the wrong index', async () => {
    await tamper(dir, async (db) => db.put(entryKey(10), (await db.get(entryKey(11)))!));
    await expectCorrupt(dir, /entry record/);
  });

  it('detects a missing entry in the middle of the log', async () => {
    await tamper(dir, (db) => db.del(entryKey(13)));
    await expectCorrupt(dir, /entry 13 is missing/);
  });

  it('detects a corrupt hard state record', async () => {
    await tamper(dir, (db) => flipByte(db, HARD_STATE_KEY, 5));
    await expectCorrupt(dir, /hard state record/);
  });

  it('detects a corrupt snapshot reference record', async () => {
    await tamper(dir, (db) => flipByte(db, SNAPSHOT_REF_KEY, 6));
    await expectCorrupt(dir, /snapshot reference record/);
  });

  it('detects a corrupt log start record', async () => {
    const s = await LevelRaftStorage.open(dir);
    await s.compact({ index: 8, term: 1, config: { voters: ['n1'] } });
    await s.close();
    await tamper(dir, (db) => flipByte(db, LOG_START_KEY, 6));
    await expectCorrupt(dir, /log start record .* checksum/);
  });

  it('refuses a store where more than one record says where the log starts', async () => {
    await tamper(dir, (db) => db.put(LOG_START_KEY, encodeLogStartRecord({ index: 8, term: 1, config: { voters: ['n1'] } })));
    await expectCorrupt(dir, /more than one record says where the log starts/);
  });

  /** The one snapshot file the store holds. */
  async function snapshotFile(): Promise<string> {
    const names = (await readdir(join(dir, 'snapshots'))).filter((n) => n.endsWith('.snap'));
    expect(names).to.have.length(1);
    return join(dir, 'snapshots', names[0]!);
  }

  /** A start reads no snapshot data, so a bad file shows only when the data is asked for. */
  async function expectCorruptSnapshotData(pattern: RegExp): Promise<void> {
    const s = await LevelRaftStorage.open(dir);
    try {
      const state = await s.load();
      expect(state.snapshot).to.deep.equal(installedMeta);
      expect(state.entries).to.have.length(15);
      let error: unknown;
      await s.loadSnapshot().catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(CorruptStorageError);
      expect((error as Error).message).to.match(pattern);
    } finally {
      await s.close();
    }
  }

  it('opens with a flipped bit in the snapshot file, and loadSnapshot detects it', async () => {
    const file = await snapshotFile();
    const data = await readFile(file);
    data[2]! ^= 0x01;
    await writeFile(file, data);
    await expectCorruptSnapshotData(/snapshot file .* checksum/);
  });

  it('opens with a truncated snapshot file, and loadSnapshot detects it', async () => {
    const file = await snapshotFile();
    await writeFile(file, (await readFile(file)).subarray(0, 3));
    await expectCorruptSnapshotData(/snapshot file .* holds 3 bytes, expected 4/);
  });

  it('opens with a missing snapshot file, and loadSnapshot detects it', async () => {
    await unlink(await snapshotFile());
    await expectCorruptSnapshotData(/snapshot file .* cannot be read/);
  });

  it('detects a commit index beyond the stored log', async () => {
    await tamper(dir, async (db) => {
      for (let i = 15; i <= 20; i++) await db.del(entryKey(i));
    });
    await expectCorrupt(dir, /commit index 15 is beyond the last stored index 14/);
  });
});

describe('LevelRaftStorage load of a log longer than one read batch', () => {
  let dir: string;

  /** Data of varying length that names its index, so a shifted or mixed-up copy shows. */
  function longLog(from: number, to: number): Entry[] {
    const out: Entry[] = [];
    for (let i = from; i <= to; i++) {
      const data = Buffer.from(`entry ${i} `.repeat(1 + (i % 7)));
      out.push({ index: i, term: 1 + Math.floor(i / 1000), type: EntryType.Normal, data: new Uint8Array(data) });
    }
    return out;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raft-long-'));
    const s = await LevelRaftStorage.open(dir);
    for (let from = 1; from <= 2500; from += 500) {
      await s.save({ entries: longLog(from, from + 499), hardState: { term: 3, vote: 'n1', commit: from + 499 } });
    }
    await s.close();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads every entry with its own data, across the batches it is read in', async () => {
    const s = await LevelRaftStorage.open(dir);
    const loaded = await s.load();
    await s.close();
    const expected = longLog(1, 2500);
    expect(loaded.entries.map((e) => e.index)).to.deep.equal(expected.map((e) => e.index));
    for (let i = 0; i < expected.length; i++) {
      expect(loaded.entries[i]!.term).to.equal(expected[i]!.term);
      expect(Buffer.from(loaded.entries[i]!.data).toString()).to.equal(Buffer.from(expected[i]!.data).toString());
    }
  });

  it('detects an entry missing where one read batch ends and the next begins', async () => {
    await tamper(dir, (db) => db.del(entryKey(1001)));
    await expectCorrupt(dir, /entry 1001 is missing/);
  });
});
