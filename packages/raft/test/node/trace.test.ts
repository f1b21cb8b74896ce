import { expect } from 'chai';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { MessageType } from '../../src/core/messages.js';
import { READY_TRACE_CHANNEL, RECEIVE_TRACE_CHANNEL, type ReadyTraceEvent, type ReceiveTraceEvent } from '../../src/driver/trace.js';
import { TestCluster, waitFor } from './cluster-harness.js';

describe('RaftNode tracing channels', function () {
  this.timeout(60000);
  let cluster: TestCluster | undefined;
  const readies: ReadyTraceEvent[] = [];
  const receives: ReceiveTraceEvent[] = [];
  const onReady = (m: unknown) => readies.push(m as ReadyTraceEvent);
  const onReceive = (m: unknown) => receives.push(m as ReceiveTraceEvent);

  afterEach(async () => {
    unsubscribe(READY_TRACE_CHANNEL, onReady);
    unsubscribe(RECEIVE_TRACE_CHANNEL, onReceive);
    await cluster?.shutdown();
  });

  it("publishes each Ready's timings and each received message while subscribed", async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const leader = await cluster.leader();
    subscribe(READY_TRACE_CHANNEL, onReady);
    subscribe(RECEIVE_TRACE_CHANNEL, onReceive);
    await cluster.write(leader, 'traced');
    const written = cluster.stateMachineOf(leader.id).applied;
    await waitFor(() => readies.some((r) => r.node === leader.id && r.committedTo >= written), 'the leader traced the commit');

    // The leader's Ready that wrote the entry: durable after it started, done after that.
    const write = readies.find((r) => r.node === leader.id && r.entries > 0 && r.lastEntryIndex === written)!;
    expect(write, 'a Ready that wrote the entry').to.not.equal(undefined);
    expect(write.persistedAt).to.be.at.least(write.startedAt);
    expect(write.finishedAt).to.be.at.least(write.persistedAt);
    // A follower acknowledged it, and the leader's receive trace says so.
    const acks = receives.filter((m) => m.node === leader.id && m.type === MessageType.AppendResponse && !m.reject);
    expect(acks.some((m) => m.index >= written && m.at >= write.startedAt)).to.equal(true);
    // Followers wrote it too, in Readies of their own.
    const followersWrote = () => new Set(readies.filter((r) => r.node !== leader.id && r.entries > 0 && r.lastEntryIndex >= written).map((r) => r.node));
    await waitFor(() => followersWrote().size === 2, 'both followers traced a Ready that wrote the entry');
  });
});
