import { expect } from 'chai';
import { MessageType, Role } from '../../src/core/messages.js';
import { enc, entry, Network, seededRandom } from './harness.js';

const ids3 = ['n1', 'n2', 'n3'];
const ids5 = ['n1', 'n2', 'n3', 'n4', 'n5'];

function proposeAll(net: Network, from: string, cmds: string[]): void {
  for (const c of cmds) expect(net.core(from).propose(enc(c)), `propose ${c}`).to.equal(true);
  net.settle();
}

describe('scenarios: election', () => {
  it('elects exactly one leader that every node follows', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    net.tick(ids3, 3);
    expect(net.leaders()).to.deep.equal([leader]);
    for (const id of ids3) expect(net.core(id).leader).to.equal(leader);
    expect(new Set(ids3.map((id) => net.core(id).term)).size).to.equal(1);
  });

  it('re-elects a new leader of a higher term after the leader is cut off', () => {
    const net = new Network(ids3);
    const old = net.electLeader();
    const oldTerm = net.core(old).term;
    net.isolate(old);
    const rest = ids3.filter((id) => id !== old);
    const next = net.electLeader(rest);
    expect(next).to.not.equal(old);
    expect(net.core(next).term).to.be.greaterThan(oldTerm);
    // Check-quorum: the cut-off leader steps down by itself.
    net.tickUntil(() => net.core(old).role !== Role.Leader, 100, [old]);
  });

  it('does not churn: a stable cluster keeps its leader and term for many timeouts', () => {
    const net = new Network(ids5);
    const leader = net.electLeader();
    const term = net.core(leader).term;
    net.tick(ids5, 300);
    expect(net.leaders()).to.deep.equal([leader]);
    for (const id of ids5) expect(net.core(id).term).to.equal(term);
  });

  it('pre-vote: a node cut off for long does not raise its term nor disrupt the cluster when it returns', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    const term = net.core(leader).term;
    const loner = ids3.find((id) => id !== leader)!;
    net.isolate(loner);
    net.tick(ids3, 100);
    expect(net.core(loner).term).to.equal(term);
    net.heal();
    net.tick(ids3, 30);
    expect(net.leader()).to.equal(leader);
    expect(net.core(leader).term).to.equal(term);
  });

  it('lease: followers that hear from a leader ignore a vote request of a higher term', () => {
    const net = new Network(ids3, { preVote: false });
    const leader = net.electLeader();
    const loner = ids3.find((id) => id !== leader)!;
    net.isolate(loner);
    net.tickUntil(() => net.core(loner).term > net.core(leader).term, 100, [loner]);
    net.heal();
    // The loner's Vote (higher term) reaches followers that are in lease: they ignore it.
    const third = ids3.find((id) => id !== leader && id !== loner)!;
    const before = net.core(third).term;
    net.core(loner).campaign();
    net.settle();
    expect(net.core(third).term).to.equal(before);
  });
});

describe('scenarios: replication', () => {
  it('reaches basic agreement: every node applies the same commands in order', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    proposeAll(net, leader, ['a', 'b', 'c']);
    for (const id of ids3) expect(net.appliedCommands(id)).to.deep.equal(['a', 'b', 'c']);
  });

  it('agrees despite a disconnected follower, which catches up after it returns', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    const lagger = ids3.find((id) => id !== leader)!;
    net.isolate(lagger);
    proposeAll(net, leader, ['a', 'b']);
    expect(net.appliedCommands(leader)).to.deep.equal(['a', 'b']);
    expect(net.appliedCommands(lagger)).to.deep.equal([]);
    net.heal();
    net.tickUntil(() => net.appliedCommands(lagger).length === 2);
    expect(net.appliedCommands(lagger)).to.deep.equal(['a', 'b']);
  });

  it('does not commit without a majority, and commits once the majority returns', () => {
    const net = new Network(ids5, { checkQuorum: false });
    const leader = net.electLeader();
    const others = ids5.filter((id) => id !== leader);
    for (const id of others.slice(0, 3)) net.isolate(id);
    const commit = net.core(leader).log.committed;
    proposeAll(net, leader, ['x']);
    net.tick([leader, others[3]!], 20);
    expect(net.core(leader).log.committed).to.equal(commit);
    expect(net.appliedCommands(leader)).to.deep.equal([]);
    net.heal();
    net.tickUntil(() => ids5.every((id) => net.appliedCommands(id).length === 1));
  });

  it('commits many concurrent proposals, some forwarded by followers, in one order everywhere', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    for (let i = 0; i < 60; i++) expect(net.core(ids3[i % 3]!).propose(enc(`c${i}`))).to.equal(true);
    net.settle();
    const order = net.appliedCommands(leader);
    expect([...order].sort()).to.deep.equal(Array.from({ length: 60 }, (_, i) => `c${i}`).sort());
    for (const id of ids3) expect(net.appliedCommands(id)).to.deep.equal(order);
  });

  it('discards the uncommitted entries of a partitioned old leader when it rejoins', () => {
    const net = new Network(ids5);
    const old = net.electLeader();
    proposeAll(net, old, ['committed']);
    const [f1, ...rest] = ids5.filter((id) => id !== old);
    net.partition([old, f1!], rest);
    proposeAll(net, old, ['lost1', 'lost2']);
    const next = net.electLeader(rest);
    proposeAll(net, next, ['kept']);
    net.heal();
    net.tickUntil(() => ids5.every((id) => net.appliedCommands(id).length === 2));
    for (const id of ids5) expect(net.appliedCommands(id)).to.deep.equal(['committed', 'kept']);
    for (const id of [old, f1!]) {
      const { core } = net.nodes.get(id)!;
      const datas = [];
      for (let i = 1; i <= core.log.lastIndex(); i++) datas.push(new TextDecoder().decode(core.log.slice(i, i + 1)[0]!.data));
      expect(datas).to.not.include('lost1');
    }
  });

  it('backs up fast over many conflicting entries (a few probes, not one per entry)', () => {
    const net = new Network(ids5, { maxMessageBytes: 1 << 20 });
    const old = net.electLeader();
    const [f1, ...rest] = ids5.filter((id) => id !== old);
    net.partition([old, f1!], rest);
    proposeAll(net, old, Array.from({ length: 100 }, (_, i) => `stale${i}`));
    const next = net.electLeader(rest);
    proposeAll(net, next, Array.from({ length: 100 }, (_, i) => `new${i}`));
    let rejects = 0;
    net.filter = (m) => {
      if (m.type === MessageType.AppendResponse && m.reject) rejects++;
      return true;
    };
    net.heal();
    net.tickUntil(() => ids5.every((id) => net.appliedCommands(id).length === 100));
    for (const id of ids5) expect(net.appliedCommands(id)[99]).to.equal('new99');
    // Two lagging nodes, each rejecting only a handful of probes rather than ~100.
    expect(rejects).to.be.lessThan(20);
  });

  it('keeps every committed entry across crashes of every node', () => {
    const net = new Network(ids3);
    const leader = net.electLeader();
    proposeAll(net, leader, ['a', 'b']);
    for (const id of ids3) net.restart(id);
    const again = net.electLeader();
    proposeAll(net, again, ['c']);
    for (const id of ids3) expect(net.appliedCommands(id)).to.deep.equal(['a', 'b', 'c']);
    for (const id of ids3) expect(net.nodes.get(id)!.disk.entries.length).to.be.greaterThan(3);
  });

  it('survives an unreliable network that drops a fifth of all messages', () => {
    const net = new Network(ids5);
    const rand = seededRandom(42);
    net.filter = () => rand() > 0.2;
    let sent = 0;
    net.tickUntil(() => {
      const leader = net.leader();
      if (leader && sent < 40 && net.core(leader).propose(enc(`u${sent}`))) sent++;
      return sent === 40 && ids5.every((id) => net.appliedCommands(id).length >= 1);
    }, 3000);
    net.filter = () => true;
    net.heal();
    net.tick(ids5, 50);
    const reference = net.appliedCommands(net.leader()!);
    for (const id of ids5) expect(net.appliedCommands(id)).to.deep.equal(reference);
  });

  it('stays safe under churn: random crashes and partitions, then converges', () => {
    const net = new Network(ids5);
    const rand = seededRandom(9);
    for (let step = 0; step < 300; step++) {
      const r = rand();
      if (r < 0.03) net.restart(ids5[Math.floor(rand() * 5)]!);
      else if (r < 0.05) net.partition(ids5.filter(() => rand() < 0.5));
      else if (r < 0.07) net.heal();
      const leader = net.leader();
      if (leader) net.core(leader).propose(enc(`k${step}`));
      net.tick();
    }
    net.heal();
    net.tick(ids5, 60);
    const leader = net.electLeader();
    proposeAll(net, leader, ['final']);
    net.tick(ids5, 10);
    const reference = net.appliedCommands(leader);
    expect(reference.at(-1)).to.equal('final');
    for (const id of ids5) expect(net.appliedCommands(id)).to.deep.equal(reference);
  });
});

describe('scenarios: Figure 8', () => {
  it('an old-term entry on a majority is not committed by the new leader, and may be overwritten', () => {
    const net = new Network(ids5, { preVote: false, checkQuorum: false, maxMessageBytes: 1 });
    const disk = (term: number, terms: [number, string][]) => ({
      hardState: { term, vote: null, commit: 0 },
      snapshot: null,
      entries: [entry(1, 1, 'one'), ...terms.map(([t, d], i) => entry(i + 2, t, d))],
      applied: 0,
    });
    // Figure 8 (c): s1 led term 2 and put entry 2 on s2; s5 led term 3 and wrote its own entry 2.
    net.load('n1', disk(4, [[2, 'from-term-2']]));
    net.load('n2', disk(2, [[2, 'from-term-2']]));
    net.load('n3', disk(2, []));
    net.load('n4', disk(2, []));
    net.load('n5', disk(3, [[3, 'from-term-3']]));
    net.partition(['n1', 'n2', 'n3'], ['n4', 'n5']);
    // n3 may take entry 2 from n1, but never n1's entry of its new term (n1 "crashes" before that).
    net.filter = (m) =>
      !(m.from === 'n1' && m.to === 'n3' && m.type === MessageType.Append && net.core('n3').log.term(2) === 2 && m.index >= 2);
    net.core('n1').campaign();
    net.settle();
    expect(net.core('n1').role).to.equal(Role.Leader);
    expect(net.core('n3').log.term(2)).to.equal(2); // entry 2 of term 2 is now on a majority (n1, n2, n3)
    expect(net.core('n1').log.committed).to.be.lessThan(2); // …but is not committed: Figure 8 (c)
    // Figure 8 (d): n1 crashes; n5 wins with n3 and n4 and overwrites entry 2.
    net.restart('n1');
    net.filter = () => true;
    net.partition(['n1'], ['n2', 'n3', 'n4', 'n5']);
    net.tickUntil(() => net.core('n5').role === Role.Leader, 500, ['n5']);
    proposeAll(net, 'n5', ['after']);
    net.heal();
    net.tickUntil(() => ids5.every((id) => net.appliedCommands(id).length === 3));
    for (const id of ids5) expect(net.appliedCommands(id)).to.deep.equal(['one', 'from-term-3', 'after']);
  });
});
