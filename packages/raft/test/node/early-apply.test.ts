import { expect } from 'chai';
import type { Entry, HardState, Snapshot } from '../../src/core/messages.js';
import { MemoryRaftStorage } from '../../src/storage/memory-storage.js';
import type { RaftNode } from '../../src/node.js';
import { ListStateMachine, TestCluster, waitFor } from './cluster-harness.js';

/** A node's disk that can stall: saves wait while `hold` is set, until release(). */
class StallingStorage extends MemoryRaftStorage {
  hold = false;
  /** Saves begun and not yet finished. */
  inFlight = 0;
  /** The highest entry index a finished save held. */
  savedUpTo = 0;
  private readonly stalled: Array<() => void> = [];

  override async save(update: { snapshot?: Snapshot; entries: Entry[]; hardState?: HardState }): Promise<void> {
    this.inFlight++;
    try {
      if (this.hold) await new Promise<void>((resume) => this.stalled.push(resume));
      await super.save(update);
      for (const e of update.entries) this.savedUpTo = Math.max(this.savedUpTo, e.index);
    } finally {
      this.inFlight--;
    }
  }

  get stalledSaves(): number {
    return this.stalled.length;
  }

  release(): void {
    this.hold = false;
    for (const resume of this.stalled.splice(0)) resume();
  }
}

/** Remembers the durability promise of its last apply (StateMachine.apply's logDurable). */
class RecordingStateMachine extends ListStateMachine {
  lastLogDurable: Promise<boolean> | undefined;

  override apply(entries: Entry[], logDurable?: Promise<boolean>): Promise<void> {
    this.lastLogDurable = logDurable;
    return super.apply(entries);
  }
}

const pendingOr = (p: Promise<boolean>): Promise<boolean | 'pending'> =>
  Promise.race([p, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 20))]);

describe('RaftNode applies a committed entry before its own copy is durable', function () {
  this.timeout(60000);
  const ids = ['n1', 'n2', 'n3'];
  let cluster: TestCluster | undefined;
  let storages: Record<string, StallingStorage>;

  beforeEach(async () => {
    storages = Object.fromEntries(ids.map((id) => [id, new StallingStorage()]));
    const own = Object.fromEntries(ids.map((id) => [id, { storage: storages[id]!, stateMachine: new RecordingStateMachine() }]));
    // An election timeout well above a loaded machine's delays: each test holds a disk for a while and needs the
    // leader it started with (at 500 ms a loaded run saw a new leader elected mid-test, the held node left behind).
    cluster = await TestCluster.start(ids, { electionMs: 2000 }, own);
    // Every node durable and acknowledged before a disk is held: a follower held before its first acknowledgement
    // is never known to match, so the leader sends it neither entries nor a commit (seen under load: commit 0 there).
    const leader = await cluster.leader();
    await cluster.write(leader, 'settled');
    await waitFor(
      () => cluster!.running().every((n) => sm(n).commands.includes('settled') && storages[n.id]!.inFlight === 0 && storages[n.id]!.savedUpTo >= leader.status().lastIndex),
      'every node has saved and applied a first write',
    );
  });

  afterEach(async () => {
    for (const s of Object.values(storages)) s.release();
    await cluster?.shutdown();
  });

  const sm = (node: RaftNode) => cluster!.stateMachineOf(node.id) as RecordingStateMachine;

  it("a follower with a stalled disk answers a write the others made durable, and keeps it off its state machine's disk until its log has it", async () => {
    const leader = await cluster!.leader();
    const follower = cluster!.running().find((n) => n !== leader)!;
    storages[follower.id]!.hold = true;
    await cluster!.write(follower, 'through-a-slow-follower');
    expect(storages[follower.id]!.stalledSaves, "the follower's own write is still waiting").to.be.greaterThan(0);
    expect(await pendingOr(sm(follower).lastLogDurable!)).to.equal('pending');
    storages[follower.id]!.release();
    expect(await sm(follower).lastLogDurable).to.equal(true);
  });

  it("a follower with a stalled disk forwards a client's write at once: the others commit it while its save waits", async () => {
    const leader = await cluster!.leader();
    const follower = cluster!.running().find((n) => n !== leader)!;
    storages[follower.id]!.hold = true;
    await cluster!.write(leader, 'first');
    await waitFor(() => storages[follower.id]!.stalledSaves > 0, "the follower's save of the first write is waiting");
    follower.propose(new TextEncoder().encode('forwarded'));
    await waitFor(() => sm(leader).commands.includes('forwarded'), 'the leader applied the forwarded write');
    expect(storages[follower.id]!.stalledSaves, "the follower's save is still waiting").to.be.greaterThan(0);
  });

  it('a leader with a stalled disk answers once both followers have the entry, and tells them the commit meanwhile', async () => {
    const leader = await cluster!.leader();
    storages[leader.id]!.hold = true;
    await cluster!.write(leader, 'through-a-slow-leader');
    expect(storages[leader.id]!.stalledSaves).to.be.greaterThan(0);
    const followers = cluster!.running().filter((n) => n !== leader);
    await waitFor(() => followers.every((f) => sm(f).commands.includes('through-a-slow-leader')), 'both followers applied it');
    expect(storages[leader.id]!.stalledSaves, 'the leader is still writing').to.be.greaterThan(0);
    expect(await pendingOr(sm(leader).lastLogDurable!)).to.equal('pending');
    storages[leader.id]!.release();
    expect(await sm(leader).lastLogDurable).to.equal(true);
  });
});
