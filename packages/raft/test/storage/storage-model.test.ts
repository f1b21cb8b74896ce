import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryType } from '../../src/core/messages.js';
import type { Entry, HardState, Snapshot, SnapshotMeta } from '../../src/core/messages.js';
import type { RaftStorage } from '../../src/storage/storage.js';
import { LevelRaftStorage } from '../../src/storage/level-storage.js';
import { MemoryRaftStorage } from '../../src/storage/memory-storage.js';

/**
 * The obvious model: where the log starts, the contiguous list of entries after it, and the data of an installed
 * snapshot while it is that start.
 */
class LogModel {
  start: SnapshotMeta | null = null;
  snapshot: Snapshot | null = null;
  log: Entry[] = [];
  hardState: HardState = { term: 0, vote: null, commit: 0 };

  get first(): number {
    return (this.start?.index ?? 0) + 1;
  }

  get last(): number {
    return this.first + this.log.length - 1;
  }

  save(update: { snapshot?: Snapshot; entries: Entry[]; hardState?: HardState }): void {
    if (update.snapshot) {
      const { index, term } = update.snapshot.meta;
      const atIndex = this.log.find((e) => e.index === index);
      this.log = atIndex?.term === term ? this.log.filter((e) => e.index > index) : [];
      this.start = update.snapshot.meta;
      this.snapshot = update.snapshot;
    }
    if (update.entries.length > 0) {
      const from = update.entries[0]!.index;
      this.log = [...this.log.filter((e) => e.index < from), ...update.entries];
    }
    if (update.hardState) this.hardState = update.hardState;
  }

  compact(meta: SnapshotMeta): void {
    if (meta.index <= (this.start?.index ?? 0)) return;
    this.log = this.log.filter((e) => e.index > meta.index);
    this.start = meta;
    this.snapshot = null;
  }
}

type Op =
  | { kind: 'append'; at: number; count: number; term: number }
  | { kind: 'install'; at: number; sameTerm: boolean }
  /** at picks the entry to compact to; back > 0 points before the start instead (a compaction to ignore). */
  | { kind: 'compact'; at: number; back: number }
  | { kind: 'restart' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 6 }), term: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('install' as const), at: fc.nat(), sameTerm: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('compact' as const), at: fc.nat(), back: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
);

function entriesFrom(from: number, count: number, term: number): Entry[] {
  return Array.from({ length: count }, (_, i) => ({ index: from + i, term, type: EntryType.Normal, data: Uint8Array.of(term, i) }));
}

function metaAt(index: number, term: number): SnapshotMeta {
  return { index, term, config: { voters: ['n1'] } };
}

function snapshotAt(index: number, term: number): Snapshot {
  return { meta: metaAt(index, term), data: Uint8Array.of(index % 256) };
}

/** Runs `ops` against the storage and the model, comparing what load() returns after every step. */
async function check(ops: Op[], open: () => Promise<RaftStorage>, reopen: (s: RaftStorage) => Promise<RaftStorage>): Promise<void> {
  const model = new LogModel();
  let storage = await open();
  try {
    for (const op of ops) {
      const span = model.last - model.first + 2; // positions first..last+1
      if (op.kind === 'append') {
        const from = model.first + (op.at % span);
        const update = { entries: entriesFrom(from, op.count, op.term), hardState: { term: op.term, vote: null, commit: 0 } };
        await storage.save(update);
        model.save(update);
      } else if (op.kind === 'install') {
        const index = model.first + (op.at % (span + 3));
        const stored = model.log.find((e) => e.index === index)?.term;
        const update = { snapshot: snapshotAt(index, op.sameTerm && stored !== undefined ? stored : 20), entries: [] };
        await storage.save(update);
        model.save(update);
      } else if (op.kind === 'compact') {
        let meta: SnapshotMeta;
        if (op.back > 0) meta = metaAt(Math.max(0, model.first - op.back), 1);
        else if (model.log.length === 0) continue;
        else {
          const e = model.log[op.at % model.log.length]!;
          meta = metaAt(e.index, e.term);
        }
        await storage.compact(meta);
        model.compact(meta);
      } else {
        storage = await reopen(storage);
      }
      const state = await storage.load();
      expect(state.entries).to.deep.equal(model.log);
      expect(state.snapshot).to.deep.equal(model.start);
      expect(state.applied).to.equal(model.start?.index ?? 0);
      expect(state.hardState).to.deep.equal(model.hardState);
      expect(await storage.loadSnapshot()).to.deep.equal(model.snapshot);
    }
  } finally {
    await storage.close();
  }
}

describe('storage against a model (property)', function () {
  this.timeout(120000);

  it('MemoryRaftStorage loads what the model holds after any sequence of writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), (ops) =>
        check(ops, async () => new MemoryRaftStorage(), async (s) => s),
      ),
      { numRuns: 200 },
    );
  });

  it('LevelRaftStorage loads what the model holds after any sequence of writes and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), async (ops) => {
        const dir = await mkdtemp(join(tmpdir(), 'raft-model-'));
        try {
          await check(
            ops,
            () => LevelRaftStorage.open(dir),
            async (s) => {
              await s.close();
              return LevelRaftStorage.open(dir);
            },
          );
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
  });
});
