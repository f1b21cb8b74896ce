/**
 * Issue 4's multi-process proof on real `raftkv` processes: follower writes read linearizably elsewhere, kill -9 of
 * the leader, a restarted node catching up, a far-behind node catching up by snapshot, and a whole-cluster restart
 * keeping every acknowledged write.
 */
import { expect } from 'chai';
import { ClusterProcesses } from '../faults/cluster-processes.js';
import { b64, call, leaderName as agreedLeader, REQUEST_MS, status, unb64, until } from './process-cluster.js';

async function put(endpoint: string, key: string, value: string): Promise<number> {
  return Number((await call(endpoint, '/v3/kv/put', { key: b64(key), value: b64(value) })).header.revision);
}

/** Every key and value a node holds, read on that node alone. */
async function localContents(endpoint: string): Promise<Map<string, string>> {
  const kvs: Array<{ key: string; value?: string }> = (await call(endpoint, '/v3/kv/range', { key: 'AA==', range_end: 'AA==', serializable: true })).kvs ?? [];
  return new Map(kvs.map((kv) => [unb64(kv.key), unb64(kv.value ?? '')]));
}

async function linearizableGet(endpoint: string, key: string): Promise<string | undefined> {
  const kv: { value?: string } | undefined = (await call(endpoint, '/v3/kv/range', { key: b64(key) })).kvs?.[0];
  return kv === undefined ? undefined : unb64(kv.value ?? '');
}

async function metric(endpoint: string, name: string): Promise<number> {
  const res = await fetch(new URL('/metrics', endpoint), { signal: AbortSignal.timeout(REQUEST_MS) });
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} missing from ${endpoint}/metrics`);
  return Number(line.split(' ')[1]);
}

describe('a 3-node raftkv cluster of real processes', function () {
  this.timeout(120_000);
  let cluster: ClusterProcesses;

  const leaderName = (): Promise<string> => agreedLeader(cluster);

  /** Waits until every running node applied at least what the leader committed. */
  const converged = async (): Promise<void> => {
    const target = (await status(cluster.node(await leaderName()).clientUrl)).committed;
    await until(`every running node applying index ${target}`, async () => {
      const running = cluster.nodes.filter((n) => n.state === 'running');
      const applied = await Promise.all(running.map(async (n) => (await status(n.clientUrl)).applied));
      return applied.every((a) => a >= target) ? true : undefined;
    });
  };

  beforeEach(async () => {
    cluster = await ClusterProcesses.create({ nodes: 3, heartbeatMs: 50, electionMs: 500, snapshotCount: 50 });
    cluster.startAll();
    await leaderName();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') for (const n of cluster.nodes) console.log(`--- ${n.name} log\n${cluster.logTail(n.name)}`);
    await cluster.destroy();
  });

  it('takes a write on a follower and serves it to a linearizable read on another follower', async () => {
    const leader = await leaderName();
    const [writer, reader] = cluster.nodes.filter((n) => n.name !== leader);
    await put(writer!.clientUrl, 'greeting', 'hello');
    expect(await linearizableGet(reader!.clientUrl, 'greeting')).to.equal('hello');
    expect((await status(reader!.clientUrl)).dbSize, 'dbSize of the store on disk').to.be.greaterThan(0);
  });

  it('keeps taking writes after kill -9 of the leader, and the restarted node catches up', async () => {
    const oldLeader = await leaderName();
    const survivor = cluster.nodes.find((n) => n.name !== oldLeader)!;
    await put(survivor.clientUrl, 'before', '1');
    await cluster.kill(oldLeader);

    const newLeader = await leaderName();
    expect(newLeader).to.not.equal(oldLeader);
    await until('a write after the election', async () => put(survivor.clientUrl, 'after', '2'));

    cluster.start(oldLeader);
    await converged();
    const contents = await localContents(cluster.node(oldLeader).clientUrl);
    expect(contents.get('before')).to.equal('1');
    expect(contents.get('after')).to.equal('2');
  });

  it('catches a far-behind node up by snapshot once the leader compacted the entries it lacks', async () => {
    const leader = await leaderName();
    const lagging = cluster.nodes.find((n) => n.name !== leader)!;
    const laggingApplied = (await status(lagging.clientUrl)).applied;
    await cluster.kill(lagging.name);

    const writer = cluster.node(leader).clientUrl;
    for (let i = 0; i < 300; i++) await put(writer, `k${String(i).padStart(3, '0')}`, `v${i}`);
    // With --snapshot-count 50 the leader compacts: its log must now start after everything the lagging node holds,
    // so replaying the log cannot catch it up.
    const committed = await metric(writer, 'raftkv_proposals_committed_total');
    const kept = await metric(writer, 'raftkv_raft_log_entries');
    expect(committed - kept + 1, 'first index of the leader\'s log').to.be.greaterThan(laggingApplied + 1);

    cluster.start(lagging.name);
    await converged();
    const contents = await localContents(lagging.clientUrl);
    expect(contents.size).to.equal(300);
    expect(contents.get('k000')).to.equal('v0');
    expect(contents.get('k299')).to.equal('v299');
  });

  it('keeps every acknowledged write when the whole cluster is stopped and started again', async () => {
    const acknowledged = new Map<string, string>();
    for (let i = 0; i < 60; i++) {
      const node = cluster.nodes[i % 3]!;
      await put(node.clientUrl, `w${i}`, `value-${i}`);
      acknowledged.set(`w${i}`, `value-${i}`);
    }
    for (const n of cluster.nodes) await cluster.kill(n.name);
    cluster.startAll();
    await leaderName();
    await converged();
    for (const n of cluster.nodes) {
      const contents = await localContents(n.clientUrl);
      for (const [key, value] of acknowledged) expect(contents.get(key), `${key} on ${n.name}`).to.equal(value);
    }
  });
});
