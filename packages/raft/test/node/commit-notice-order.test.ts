import { expect } from 'chai';
import type { Entry } from '../../src/core/messages.js';
import { MessageType } from '../../src/core/messages.js';
import { ListStateMachine, TestCluster, waitFor } from './cluster-harness.js';

/** Answers "its client" a few microtasks after applying, as the KV server's HTTP handlers do. */
class AnsweringStateMachine extends ListStateMachine {
  constructor(
    private readonly id: string,
    private readonly events: string[],
  ) {
    super();
  }

  override async apply(entries: Entry[]): Promise<void> {
    await super.apply(entries);
    const last = entries[entries.length - 1]!.index;
    void Promise.resolve()
      .then(() => undefined)
      .then(() => this.events.push(`${this.id} answered ${last}`));
  }
}

describe('RaftNode holds a commit notice back, unless a follower waits for it', function () {
  this.timeout(60000);
  const ids = ['n1', 'n2', 'n3'];
  let cluster: TestCluster | undefined;
  let events: string[];

  async function start(options: { commitNoticeDelayMs?: number } = {}): Promise<void> {
    events = [];
    const own = Object.fromEntries(ids.map((id) => [id, { stateMachine: new AnsweringStateMachine(id, events) }]));
    cluster = await TestCluster.start(ids, options, own);
  }

  afterEach(async () => {
    await cluster?.shutdown();
    cluster = undefined;
  });

  /** Leadership settled, its first entry committed everywhere; from now on the leader's commit notices are logged. */
  async function watchedLeader() {
    const leader = await cluster!.leader();
    await cluster!.write(leader, 'warm-up');
    cluster!.slot(leader.id).transport!.onRaftSend = (m) => {
      if (m.type === MessageType.Append && m.entries.length === 0) events.push(`notice to ${m.to} ${m.commit}`);
    };
    events.length = 0;
    return leader;
  }

  it("with nothing else to send, a leader's notice still goes, after its own clients were answered", async () => {
    await start();
    const leader = await watchedLeader();
    await cluster!.write(leader, 'watched');
    const index = cluster!.stateMachineOf(leader.id).appliedIndex();
    const follower = ids.find((id) => id !== leader.id)!;
    await waitFor(() => events.includes(`notice to ${follower} ${index}`), 'a commit notice of the new index');
    expect(events.indexOf(`${leader.id} answered ${index}`), 'answered before the notice').to.be.within(0, events.indexOf(`notice to ${follower} ${index}`));
  });

  it('a notice is not sent once a newer Append told the follower the commit', async () => {
    // Long enough that the second write's Append surely goes out while the first write's notice is held.
    await start({ commitNoticeDelayMs: 1000 });
    const leader = await watchedLeader();
    await cluster!.write(leader, 'first');
    const first = cluster!.stateMachineOf(leader.id).appliedIndex();
    await cluster!.write(leader, 'second');
    const second = cluster!.stateMachineOf(leader.id).appliedIndex();
    const followers = ids.filter((id) => id !== leader.id);
    await waitFor(() => followers.every((f) => events.includes(`notice to ${f} ${second}`)), 'the second write held and sent');
    expect(events.filter((e) => e.startsWith('notice to ')), 'one notice each, of the newer commit').to.have.members(followers.map((f) => `notice to ${f} ${second}`));
    expect(first).to.be.below(second);
  });

  it('a notice that lets a follower apply more than one entry goes at once', async () => {
    // Held notices would wait a minute: only one sent at once can be seen.
    await start({ commitNoticeDelayMs: 60000 });
    const leader = await watchedLeader();
    // Proposed in one turn, both go in one Append and commit together: the commit moves two entries at once.
    leader.propose(new TextEncoder().encode('pair-1'));
    leader.propose(new TextEncoder().encode('pair-2'));
    await waitFor(() => cluster!.stateMachineOf(leader.id).commands.includes('pair-2'), 'the pair applied on the leader');
    const index = cluster!.stateMachineOf(leader.id).appliedIndex();
    const followers = ids.filter((id) => id !== leader.id);
    await waitFor(() => followers.every((f) => events.includes(`notice to ${f} ${index}`)), 'a notice of both to each follower');
  });

  it('the notice to a follower that forwarded the write goes before the leader applies it', async () => {
    await start({ commitNoticeDelayMs: 1000 });
    const leader = await watchedLeader();
    const via = cluster!.running().find((n) => n !== leader)!;
    await cluster!.write(via, 'forwarded');
    const index = cluster!.stateMachineOf(via.id).appliedIndex();
    await waitFor(() => events.includes(`${leader.id} answered ${index}`), 'the leader applied it');
    const notice = events.findIndex((e) => e.startsWith(`notice to ${via.id} `) && Number(e.split(' ').pop()) >= index);
    expect(notice, 'a notice covering the write').to.be.greaterThan(-1);
    expect(notice, 'sent before the leader answered').to.be.below(events.indexOf(`${leader.id} answered ${index}`));
  });
});
