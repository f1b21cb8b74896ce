import { expect } from 'chai';
import { MessageType, Role } from '../../src/core/messages.js';
import { Raft } from '../../src/core/raft.js';
import { dec, enc, makeLeader, msg, Network, newRaft } from './harness.js';

const ids3 = ['n1', 'n2', 'n3'];

describe('snapshots', () => {
  it('installs a snapshot in chunks on a far-behind follower, then replicates after it', () => {
    const net = new Network(ids3, { snapshotChunkBytes: 16 });
    const leader = net.electLeader();
    const lagger = ids3.find((id) => id !== leader)!;
    net.isolate(lagger);
    for (let i = 0; i < 30; i++) net.core(leader).propose(enc(`s${i}`));
    net.settle();
    for (const id of ids3) if (id !== lagger) net.compact(id);
    expect(net.core(leader).log.firstIndex()).to.be.greaterThan(30);
    let chunks = 0;
    net.filter = (m) => {
      if (m.type === MessageType.Snapshot) chunks++;
      return true;
    };
    net.heal();
    net.tickUntil(() => net.core(lagger).log.snapshotIndex > 0);
    expect(chunks).to.be.greaterThan(5);
    net.core(leader).propose(enc('after'));
    net.tickUntil(() => net.appliedCommands(lagger).at(-1) === 'after');
    expect(net.appliedCommands(lagger)).to.deep.equal(net.appliedCommands(leader));
    expect(net.nodes.get(lagger)!.disk.snapshot?.index).to.be.greaterThan(30);
  });

  it('compacts without snapshot data, asks for a snapshot only when a follower is behind, and waits for it', () => {
    const net = new Network(ids3, { snapshotChunkBytes: 64 });
    net.offerSnapshots = false;
    const leader = net.electLeader();
    const lagger = ids3.find((id) => id !== leader)!;
    for (let i = 0; i < 5; i++) net.core(leader).propose(enc(`a${i}`));
    net.settle();
    // Every follower holds everything: compaction alone asks for nothing.
    net.compact(leader);
    net.tick(ids3, 3);
    expect(net.snapshotsWanted.get(leader) ?? 0).to.equal(0);

    net.isolate(lagger);
    for (let i = 0; i < 10; i++) net.core(leader).propose(enc(`b${i}`));
    net.settle();
    net.compact(leader);
    net.heal();
    net.tick(ids3, 5);
    // Behind the start and nothing to send: the leader asks (again at each heartbeat answer) and the follower waits.
    expect(net.snapshotsWanted.get(leader) ?? 0).to.be.greaterThan(1);
    expect(net.core(lagger).log.snapshotIndex).to.equal(0);
    expect(net.core(leader).role).to.equal(Role.Leader);

    net.offerSnapshot(leader);
    net.settle();
    net.tickUntil(() => net.core(lagger).log.snapshotIndex > 0);
    net.core(leader).propose(enc('after'));
    net.tickUntil(() => net.appliedCommands(lagger).at(-1) === 'after');
    expect(net.appliedCommands(lagger)).to.deep.equal(net.appliedCommands(leader));
  });

  it('ignores an offered snapshot it could not use: past the commit index, or of another term', () => {
    const net = new Network(ids3);
    net.offerSnapshots = false;
    const leader = net.electLeader();
    const lagger = ids3.find((id) => id !== leader)!;
    net.isolate(lagger);
    for (let i = 0; i < 6; i++) net.core(leader).propose(enc(`c${i}`));
    net.settle();
    const core = net.core(leader);
    const config = { voters: ids3 };
    const start = core.log.committed - 2;
    net.core(leader).compact(start);
    const data = enc('[]');
    const committed = core.log.committed;
    // An entry of this term that cannot commit yet (the other follower is cut off too).
    net.isolate(ids3.find((id) => id !== leader && id !== lagger)!);
    core.propose(enc('uncommitted'));
    net.settle();
    expect(core.log.lastIndex()).to.equal(committed + 1);
    core.offerSnapshot({ meta: { index: committed + 1, term: core.term, config }, data });
    core.offerSnapshot({ meta: { index: committed, term: core.log.term(committed)! + 1, config }, data });
    net.heal();
    net.tick(ids3, 5);
    // None of them was sent: the lagging follower is still waiting for one.
    expect(net.core(lagger).log.snapshotIndex).to.equal(0);
    expect(net.snapshotsWanted.get(leader) ?? 0).to.be.greaterThan(0);
  });

  it('refuses to start when the application has applied less than the log has compacted away', () => {
    const start = { index: 4, term: 2, config: { voters: ids3 } };
    expect(
      () =>
        new Raft(
          { id: 'n1', initialConfig: { voters: ids3 }, electionTicks: 10, heartbeatTicks: 1, random: () => 0 },
          { hardState: { term: 2, vote: null, commit: 4 }, snapshot: start, entries: [], applied: 1 },
        ),
    ).to.throw(/applied index 1 is behind the log's start 4/);
  });

  it('keeps heartbeating (no election) while a large snapshot trickles through a lossy link', () => {
    const net = new Network(ids3, { snapshotChunkBytes: 8 });
    const leader = net.electLeader();
    const term = net.core(leader).term;
    const lagger = ids3.find((id) => id !== leader)!;
    net.isolate(lagger);
    for (let i = 0; i < 40; i++) net.core(leader).propose(enc(`big-command-${i}`));
    net.settle();
    net.compact(leader);
    net.heal();
    let n = 0;
    net.filter = (m) => !(m.type === MessageType.Snapshot && n++ % 3 === 0);
    net.tickUntil(() => net.core(lagger).log.snapshotIndex > 0, 2000);
    expect(net.core(leader).term).to.equal(term);
    expect(net.core(lagger).role).to.equal(Role.Follower);
  });

  it('a restarted follower keeps the installed snapshot and drops stale entries after it', () => {
    const r = newRaft({
      logTerms: [5, 3, 3],
      snapshot: { index: 4, term: 5, config: { voters: ids3 } },
      commit: 4,
    });
    // Entries of term 3 after a term-5 snapshot cannot be committed history: they are leftovers.
    expect(r.log.lastIndex()).to.equal(5);
    expect(r.log.term(5)).to.equal(5);
  });
});

describe('leadership transfer', () => {
  it('hands leadership to a caught-up follower at once', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    const target = ids3.find((id) => id !== leader)!;
    const term = net.core(leader).term;
    net.core(leader).transferLeadership(target);
    net.settle();
    expect(net.leader()).to.equal(target);
    expect(net.core(target).term).to.equal(term + 1);
  });

  it('catches a lagging target up first, then hands over', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    const target = ids3.find((id) => id !== leader)!;
    net.isolate(target);
    for (let i = 0; i < 10; i++) net.core(leader).propose(enc(`t${i}`));
    net.settle();
    net.heal();
    net.core(leader).transferLeadership(target);
    expect(net.core(leader).propose(enc('during'))).to.equal(false);
    net.settle();
    expect(net.leader()).to.equal(target);
    net.core(target).propose(enc('after'));
    net.settle();
    expect(net.appliedCommands(target).at(-1)).to.equal('after');
  });

  it('is abandoned after an election timeout when the target does not respond', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    const target = ids3.find((id) => id !== leader)!;
    net.isolate(target);
    net.core(leader).transferLeadership(target);
    expect(net.core(leader).propose(enc('x'))).to.equal(false);
    net.tick(ids3.filter((id) => id !== target), 12);
    expect(net.leader()).to.equal(leader);
    expect(net.core(leader).propose(enc('y'))).to.equal(true);
  });
});

describe('ReadIndex', () => {
  it('serves a leader read at the commit index after one heartbeat round', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    net.core(leader).propose(enc('w'));
    net.settle();
    expect(net.core(leader).readIndex(enc('r1'))).to.equal(true);
    net.settle();
    const [rs] = net.readStates(leader);
    expect(dec(rs!.context)).to.equal('r1');
    expect(rs!.index).to.equal(net.core(leader).log.committed);
  });

  it('serves a follower read through the leader', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    const follower = ids3.find((id) => id !== leader)!;
    net.core(leader).propose(enc('w'));
    net.settle();
    expect(net.core(follower).readIndex(enc('f1'))).to.equal(true);
    net.settle();
    const [rs] = net.readStates(follower);
    expect(dec(rs!.context)).to.equal('f1');
    expect(rs!.index).to.equal(net.core(leader).log.committed);
  });

  it('batches many reads into one heartbeat round', () => {
    const r = newRaft({ term: 1 });
    makeLeader(r);
    // Commit the no-op so reads may be served.
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: 1 }));
    const drain = () => {
      const rd = r.ready();
      r.advance(rd);
      return rd;
    };
    drain();
    for (let i = 0; i < 20; i++) r.readIndex(enc(`r${i}`));
    const first = drain().messages.filter((m) => m.type === MessageType.Heartbeat);
    expect(first).to.have.length(2); // one round: one heartbeat per follower, not per read
    r.step(msg({ type: MessageType.HeartbeatResponse, from: 'n2', term: 2, context: first[0]!.context }));
    expect(drain().readStates).to.have.length(20);
  });

  it('a new leader does not answer reads before it committed an entry of its term', () => {
    const r = newRaft({ term: 1 });
    makeLeader(r);
    r.readIndex(enc('early'));
    const rd = r.ready();
    expect(rd.messages.filter((m) => m.type === MessageType.Heartbeat)).to.have.length(0);
    r.advance(rd);
    r.step(msg({ type: MessageType.AppendResponse, from: 'n2', term: 2, index: 1 }));
    const after = r.ready();
    const heartbeats = after.messages.filter((m) => m.type === MessageType.Heartbeat);
    expect(heartbeats).to.have.length(2);
    r.advance(after);
    r.step(msg({ type: MessageType.HeartbeatResponse, from: 'n3', term: 2, context: heartbeats[0]!.context }));
    expect(r.ready().readStates.map((s) => s.index)).to.deep.equal([1]);
  });

  it('a leader cut off from the majority never answers a read', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    net.isolate(leader);
    net.core(leader).readIndex(enc('cut'));
    net.tick([leader], 5);
    expect(net.readStates(leader)).to.have.length(0);
  });
});

describe('single-voter cluster', () => {
  it('elects itself, commits once its own write is durable, and answers reads without a round', () => {
    const net = new Network(['solo']);
    net.electLeader();
    net.core('solo').propose(enc('only'));
    net.settle();
    expect(net.appliedCommands('solo')).to.deep.equal(['only']);
    net.core('solo').readIndex(enc('r'));
    net.settle();
    expect(net.readStates('solo').map((rs) => rs.index)).to.deep.equal([net.core('solo').log.committed]);
  });
});
