import { expect } from 'chai';
import type { Entry } from '../../src/core/messages.js';
import { MessageType } from '../../src/core/messages.js';
import { ListStateMachine, TestCluster, waitFor } from './cluster-harness.js';

/** Answers "its client" a few microtasks after applying, as the KV server's HTTP handlers do. */
class AnsweringStateMachine extends ListStateMachine {
  constructor(private readonly events: string[]) {
    super();
  }

  override async apply(entries: Entry[]): Promise<void> {
    await super.apply(entries);
    const last = entries[entries.length - 1]!.index;
    void Promise.resolve()
      .then(() => undefined)
      .then(() => this.events.push(`answered ${last}`));
  }
}

describe('RaftNode sends a commit notice after the apply it came with', function () {
  this.timeout(60000);
  const ids = ['n1', 'n2', 'n3'];
  let cluster: TestCluster | undefined;

  afterEach(async () => {
    await cluster?.shutdown();
    cluster = undefined;
  });

  it("a leader's commit-only Appends leave after its own clients were answered", async () => {
    const events: string[] = [];
    const own = Object.fromEntries(ids.map((id) => [id, { stateMachine: new AnsweringStateMachine(events) }]));
    cluster = await TestCluster.start(ids, {}, own);
    const leader = await cluster.leader();
    // Leadership settled and its first entry committed everywhere before the write to watch.
    await cluster.write(leader, 'warm-up');
    cluster.slot(leader.id).transport!.onRaftSend = (m) => {
      if (m.type === MessageType.Append && m.entries.length === 0) events.push(`notice ${m.commit}`);
    };
    events.length = 0;
    await cluster.write(leader, 'watched');
    const index = cluster.stateMachineOf(leader.id).appliedIndex();
    await waitFor(() => events.includes(`notice ${index}`), 'a commit notice of the new index');
    expect(events.indexOf(`answered ${index}`), 'answered before any notice of it').to.be.within(0, events.indexOf(`notice ${index}`));
  });
});
