import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPorts } from '@raftkv/cnet';
import { RaftNode } from '../../src/node.js';
import { ListStateMachine, waitFor } from './cluster-harness.js';

describe('RaftNode over the default TcpTransport', function () {
  this.timeout(60000);
  let dir: string;
  const nodes: RaftNode[] = [];

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('elects a leader, replicates a write and serves a read index on 127.0.0.1', async () => {
    dir = await mkdtemp(join(tmpdir(), 'raft-tcp-'));
    const ids = ['n1', 'n2', 'n3'];
    const peers: Record<string, string> = {};
    const ports = await freeLoopbackPorts(ids.length);
    ids.forEach((id, i) => (peers[id] = `127.0.0.1:${ports[i]}`));
    const machines = new Map(ids.map((id) => [id, new ListStateMachine()]));
    for (const id of ids) {
      nodes.push(
        await RaftNode.open({
          id,
          clusterId: 'tcp-test',
          peers,
          dataDir: join(dir, id),
          stateMachine: machines.get(id)!,
          heartbeatMs: 50,
          electionMs: 500,
        }),
      );
    }
    await waitFor(() => nodes.some((n) => n.status().role === 'leader'), 'a leader');
    const leader = nodes.find((n) => n.status().role === 'leader')!;
    leader.propose(new TextEncoder().encode('over-tcp'));
    await waitFor(() => ids.every((id) => machines.get(id)!.commands.includes('over-tcp')), 'the write on every node');
    const follower = nodes.find((n) => n !== leader)!;
    expect(await follower.readIndex()).to.be.at.least(machines.get(leader.id)!.applied);
    const stats = follower.transportStats();
    expect(stats[leader.id]?.messagesReceived).to.be.greaterThan(0);
  });
});
