import { expect } from 'chai';
import { MemoryRaftStorage } from '../../src/storage/memory-storage.js';
import { CorruptStorageError } from '../../src/storage/storage.js';
import type { RaftNode } from '../../src/node.js';
import { ListStateMachine, openSolo, waitFor } from './cluster-harness.js';

const encoder = new TextEncoder();

/** Makes its state durable only when the test releases each sync. */
class HeldSyncStateMachine extends ListStateMachine {
  readonly pendingSyncs: Array<{ applied: number; release: () => void }> = [];

  override sync(): Promise<void> {
    this.syncs++;
    return new Promise((resolve) => this.pendingSyncs.push({ applied: this.applied, release: resolve }));
  }
}

async function proposeAndWait(node: RaftNode, sm: ListStateMachine, commands: string[]): Promise<void> {
  for (const c of commands) node.propose(encoder.encode(c));
  const last = commands[commands.length - 1]!;
  await waitFor(() => sm.commands.includes(last), `${last} applied`);
}

function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

describe('RaftNode background compaction', function () {
  this.timeout(30000);

  it('compacts after syncing the state machine (never encoding it), keeps committing meanwhile, and keeps a catch-up tail', async () => {
    const storage = new MemoryRaftStorage();
    const sm = new HeldSyncStateMachine();
    const node = await openSolo(storage, sm, { snapshotCount: 5 });
    try {
      await waitFor(() => node.status().role === 'leader', 'the single node leads');
      await proposeAndWait(node, sm, names('a', 6));
      await waitFor(() => sm.pendingSyncs.length === 1, 'a sync started');
      const first = sm.pendingSyncs[0]!;

      // The Ready loop does not wait for the sync: more entries commit and apply, and nothing is compacted yet.
      await proposeAndWait(node, sm, names('b', 20));
      expect(sm.applied).to.be.at.least(first.applied + 20);
      expect(sm.pendingSyncs).to.have.length(1);
      expect(node.status().snapshotsTaken).to.equal(0);
      expect(node.status().firstIndex).to.equal(1);

      first.release();
      await waitFor(() => node.status().snapshotsTaken === 1, 'the first compaction done');
      // snapshotCount (5) entries stay behind the synced index as a catch-up tail; storage agrees with the core.
      const start = first.applied - 5;
      await waitFor(() => node.status().firstIndex === start + 1, 'the log compacted to the synced index minus the tail');
      // The core compacts first and hands the same start to storage in that turn (memory storage applies it at once).
      expect((await storage.load()).snapshot?.index).to.equal(start);
      expect(await storage.loadSnapshot()).to.equal(null);
      // A single node has no follower to send a snapshot to: the state was never encoded.
      expect(sm.snapshotsTaken).to.equal(0);
      await proposeAndWait(node, sm, ['c0']);
    } finally {
      for (const s of sm.pendingSyncs) s.release();
      await node.stop();
    }
  });

  it('stops promptly with a sync still pending, and compacts nothing', async () => {
    const storage = new MemoryRaftStorage();
    const sm = new HeldSyncStateMachine();
    const node = await openSolo(storage, sm, { snapshotCount: 5 });
    await waitFor(() => node.status().role === 'leader', 'the single node leads');
    await proposeAndWait(node, sm, names('a', 12));
    await waitFor(() => sm.pendingSyncs.length === 1, 'a sync started');
    await node.stop();
    sm.pendingSyncs[0]!.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await storage.load()).snapshot).to.equal(null);
    expect(node.status().snapshotsTaken).to.equal(0);
  });

  it('at start, restores a stored leader snapshot the state machine had not restored yet', async () => {
    const storage = new MemoryRaftStorage();
    const commands = ['x', 'y', 'z'];
    const snapshot = { meta: { index: 3, term: 1, config: { voters: ['solo'] } }, data: encoder.encode(JSON.stringify(commands)) };
    await storage.save({ snapshot, entries: [], hardState: { term: 1, vote: null, commit: 3 } });
    const sm = new ListStateMachine();
    const node = await openSolo(storage, sm);
    try {
      expect(sm.restores).to.equal(1);
      expect(sm.commands).to.deep.equal(commands);
      expect(node.status().appliedIndex).to.equal(3);
      await waitFor(() => node.status().role === 'leader', 'the single node leads');
      await proposeAndWait(node, sm, ['after']);
      expect(sm.commands).to.deep.equal([...commands, 'after']);
    } finally {
      await node.stop();
    }
  });

  it('refuses to start when the log was compacted past what the state machine holds and no snapshot is stored', async () => {
    const storage = new MemoryRaftStorage();
    const entries = [1, 2, 3].map((index) => ({ index, term: 1, type: 0, data: encoder.encode(`e${index}`) }));
    await storage.save({ entries, hardState: { term: 1, vote: null, commit: 3 } });
    await storage.compact({ index: 2, term: 1, config: { voters: ['solo'] } });
    let error: unknown;
    await openSolo(storage, new ListStateMachine()).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(CorruptStorageError);
    expect((error as Error).message).to.match(/applied 0 but the log starts after 2/);
  });
});
