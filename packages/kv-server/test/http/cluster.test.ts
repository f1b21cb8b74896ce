import { expect } from 'chai';
import type { ServerHandle } from '../../src/server.js';
import { b64 } from './harness.js';
import { post, startCluster, type TestCluster } from '../support/server-cluster.js';

describe('server: a 3-node cluster in one process (real RaftNode, KvStateMachine, TCP)', function () {
  this.timeout(60000);
  let cluster: TestCluster;
  let nodes: ServerHandle[] = [];

  before(async () => {
    cluster = await startCluster(3);
    nodes = cluster.nodes;
  });

  after(async () => {
    await cluster?.close();
  });

  it('takes a write on a follower and serves it to a linearizable read on another node', async () => {
    const leader = nodes[0]!.raft.status().leader;
    const followers = nodes.filter((n) => n.config.name !== leader);
    const [writer, reader] = [followers[0]!, followers[1]!];
    const put = await post(writer.clientUrls[0]!, '/v3/kv/put', { key: b64('k'), value: b64('v1') });
    expect(put.status, JSON.stringify(put.json)).to.equal(200);
    const revision = Number(put.json.header.revision);
    const read = await post(reader.clientUrls[0]!, '/v3/kv/range', { key: b64('k') });
    expect(read.status).to.equal(200);
    expect(read.json.kvs).to.deep.equal([
      { key: b64('k'), create_revision: String(revision), mod_revision: String(revision), version: '1', value: b64('v1') },
    ]);
    expect(Number(read.json.header.revision)).to.be.at.least(revision);
  });

  it('agrees on the cluster id and lists every member with its client URL', async () => {
    const lists = await Promise.all(nodes.map((n) => post(n.clientUrls[0]!, '/v3/cluster/member/list', {})));
    const clusterIds = new Set(lists.map((l) => l.json.header.cluster_id));
    expect(clusterIds.size).to.equal(1);
    expect(new Set(lists.map((l) => l.json.header.member_id)).size).to.equal(3);
    const members = lists[0]!.json.members as Array<{ name: string; clientURLs: string[] }>;
    expect(members.map((m) => m.name)).to.deep.equal(['n1', 'n2', 'n3']);
    expect(members.map((m) => m.clientURLs[0])).to.deep.equal(nodes.map((n) => n.clientUrls[0]));
  });

  it('answers a txn on one node and shows its effect through /kv on another', async () => {
    const txn = await post(nodes[2]!.clientUrls[0]!, '/v3/kv/txn', {
      compare: [{ key: b64('k'), target: 'VALUE', result: 'EQUAL', value: b64('v1') }],
      success: [{ request_put: { key: b64('k'), value: b64('v2') } }],
    });
    expect(txn.json.succeeded).to.equal(true);
    const raw = await fetch(`${nodes[0]!.clientUrls[0]}/kv/k`);
    expect(await raw.text()).to.equal('v2');
  });

  it('applies a write retried with the same Idempotency-Key once, even through another node', async () => {
    const send = (node: ServerHandle, value: string) =>
      fetch(`${node.clientUrls[0]}/v3/kv/put`, {
        method: 'POST',
        headers: { 'Idempotency-Key': 'retry-1' },
        body: JSON.stringify({ key: b64('idem'), value: b64(value) }),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));
    const first = await send(nodes[0]!, 'first');
    const retry = await send(nodes[1]!, 'second');
    expect(first.status).to.equal(200);
    expect(retry.json.header.revision).to.equal(first.json.header.revision);
    const read = await post(nodes[2]!.clientUrls[0]!, '/v3/kv/range', { key: b64('idem') });
    expect(read.json.kvs[0].value).to.equal(b64('first'));
    expect(read.json.kvs[0].version).to.equal('1');
  });

  it('keeps taking writes after the leader stops: a follower retries until a new leader commits', async () => {
    const oldLeader = nodes.find((n) => n.config.name === n.raft.status().leader)!;
    await oldLeader.close();
    const survivors = nodes.filter((n) => n !== oldLeader);
    const put = await post(survivors[0]!.clientUrls[0]!, '/v3/kv/put', { key: b64('after'), value: b64('failover') });
    expect(put.status, JSON.stringify(put.json)).to.equal(200);
    const newLeader = survivors[0]!.raft.status().leader;
    expect(newLeader).to.not.equal(null);
    expect(newLeader).to.not.equal(oldLeader.config.name);
    const read = await post(survivors[1]!.clientUrls[0]!, '/v3/kv/range', { key: b64('after') });
    expect(read.json.kvs[0].value).to.equal(b64('failover'));
  });
});
