import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryNetwork } from '@raftkv/cnet';
import { MessageType } from '../../src/core/messages.js';
import { NoLeaderError, NodeStoppedError } from '../../src/node-api.js';
import { RaftNode } from '../../src/node.js';
import { MemoryRaftStorage } from '../../src/storage/memory-storage.js';
import { ListStateMachine, TestCluster, openSolo, waitFor } from './cluster-harness.js';

const IDS = ['n1', 'n2', 'n3'];

describe('RaftNode (3 nodes over MemoryTransport, level storage)', function () {
  this.timeout(60000);
  let cluster: TestCluster;

  afterEach(async () => {
    await cluster?.shutdown();
  });

  it('elects one leader that every node knows, and reports it in status and events', async () => {
    cluster = await TestCluster.start(IDS);
    const leader = await cluster.leader();
    for (const node of cluster.running()) {
      const s = node.status();
      expect(s.leader).to.equal(leader.id);
      expect(s.term).to.equal(leader.status().term);
      expect(s.role).to.equal(node === leader ? 'leader' : 'follower');
    }
    // Events fire on changes: a transfer makes the old leader a follower and names the new leader.
    const seen: string[] = [];
    leader.on('role', (role) => seen.push(`role:${role}`));
    leader.on('leader', (id) => seen.push(`leader:${id}`));
    expect(await leader.transferLeadership()).to.equal(true);
    expect(seen).to.include('role:follower');
    expect(seen.some((e) => e.startsWith('leader:') && e !== `leader:${leader.id}` && e !== 'leader:null')).to.equal(true);
  });

  it("a follower told by its transport that the leader's process is gone forgets that leader at once", async () => {
    cluster = await TestCluster.start(IDS);
    const leader = await cluster.leader();
    const follower = cluster.running().find((n) => n !== leader)!;
    // Events report Readys, and status() the core: the follower may know the leader before a Ready said so,
    // and then losing it changes nothing an event reported. Applying a write needs a Ready after the news.
    await cluster.write(leader, 'w');
    const written = cluster.stateMachineOf(leader.id).applied;
    await waitFor(() => cluster.stateMachineOf(follower.id).applied >= written, 'the follower applied the write');
    const lost: Array<string | null> = [];
    follower.on('leader', (id) => lost.push(id));
    // Cut the link too: a heartbeat in flight would otherwise name the leader again before the next Ready.
    cluster.network.setFaultPlan({ seed: 5, partitions: [[leader.id, follower.id]] });
    cluster.slot(follower.id).transport!.peerUnreachable(leader.id);
    // Synchronously: without the news the follower would keep the leader for a whole election timeout.
    expect(follower.status().leader).to.equal(null);
    await waitFor(() => lost.includes(null), 'the leader event with no leader');
    // The leader is in fact alive: once the link heals, its heartbeat brings it back (or a new election ends).
    cluster.network.setFaultPlan(null);
    await cluster.leader();
  });

  it('applies proposals from the leader and a follower on every node in the same order', async () => {
    cluster = await TestCluster.start(IDS);
    const leader = await cluster.leader();
    const follower = cluster.running().find((n) => n !== leader)!;
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 20; i++) {
      writes.push(cluster.write(leader, `L${i}`));
      writes.push(cluster.write(follower, `F${i}`));
    }
    await Promise.all(writes);
    const reference = cluster.stateMachineOf(leader.id);
    await waitFor(
      () => IDS.every((id) => cluster.stateMachineOf(id).applied === reference.applied),
      'every node applied as far as the leader',
    );
    for (const id of IDS) expect(cluster.stateMachineOf(id).commands).to.deep.equal(reference.commands);
    for (let i = 0; i < 20; i++) expect(reference.commands).to.include.members([`L${i}`, `F${i}`]);
  });

  it('readIndex on every node returns an index at or after the last acknowledged write, applied', async () => {
    cluster = await TestCluster.start(IDS);
    const leader = await cluster.leader();
    await cluster.write(leader, 'w1');
    await cluster.write(leader, 'w2');
    const writeIndex = cluster.stateMachineOf(leader.id).applied;
    for (const node of cluster.running()) {
      const index = await node.readIndex();
      expect(index).to.be.at.least(writeIndex);
      expect(node.status().appliedIndex).to.be.at.least(index);
      expect(cluster.stateMachineOf(node.id).commands).to.include('w2');
    }
  });

  it('batches concurrent readIndex calls into few core rounds', async () => {
    cluster = await TestCluster.start(IDS);
    const leader = await cluster.leader();
    await cluster.write(leader, 'x');
    const writeIndex = cluster.stateMachineOf(leader.id).applied;
    const follower = cluster.running().find((n) => n !== leader)!;
    const transport = cluster.slot(follower.id).transport!;
    const before = transport.sent.get(MessageType.ReadIndex) ?? 0;
    const indexes = await Promise.all(Array.from({ length: 100 }, () => follower.readIndex()));
    const rounds = (transport.sent.get(MessageType.ReadIndex) ?? 0) - before;
    expect(indexes).to.have.length(100);
    for (const index of indexes) expect(index).to.be.at.least(writeIndex);
    expect(rounds).to.be.within(1, 4);
  });

  it('restarts a node from its data dir: an empty state machine gets the durable log back', async () => {
    cluster = await TestCluster.start(IDS);
    const leader = await cluster.leader();
    for (let i = 0; i < 10; i++) await cluster.write(leader, `c${i}`);
    const follower = cluster.running().find((n) => n !== leader)!;
    await waitFor(() => cluster.stateMachineOf(follower.id).commands.length === 10, 'follower caught up');
    const before = follower.status();
    await cluster.stopNode(follower.id);

    // Cut the restarted node off so whatever it applies can only come from its own disk.
    cluster.network.setFaultPlan({ seed: 1, partitions: IDS.filter((id) => id !== follower.id).map((id) => [id, follower.id]) });
    const fresh = new ListStateMachine();
    const restarted = await cluster.startNode(follower.id, { stateMachine: fresh });
    const after = restarted.status();
    expect(after.term).to.be.at.least(before.term);
    expect(after.lastIndex).to.be.at.least(before.commitIndex);
    await waitFor(() => fresh.applied >= before.commitIndex, 'the restarted node re-applied its committed log');
    expect(fresh.commands.slice(0, 10)).to.deep.equal(cluster.stateMachineOf(leader.id).commands.slice(0, 10));

    cluster.network.setFaultPlan(null);
    await cluster.write(cluster.running().find((n) => n.status().role === 'leader') ?? leader, 'after-restart');
    await waitFor(() => fresh.commands.includes('after-restart'), 'the restarted node follows new writes');
  });

  it('a stopping leader hands leadership over before it goes', async () => {
    cluster = await TestCluster.start(IDS);
    const leader = await cluster.leader();
    await cluster.write(leader, 'before-stop');
    const logger = cluster.slot(leader.id).logger;
    await cluster.stopNode(leader.id);
    const transfer = logger.lines.find((l) => l.msg === 'raft: leadership transfer before stop');
    expect(transfer?.obj).to.deep.equal({ moved: true });
    const next = await cluster.leader();
    expect(next.id).to.not.equal(leader.id);
    await cluster.write(next, 'after-stop');
  });

  it('an isolated old leader never serves a read, while the majority moves on', async () => {
    cluster = await TestCluster.start(IDS, { readTimeoutMs: 1500 });
    const old = await cluster.leader();
    await cluster.write(old, 'a');
    const others = IDS.filter((id) => id !== old.id);
    cluster.network.setFaultPlan({ seed: 7, partitions: others.map((id) => [old.id, id]) });
    const staleRead = old.readIndex().then(
      (index) => ({ index }),
      (error: unknown) => ({ error }),
    );
    let next: string | null = null;
    await waitFor(() => {
      const leaders = others.filter((id) => cluster.node(id).status().role === 'leader');
      next = leaders.length === 1 ? leaders[0]! : null;
      return next !== null;
    }, 'a new leader among the majority');
    await cluster.write(cluster.node(next!), 'b');
    const writeIndex = cluster.stateMachineOf(next!).applied;
    const outcome = await staleRead;
    expect(outcome).to.have.property('error');
    expect((outcome as { error: Error }).error.name).to.be.oneOf(['RaftTimeoutError', 'NoLeaderError']);
    expect(cluster.stateMachineOf(old.id).commands).to.not.include('b');

    cluster.network.setFaultPlan(null);
    await waitFor(() => cluster.stateMachineOf(old.id).commands.includes('b'), 'the old leader learns the new write');
    expect(await old.readIndex()).to.be.at.least(writeIndex);
  });

  it('stop rejects reads still waiting with NodeStoppedError', async () => {
    cluster = await TestCluster.start(IDS, { readTimeoutMs: 30000 });
    const leader = await cluster.leader();
    await cluster.write(leader, 'a');
    cluster.network.setFaultPlan({ seed: 3, partitions: IDS.filter((id) => id !== leader.id).map((id) => [leader.id, id]) });
    const pending = leader.readIndex().then(
      () => null,
      (error: unknown) => error,
    );
    await cluster.stopNode(leader.id);
    expect(await pending).to.be.instanceOf(NodeStoppedError);
  });

  it('with a small snapshotCount, compacts the log and catches a far-behind node up by a snapshot encoded for it', async () => {
    cluster = await TestCluster.start(IDS, { snapshotCount: 10 });
    const leader = await cluster.leader();
    const laggard = cluster.running().find((n) => n !== leader)!.id;
    await cluster.write(leader, 'first');
    await waitFor(() => cluster.stateMachineOf(laggard).commands.includes('first'), 'laggard has the first write');
    await cluster.stopNode(laggard);
    for (let i = 0; i < 60; i++) await cluster.write(leader, `s${i}`);
    // Snapshots run in the background: wait for the log to be compacted past what the laggard holds.
    const laggardApplied = cluster.stateMachineOf(laggard).applied;
    await waitFor(() => leader.status().firstIndex > laggardApplied + 1, 'the leader compacted past the laggard');
    expect(leader.status().snapshotsTaken).to.be.at.least(2);

    await cluster.startNode(laggard);
    const sm = cluster.stateMachineOf(laggard);
    await waitFor(() => sm.commands.includes('s59'), 'the laggard caught up');
    expect(sm.restores).to.be.at.least(1);
    // The snapshot was encoded for the laggard on request: compaction itself only synced the state machines.
    expect(cluster.stateMachineOf(leader.id).snapshotsTaken).to.be.at.least(1);
    expect(cluster.stateMachineOf(leader.id).syncs).to.be.at.least(2);
    expect(sm.commands).to.deep.equal(cluster.stateMachineOf(leader.id).commands.slice(0, sm.commands.length));
  });
});

describe('RaftNode on its own', function () {
  this.timeout(30000);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raft-node-solo-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function open(network: MemoryNetwork, extra: Partial<Parameters<typeof RaftNode.open>[0]> = {}): Promise<RaftNode> {
    return RaftNode.open({
      id: 'n1',
      clusterId: 'c1',
      peers: { n1: '127.0.0.1:0', n2: '127.0.0.1:0', n3: '127.0.0.1:0' },
      dataDir: dir,
      transport: network.join('n1'),
      stateMachine: new ListStateMachine(),
      heartbeatMs: 20,
      electionMs: 200,
      ...extra,
    });
  }

  it('refuses proposals and reads with NoLeaderError while no leader is known', async () => {
    const node = await open(new MemoryNetwork());
    try {
      expect(() => node.propose(Uint8Array.of(1))).to.throw(NoLeaderError);
      let error: unknown;
      await node.readIndex().catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(NoLeaderError);
      expect(await node.transferLeadership()).to.equal(false);
    } finally {
      await node.stop();
    }
    expect(() => node.propose(Uint8Array.of(1))).to.throw(NodeStoppedError);
  });

  it("refuses a data dir that belongs to another cluster or node", async () => {
    const network = new MemoryNetwork();
    await (await open(network)).stop();
    let error: Error | undefined;
    await open(network, { clusterId: 'other' }).catch((err: Error) => (error = err));
    expect(error?.message).to.match(/belongs to cluster 'c1'/);
  });

  it('rejects unusable options with a clear error', async () => {
    const network = new MemoryNetwork();
    const cases: Array<[Partial<Parameters<typeof RaftNode.open>[0]>, RegExp]> = [
      [{ peers: { n2: 'x:1' } }, /peers must include this node/],
      [{ heartbeatMs: 100, electionMs: 150 }, /at least twice heartbeatMs/],
      [{ storage: new MemoryRaftStorage() }, /exactly one of dataDir and storage/],
      [{ snapshotCount: 0 }, /snapshotCount must be a positive integer/],
    ];
    for (const [extra, pattern] of cases) {
      let error: Error | undefined;
      await open(network, extra).catch((err: Error) => (error = err));
      expect(error?.message, JSON.stringify(Object.keys(extra))).to.match(pattern);
    }
  });

  it('a single-node cluster commits, reads and survives a restart on memory storage', async () => {
    const storage = new MemoryRaftStorage();
    const sm = new ListStateMachine();
    const solo = (): Promise<RaftNode> => openSolo(storage, sm);
    let node = await solo();
    await waitFor(() => node.status().role === 'leader', 'the single node leads');
    for (let i = 0; i < 5; i++) node.propose(new TextEncoder().encode(`p${i}`));
    await waitFor(() => sm.commands.length === 5, 'five commands applied');
    expect(await node.readIndex()).to.be.at.least(sm.applied);
    const lastIndex = node.status().lastIndex;
    await node.stop();
    node = await solo();
    try {
      expect(node.status().lastIndex).to.equal(lastIndex);
      await waitFor(() => node.status().role === 'leader', 'the restarted node leads');
      node.propose(new TextEncoder().encode('p5'));
      await waitFor(() => sm.commands.length >= 6, 'a sixth command applied');
      // Nothing applied twice: the state machine's applied index was respected at restart.
      expect(sm.commands).to.deep.equal(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    } finally {
      await node.stop();
    }
  });

  it('stops on a storage failure and acknowledges nothing after it', async () => {
    const storage = new MemoryRaftStorage();
    const sm = new ListStateMachine();
    const node = await openSolo(storage, sm);
    const fatal: Error[] = [];
    node.on('fatal', (err) => fatal.push(err));
    await waitFor(() => node.status().role === 'leader', 'the single node leads');
    node.propose(Uint8Array.of(65));
    await waitFor(() => sm.commands.length === 1, 'the first command applied');
    storage.failWrites(new Error('disk on fire'));
    node.propose(Uint8Array.of(66));
    await waitFor(() => fatal.length === 1, 'a fatal error reported');
    expect(fatal[0]!.message).to.equal('disk on fire');
    expect(sm.commands).to.deep.equal(['A']);
    expect(() => node.propose(Uint8Array.of(67))).to.throw(NodeStoppedError);
    await node.stop();
  });

  it("reports each synced log write's duration, storage's own time included, and nothing for a failed one", async () => {
    /** Memory storage whose writes take SAVE_MS and are counted. */
    const SAVE_MS = 25;
    class SlowStorage extends MemoryRaftStorage {
      saves = 0;
      override async save(update: Parameters<MemoryRaftStorage['save']>[0]): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, SAVE_MS));
        await super.save(update);
        this.saves++;
      }
    }
    const storage = new SlowStorage();
    const sm = new ListStateMachine();
    const node = await openSolo(storage, sm);
    const saved: number[] = [];
    node.on('logSaved', (seconds) => saved.push(seconds));
    // A listener that throws is logged, not fatal: the node goes on and the others still hear of each write.
    node.on('logSaved', () => {
      throw new Error('metrics bug');
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await waitFor(() => node.status().role === 'leader', 'the single node leads');
      const savesBefore = storage.saves;
      saved.length = 0;
      for (let i = 0; i < 3; i++) {
        node.propose(Uint8Array.of(65 + i));
        await waitFor(() => sm.commands.length === i + 1, `command ${i} applied`);
      }
      await waitFor(() => saved.length === storage.saves - savesBefore, 'one report per completed write');
      // Rejections are reported after the microtask queue drains: give them a turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).to.deep.equal([]);
      expect(saved.length).to.be.at.least(3);
      // setTimeout may fire a millisecond early; a report of the wrong span (e.g. after the write) would be ~0.
      for (const seconds of saved) expect(seconds).to.be.within((SAVE_MS - 2) / 1000, 10);
      const fatal: Error[] = [];
      node.on('fatal', (err) => fatal.push(err));
      storage.failWrites(new Error('disk on fire'));
      const reported = saved.length;
      node.propose(Uint8Array.of(70));
      await waitFor(() => fatal.length === 1, 'the failed write stopped the node');
      expect(saved.length).to.equal(reported);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await node.stop().catch(() => undefined);
    }
  });
});
