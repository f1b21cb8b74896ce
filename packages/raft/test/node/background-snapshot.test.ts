import { expect } from 'chai';
import { MemoryRaftStorage } from '../../src/storage/memory-storage.js';
import type { RaftNode } from '../../src/node.js';
import { ListStateMachine, openSolo, waitFor } from './cluster-harness.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Captures its state when asked for a snapshot, but hands the bytes over only when the test releases them. */
class HeldSnapshotStateMachine extends ListStateMachine {
  readonly captures: Array<{ applied: number; commands: string[]; release: () => void }> = [];

  override takeSnapshot(): Promise<Uint8Array> {
    const commands = [...this.commands];
    return new Promise((resolve) => {
      this.captures.push({ applied: this.applied, commands, release: () => resolve(encoder.encode(JSON.stringify(commands))) });
    });
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

describe('RaftNode background snapshots', function () {
  this.timeout(30000);

  it('keeps committing while a snapshot is taken, takes one at a time, and compacts to the previous one', async () => {
    const storage = new MemoryRaftStorage();
    const sm = new HeldSnapshotStateMachine();
    const node = await openSolo(storage, sm, { snapshotCount: 5 });
    try {
      await waitFor(() => node.status().role === 'leader', 'the single node leads');
      await proposeAndWait(node, sm, names('a', 6));
      await waitFor(() => sm.captures.length === 1, 'a snapshot started');
      const first = sm.captures[0]!;
      // The capture is labelled with the index of exactly the state it saw.
      expect(first.commands).to.deep.equal(sm.commands.slice(0, first.commands.length));

      // The Ready loop is not waiting for the snapshot: many more entries commit and apply meanwhile.
      await proposeAndWait(node, sm, names('b', 20));
      expect(sm.applied).to.be.at.least(first.applied + 20);
      expect(sm.captures).to.have.length(1);
      expect(node.status().snapshotsTaken).to.equal(0);

      first.release();
      await waitFor(() => node.status().snapshotsTaken === 1, 'the first snapshot stored');
      const stored = await storage.loadSnapshot();
      expect(stored?.meta.index).to.equal(first.applied);
      expect(JSON.parse(decoder.decode(stored!.data))).to.deep.equal(first.commands);
      // Nothing to compact to before a second snapshot: the whole log stays as a catch-up tail.
      expect(node.status().firstIndex).to.equal(1);

      await proposeAndWait(node, sm, ['c0']);
      await waitFor(() => sm.captures.length === 2, 'a second snapshot started');
      sm.captures[1]!.release();
      await waitFor(() => node.status().snapshotsTaken === 2, 'the second snapshot stored');
      await waitFor(() => node.status().firstIndex === first.applied + 1, 'the log compacted to the first snapshot');
      expect((await storage.loadSnapshot())?.meta.index).to.equal(sm.captures[1]!.applied);
      await proposeAndWait(node, sm, ['d0']);
    } finally {
      for (const c of sm.captures) c.release();
      await node.stop();
    }
  });

  it('stops promptly with a snapshot still encoding, and stores nothing of it', async () => {
    const storage = new MemoryRaftStorage();
    const sm = new HeldSnapshotStateMachine();
    const node = await openSolo(storage, sm, { snapshotCount: 5 });
    await waitFor(() => node.status().role === 'leader', 'the single node leads');
    await proposeAndWait(node, sm, names('a', 6));
    await waitFor(() => sm.captures.length === 1, 'a snapshot started');
    await node.stop();
    sm.captures[0]!.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await storage.loadSnapshot()).to.equal(null);
    expect(node.status().snapshotsTaken).to.equal(0);
  });
});
