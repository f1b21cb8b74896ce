/**
 * Issue 8's multi-process proof on real `raftkv` processes: a watch on a follower survives a kill -9 of the leader and
 * resumes on another node at last+1 with no gap or duplicate; a lease's keys vanish on every node after the TTL and not
 * before; keep-alives across a leader kill keep the keys alive.
 */
import http from 'node:http';
import { expect } from 'chai';
import { ClusterProcesses } from '../faults/cluster-processes.js';
import { b64, call, leaderName as agreedLeader, REQUEST_MS, until } from './process-cluster.js';

/** A put retried until acknowledged (an election may be under way); returns the revision it got. */
const putSurely = (endpoint: string, key: string, value: string, lease?: string): Promise<number> =>
  until(`put ${key}`, async () => Number((await call(endpoint, '/v3/kv/put', { key: b64(key), value: b64(value), lease })).header.revision));

/** Whether a node holds `key` in its own applied state (a serializable read, answered locally). */
async function holds(endpoint: string, key: string): Promise<boolean> {
  const answer = await call(endpoint, '/v3/kv/range', { key: b64(key), serializable: true });
  return (answer.kvs ?? []).length === 1;
}

/** An open POST /v3/watch stream collecting the revision of every event, in arrival order. */
class WatchStream {
  readonly revisions: number[] = [];
  readonly created: Promise<void>;
  private readonly request: http.ClientRequest;

  constructor(endpoint: string, createRequest: object) {
    let onCreated!: () => void;
    let onFailed!: (err: Error) => void;
    this.created = new Promise((resolve, reject) => ((onCreated = resolve), (onFailed = reject)));
    this.request = http.request(new URL('/v3/watch', endpoint), { method: 'POST', agent: false });
    this.request.on('error', (err) => onFailed(err));
    this.request.on('response', (res) => {
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line === '') continue;
          const result = JSON.parse(line).result ?? {};
          if (result.created === true) onCreated();
          for (const event of result.events ?? []) this.revisions.push(Number(event.kv.mod_revision));
        }
      });
      res.on('error', () => undefined);
    });
    this.request.end(JSON.stringify({ create_request: createRequest }));
  }

  close(): void {
    this.request.destroy();
  }
}

/** One keep-alive round on one node: resolves with the TTL the answer grants (0 when the lease is gone). */
function keepAliveOnce(endpoint: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL('/v3/lease/keepalive', endpoint), { method: 'POST', agent: false });
    const timer = setTimeout(() => (request.destroy(), reject(new Error('keepalive: no answer'))), REQUEST_MS);
    request.on('error', (err) => (clearTimeout(timer), reject(err)));
    request.on('response', (res) => {
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        const newline = pending.indexOf('\n');
        const line = newline >= 0 ? pending.slice(0, newline) : pending;
        try {
          const result = JSON.parse(line).result ?? {};
          clearTimeout(timer);
          request.destroy();
          resolve(Number(result.TTL ?? 0));
        } catch {
          // not a whole message yet
        }
      });
      res.on('error', () => undefined);
    });
    request.end(JSON.stringify({ ID: id }));
  });
}

describe('watch and leases on a 3-node cluster of real processes', function () {
  this.timeout(120_000);
  let cluster: ClusterProcesses;

  const leaderName = (): Promise<string> => agreedLeader(cluster);

  beforeEach(async () => {
    cluster = await ClusterProcesses.create({ nodes: 3, heartbeatMs: 50, electionMs: 500 });
    cluster.startAll();
    await leaderName();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') for (const n of cluster.nodes) console.log(`--- ${n.name} log\n${cluster.logTail(n.name)}`);
    await cluster.destroy();
  });

  it('keeps a follower\'s watch through a kill -9 of the leader, then resumes elsewhere at last+1 with no gap or duplicate', async () => {
    const leader = await leaderName();
    const [watched, writer] = cluster.nodes.filter((n) => n.name !== leader);
    const acknowledged: number[] = [];
    const writeBatch = async (from: number, count: number): Promise<void> => {
      for (let i = from; i < from + count; i++) acknowledged.push(await putSurely(writer!.clientUrl, `w/${i}`, `v${i}`));
    };

    const first = new WatchStream(watched!.clientUrl, { key: b64('w/'), range_end: b64('w0') });
    await first.created;
    await writeBatch(0, 15);
    await cluster.kill(leader);
    await writeBatch(15, 15); // through the election: the watch on the follower must miss nothing
    await until('the follower watch to see every write so far', async () => (first.revisions.length >= 30 ? true : undefined));
    const lastSeen = first.revisions[first.revisions.length - 1]!;
    first.close();

    cluster.start(leader);
    await leaderName();
    await writeBatch(30, 10);
    const resumed = new WatchStream(writer!.clientUrl, { key: b64('w/'), range_end: b64('w0'), start_revision: lastSeen + 1 });
    await until('the resumed watch to catch up', async () => (resumed.revisions.length >= 10 ? true : undefined));
    resumed.close();

    const seen = [...first.revisions, ...resumed.revisions];
    expect(new Set(seen).size, 'no event twice').to.equal(seen.length);
    for (let i = 1; i < seen.length; i++) expect(seen[i], `revision after ${seen[i - 1]}`).to.equal(seen[i - 1]! + 1);
    expect(seen).to.include.members(acknowledged);
    expect(seen[seen.length - 1]).to.equal(acknowledged[acknowledged.length - 1]);
  });

  it("removes a lease's keys on every node after its TTL, and not before", async () => {
    const leader = await leaderName();
    const follower = cluster.nodes.find((n) => n.name !== leader)!;
    const ttlSeconds = 3;
    const grantedAt = Date.now();
    const { ID: id } = await call(follower.clientUrl, '/v3/lease/grant', { TTL: ttlSeconds });
    await putSurely(follower.clientUrl, 'lease/k', 'v', id);
    await until('the key on every node', async () =>
      (await Promise.all(cluster.nodes.map((n) => holds(n.clientUrl, 'lease/k')))).every(Boolean) ? true : undefined);

    const halfway = grantedAt + (ttlSeconds * 1000) / 2;
    if (Date.now() < halfway) await new Promise((r) => setTimeout(r, halfway - Date.now()));
    const atHalfTtl = await Promise.all(cluster.nodes.map((n) => holds(n.clientUrl, 'lease/k')));
    expect(atHalfTtl, 'present on every node at half the TTL').to.deep.equal([true, true, true]);

    await until('the key gone from every node', async () =>
      (await Promise.all(cluster.nodes.map((n) => holds(n.clientUrl, 'lease/k')))).some(Boolean) ? undefined : true);
    expect(Date.now() - grantedAt, 'gone no earlier than the TTL').to.be.at.least(ttlSeconds * 1000);
  });

  it('keeps leased keys alive with keep-alives across a kill -9 of the leader, and lets them expire once they stop', async () => {
    const leader = await leaderName();
    const survivor = cluster.nodes.find((n) => n.name !== leader)!;
    const ttlSeconds = 3;
    const { ID: id } = await call(survivor.clientUrl, '/v3/lease/grant', { TTL: ttlSeconds });
    await putSurely(survivor.clientUrl, 'alive/k', 'v', id);

    let keepingAlive = true;
    let renewed = 0;
    const keepAlives = (async () => {
      while (keepingAlive) {
        // A keep-alive during the election may fail; the next round, 700 ms later, is still well inside the TTL.
        if ((await keepAliveOnce(survivor.clientUrl, id).catch(() => 0)) === ttlSeconds) renewed++;
        await new Promise((r) => setTimeout(r, 700));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 1000));
      await cluster.kill(leader);
      await leaderName();
      // Three TTLs after the grant, the key lives only because keep-alives reached the new leader.
      await new Promise((r) => setTimeout(r, 3 * ttlSeconds * 1000));
      const live = cluster.nodes.filter((n) => n.state === 'running');
      expect(await Promise.all(live.map((n) => holds(n.clientUrl, 'alive/k'))), 'alive on every live node').to.deep.equal([true, true]);
      expect(renewed).to.be.greaterThan(3);
    } finally {
      keepingAlive = false;
      await keepAlives;
    }
    const live = cluster.nodes.filter((n) => n.state === 'running');
    await until('the key to expire once keep-alives stopped', async () =>
      (await Promise.all(live.map((n) => holds(n.clientUrl, 'alive/k')))).some(Boolean) ? undefined : true);
  });
});
