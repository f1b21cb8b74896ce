import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryType } from '../../src/core/messages.js';
import type { Entry, Snapshot, SnapshotMeta } from '../../src/core/messages.js';
import type { RaftStorage } from '../../src/storage/storage.js';
import { LevelRaftStorage } from '../../src/storage/level-storage.js';
import { MemoryRaftStorage } from '../../src/storage/memory-storage.js';

function entry(index: number, term: number, text = `e${index}`): Entry {
  return { index, term, type: EntryType.Normal, data: new TextEncoder().encode(text) };
}

function range(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}

function meta(index: number, term: number): SnapshotMeta {
  return { index, term, config: { voters: ['n1', 'n2', 'n3'] } };
}

/** A snapshot as a leader sends it: meta and data. */
function snapshot(index: number, term: number): Snapshot {
  return { meta: meta(index, term), data: Uint8Array.of(index, term, 7) };
}

function indexesAndTerms(entries: Entry[]): Array<[number, number]> {
  return entries.map((e) => [e.index, e.term]);
}

/** A storage kind under test: `reopen` closes and opens the same store again (a restart). */
interface StorageKind {
  name: string;
  create(): Promise<RaftStorage>;
  reopen(s: RaftStorage): Promise<RaftStorage>;
  cleanup(): Promise<void>;
}

function levelKind(): StorageKind {
  let dir = '';
  return {
    name: 'LevelRaftStorage',
    async create() {
      dir = await mkdtemp(join(tmpdir(), 'raft-storage-'));
      return LevelRaftStorage.open(dir);
    },
    async reopen(s) {
      await s.close();
      return LevelRaftStorage.open(dir);
    },
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function memoryKind(): StorageKind {
  return {
    name: 'MemoryRaftStorage',
    async create() {
      return new MemoryRaftStorage();
    },
    async reopen(s) {
      await s.close();
      return s;
    },
    async cleanup() {},
  };
}

for (const makeKind of [levelKind, memoryKind]) {
  const kind = makeKind();
  describe(`${kind.name} (storage contract)`, () => {
    let storage: RaftStorage;

    beforeEach(async () => {
      storage = await kind.create();
    });

    afterEach(async () => {
      await storage.close();
      await kind.cleanup();
    });

    it('loads an empty store as term 0, no vote, no snapshot, no entries', async () => {
      const state = await storage.load();
      expect(state).to.deep.equal({ hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], applied: 0 });
    });

    it('reads back entries and hard state exactly as saved, also after a restart', async () => {
      const entries = [...range(1, 3, 1), { index: 4, term: 2, type: EntryType.Config, data: new Uint8Array() }];
      await storage.save({ entries, hardState: { term: 2, vote: 'n2', commit: 3 } });
      const expected = { hardState: { term: 2, vote: 'n2', commit: 3 }, snapshot: null, entries, applied: 0 };
      expect(await storage.load()).to.deep.equal(expected);
      storage = await kind.reopen(storage);
      expect(await storage.load()).to.deep.equal(expected);
    });

    it('persists a conflict truncation: a shorter suffix from a new leader replaces the old one', async () => {
      await storage.save({ entries: range(1, 6, 1), hardState: { term: 1, vote: 'n1', commit: 2 } });
      await storage.save({ entries: [entry(4, 3, 'new')], hardState: { term: 3, vote: null, commit: 2 } });
      storage = await kind.reopen(storage);
      const state = await storage.load();
      expect(indexesAndTerms(state.entries)).to.deep.equal([[1, 1], [2, 1], [3, 1], [4, 3]]);
      expect(new TextDecoder().decode(state.entries[3]!.data)).to.equal('new');
      expect(state.hardState).to.deep.equal({ term: 3, vote: null, commit: 2 });
    });

    it('appends in many calls and keeps the order (group commit of several entries per save)', async () => {
      for (let i = 0; i < 10; i++) await storage.save({ entries: range(i * 50 + 1, i * 50 + 50, 1 + Math.floor(i / 3)) });
      storage = await kind.reopen(storage);
      const state = await storage.load();
      expect(state.entries.map((e) => e.index)).to.deep.equal(range(1, 500, 1).map((e) => e.index));
      expect(state.entries[499]!.term).to.equal(4);
    });

    it('compact records where the log starts, without data, and drops the entries before it', async () => {
      await storage.save({ entries: range(1, 10, 1), hardState: { term: 1, vote: null, commit: 10 } });
      await storage.compact(meta(6, 1));
      storage = await kind.reopen(storage);
      const state = await storage.load();
      expect(state.snapshot).to.deep.equal(meta(6, 1));
      expect(state.entries.map((e) => e.index)).to.deep.equal([7, 8, 9, 10]);
      expect(state.applied).to.equal(6);
      expect(await storage.loadSnapshot()).to.equal(null);
    });

    it('ignores a compaction that is not past the stored start, compacted or installed', async () => {
      await storage.save({ entries: range(1, 10, 1), hardState: { term: 1, vote: null, commit: 10 } });
      await storage.compact(meta(8, 1));
      await storage.compact(meta(5, 1));
      let state = await storage.load();
      expect(state.snapshot).to.deep.equal(meta(8, 1));
      expect(state.entries.map((e) => e.index)).to.deep.equal([9, 10]);
      await storage.save({ snapshot: snapshot(9, 1), entries: [] });
      await storage.compact(meta(9, 1));
      storage = await kind.reopen(storage);
      state = await storage.load();
      expect(state.snapshot).to.deep.equal(meta(9, 1));
      expect(state.entries.map((e) => e.index)).to.deep.equal([10]);
      expect(await storage.loadSnapshot()).to.deep.equal(snapshot(9, 1));
    });

    it('an installed snapshot whose term matches the log keeps the suffix after it', async () => {
      await storage.save({ entries: range(1, 8, 2) });
      await storage.save({ snapshot: snapshot(5, 2), entries: [], hardState: { term: 2, vote: null, commit: 5 } });
      storage = await kind.reopen(storage);
      const state = await storage.load();
      expect(state.entries.map((e) => e.index)).to.deep.equal([6, 7, 8]);
      expect(state.snapshot).to.deep.equal(meta(5, 2));
      expect(state.applied).to.equal(5);
    });

    it('an installed snapshot that conflicts with the log replaces the whole log, then takes new entries', async () => {
      await storage.save({ entries: range(1, 8, 1) });
      await storage.save({ snapshot: snapshot(5, 3), entries: [entry(6, 3)], hardState: { term: 3, vote: null, commit: 5 } });
      storage = await kind.reopen(storage);
      const state = await storage.load();
      expect(indexesAndTerms(state.entries)).to.deep.equal([[6, 3]]);
      expect(state.snapshot).to.deep.equal(meta(5, 3));
      expect(await storage.loadSnapshot()).to.deep.equal(snapshot(5, 3));
    });

    it('an installed snapshot replaces a compacted start, and the next compaction replaces it and its data', async () => {
      await storage.save({ entries: range(1, 10, 1), hardState: { term: 1, vote: null, commit: 4 } });
      await storage.compact(meta(4, 1));
      await storage.save({ snapshot: snapshot(12, 2), entries: [entry(13, 2)], hardState: { term: 2, vote: null, commit: 12 } });
      storage = await kind.reopen(storage);
      let state = await storage.load();
      expect(state.snapshot).to.deep.equal(meta(12, 2));
      expect(state.applied).to.equal(12);
      expect(indexesAndTerms(state.entries)).to.deep.equal([[13, 2]]);
      expect(await storage.loadSnapshot()).to.deep.equal(snapshot(12, 2));
      await storage.save({ entries: [entry(14, 2)], hardState: { term: 2, vote: null, commit: 14 } });
      await storage.compact(meta(13, 2));
      storage = await kind.reopen(storage);
      state = await storage.load();
      expect(state.snapshot).to.deep.equal(meta(13, 2));
      expect(indexesAndTerms(state.entries)).to.deep.equal([[14, 2]]);
      expect(await storage.loadSnapshot()).to.equal(null);
    });

    it('refuses entries that would leave a gap or land under the snapshot, storing nothing', async () => {
      await storage.save({ entries: range(1, 3, 1) });
      let error: unknown;
      try {
        await storage.save({ entries: [entry(5, 1)], hardState: { term: 9, vote: null, commit: 0 } });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/gap/);
      await storage.compact(meta(2, 1));
      await storage.save({ entries: [entry(2, 1)] }).then(
        () => expect.fail('saved an entry under the snapshot'),
        (err: Error) => expect(err.message).to.match(/snapshot/),
      );
      const state = await storage.load();
      expect(state.hardState.term).to.equal(0);
      expect(state.entries.map((e) => e.index)).to.deep.equal([3]);
    });

    it('keeps the identity across a restart', async () => {
      expect(await storage.loadIdentity!()).to.equal(null);
      const identity = { clusterId: 'c-1', nodeId: 'n2', config: { voters: ['n1', 'n2', 'n3'] } };
      await storage.saveIdentity!(identity);
      storage = await kind.reopen(storage);
      expect(await storage.loadIdentity!()).to.deep.equal(identity);
    });
  });
}
