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

describe('RaftNode orders a commit notice after its own answers, unless a follower waits for it', function () {
  this.timeout(60000);
  const ids = ['n1', 'n2', 'n3'];
  let cluster: TestCluster | undefined;
  let events: string[];

  beforeEach(async () => {
    events = [];
    const own = Object.fromEntries(ids.map((id) => [id, { stateMachine: new AnsweringStateMachine(id, events) }]));
    cluster = await TestCluster.start(ids, {}, own);
  });

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

  it("a leader's commit-only Appends leave after its own clients were answered", async () => {
    const leader = await watchedLeader();
    await cluster!.write(leader, 'watched');
    const index = cluster!.stateMachineOf(leader.id).appliedIndex();
    const follower = ids.find((id) => id !== leader.id)!;
    await waitFor(() => events.includes(`notice to ${follower} ${index}`), 'a commit notice of the new index');
    expect(events.indexOf(`${leader.id} answered ${index}`), 'answered before the notice').to.be.within(0, events.indexOf(`notice to ${follower} ${index}`));
  });

  it('the notice to a follower that forwarded the write goes before the leader applies it', async () => {
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
