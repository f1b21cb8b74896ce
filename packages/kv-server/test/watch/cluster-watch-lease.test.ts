import { expect } from 'chai';
import type { ServerHandle } from '../../src/server.js';
import { b64, JsonLineStream, post, startCluster, unb64, until, type TestCluster } from '../support/server-cluster.js';

/** A put retried (with one Idempotency-Key) until it succeeds, so a leader change never makes its fate unknown. */
async function putSurely(node: ServerHandle, key: string, value: string, extra: object = {}): Promise<number> {
  const idempotencyKey = `${key}=${value}:${Math.random()}`;
  return until(async () => {
    try {
      const r = await post(node.clientUrls[0]!, '/v3/kv/put', { key: b64(key), value: b64(value), ...extra }, { 'Idempotency-Key': idempotencyKey });
      return r.status === 200 ? Number(r.json.header.revision) : undefined;
    } catch {
      return undefined; // connection trouble: try again
    }
  }, `put ${key}`);
}

/** The key's value on this node from its own applied state (no leader needed). */
async function localValue(node: ServerHandle, key: string): Promise<string | undefined> {
  const r = await post(node.clientUrls[0]!, '/v3/kv/range', { key: b64(key), serializable: true });
  return r.json.kvs === undefined ? undefined : unb64(r.json.kvs[0].value);
}

const eventsIn = (messages: any[]) => messages.flatMap((m) => (m.result.events ?? []) as any[]);

describe('watch and leases on a 3-node cluster (in-process, TCP)', function () {
  this.timeout(120000);
  let cluster: TestCluster;
  const streams: JsonLineStream[] = [];
  before(async () => (cluster = await startCluster(3)));
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  after(async () => cluster.close());

  it("deletes a lease's keys on every node after its TTL, not before, in one revision", async () => {
    const [f1, f2] = cluster.followers();
    const watch = await JsonLineStream.open(f2!.clientUrls[0]!, '/v3/watch', { create_request: { key: b64('lease/'), range_end: b64('lease0') } });
    streams.push(watch);
    await watch.take(1, 'created');
    const grantedFrom = Date.now();
    const grant = await post(f1!.clientUrls[0]!, '/v3/lease/grant', { TTL: 2 });
    expect(grant.status, JSON.stringify(grant.json)).to.equal(200);
    expect(grant.json.TTL).to.equal('2');
    const id = grant.json.ID as string;
    await putSurely(f1!, 'lease/a', '1', { lease: id });
    await putSurely(cluster.leader(), 'lease/b', '1', { lease: id });
    const ttl = await post(f2!.clientUrls[0]!, '/v3/lease/timetolive', { ID: id, keys: true });
    expect(ttl.json.grantedTTL).to.equal('2');
    expect(ttl.json.keys).to.deep.equal([b64('lease/a'), b64('lease/b')]);

    // Each node: when did the keys vanish from its own applied state?
    const vanishedAt = await Promise.all(
      cluster.nodes.map((n) =>
        until(async () => ((await localValue(n, 'lease/a')) === undefined && (await localValue(n, 'lease/b')) === undefined ? Date.now() : undefined), `keys gone on ${n.config.name}`),
      ),
    );
    for (const t of vanishedAt) expect(t - grantedFrom).to.be.at.least(2000);

    const [, , , deleted] = await watch.take(4, 'created, the two puts and the revoke');
    const deletes = deleted.result.events as any[];
    expect(deletes.map((e) => [e.type, unb64(e.kv.key)])).to.deep.equal([['DELETE', 'lease/a'], ['DELETE', 'lease/b']]);
    const deleteRevision = Number(deletes[0].kv.mod_revision);
    for (const n of cluster.nodes) {
      const before = await post(n.clientUrls[0]!, '/v3/kv/range', { key: b64('lease/a'), revision: deleteRevision - 1, serializable: true });
      const at = await post(n.clientUrls[0]!, '/v3/kv/range', { key: b64('lease/a'), revision: deleteRevision, serializable: true });
      expect(before.json.kvs, n.config.name).to.have.length(1);
      expect(at.json.kvs, n.config.name).to.equal(undefined);
    }
    const gone = await post(f1!.clientUrls[0]!, '/v3/lease/timetolive', { ID: id });
    expect(gone.json.TTL).to.equal('-1');
  });

  it('keeps a kept-alive lease through leader changes, and lets it expire once the keepalives stop', async () => {
    const grant = await post(cluster.followers()[0]!.clientUrls[0]!, '/v3/lease/grant', { TTL: 3 });
    const id = grant.json.ID as string;
    await putSurely(cluster.leader(), 'kept', 'alive', { lease: id });
    let keepingAlive = true;
    let renewals = 0;
    const keepAliveLoop = (async () => {
      while (keepingAlive) {
        const via = cluster.followers()[0] ?? cluster.nodes[0]!;
        try {
          const r = await JsonLineStream.open(via.clientUrls[0]!, '/v3/lease/keepalive', { ID: id });
          const [answer] = await r.take(1, 'keepalive answer', 10000);
          if (answer.result?.TTL === '3') renewals++;
        } catch {
          // a leader change in flight: the next round retries
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    try {
      for (let change = 0; change < 2; change++) {
        const old = cluster.leader();
        await old.raft.transferLeadership();
        await until(() => (cluster.leader() !== undefined && cluster.leader() !== old ? true : undefined), 'a new leader');
        const from = renewals;
        await until(() => (renewals >= from + 3 ? true : undefined), 'renewals under the new leader');
      }
      for (const n of cluster.nodes) expect(await localValue(n, 'kept'), n.config.name).to.equal('alive');
    } finally {
      keepingAlive = false;
      await keepAliveLoop;
    }
    await Promise.all(cluster.nodes.map((n) => until(async () => ((await localValue(n, 'kept')) === undefined ? true : undefined), 'expiry after keepalives stop')));
  });

  it('keeps a watch on a follower gap-free while the leader is cut off mid-stream (as if it died), then healed', async () => {
    const [watched, writer] = cluster.followers();
    const old = cluster.leader();
    const stream = await JsonLineStream.open(watched!.clientUrls[0]!, '/v3/watch', { create_request: { key: b64('cut/'), range_end: b64('cut0') } });
    streams.push(stream);
    await stream.take(1, 'created');
    const written: number[] = [];
    const isolate = (plan: { seed: number; partitions: Array<[string, string]> } | null) => cluster.nodes.forEach((n) => n.raft.setFaultPlan(plan));
    try {
      for (let i = 0; i < 16; i++) {
        written.push(await putSurely(writer!, `cut/${i % 4}`, `v${i}`));
        if (i === 5) isolate({ seed: 1, partitions: cluster.nodes.filter((n) => n !== old).map((n) => [old.config.name, n.config.name]) });
      }
      await until(() => (eventsIn(stream.messages).length >= 16 ? true : undefined), 'every write on the watching follower');
      expect(eventsIn(stream.messages).map((e) => Number(e.kv.mod_revision))).to.deep.equal(written);
    } finally {
      isolate(null);
    }
    await until(() => (new Set(cluster.nodes.map((n) => n.raft.status().leader)).size === 1 ? true : undefined), 'the healed node to follow the leader');
  });

  it('serves a watch on a follower through a leader stop; a watch resumed elsewhere at last+1 misses and repeats nothing', async () => {
    const [watched, writer] = cluster.followers();
    const first = await JsonLineStream.open(watched!.clientUrls[0]!, '/v3/watch', { create_request: { key: b64('w/'), range_end: b64('w0'), prev_kv: true } });
    streams.push(first);
    await first.take(1, 'created');
    const written: number[] = [];
    // The leader stops while writes are in flight; the writes go on through the new leader.
    let stopping: Promise<void> | undefined;
    for (let i = 0; i < 20; i++) {
      written.push(await putSurely(writer!, `w/${i % 3}`, `v${i}`));
      if (i === 4) stopping = cluster.leader().close();
    }
    await stopping;
    await until(() => (eventsIn(first.messages).length >= 20 ? true : undefined), 'the first 20 events on the watching follower');
    const seenFirst = eventsIn(first.messages);
    first.close();

    const last = Number(seenFirst.at(-1).kv.mod_revision);
    for (let i = 20; i < 30; i++) written.push(await putSurely(writer!, `w/${i % 3}`, `v${i}`));
    const resumed = await JsonLineStream.open(writer!.clientUrls[0]!, '/v3/watch', { create_request: { key: b64('w/'), range_end: b64('w0'), start_revision: last + 1 } });
    streams.push(resumed);
    await until(() => (eventsIn(resumed.messages).length >= 10 ? true : undefined), 'the resumed events');

    const all = [...seenFirst, ...eventsIn(resumed.messages)];
    expect(all.map((e) => Number(e.kv.mod_revision))).to.deep.equal(written);
    expect(all.map((e) => unb64(e.kv.value))).to.deep.equal(written.map((_, i) => `v${i}`));
    // prev_kv was asked for on the first stream: from the fourth write on, each event carries the value it replaced.
    expect(seenFirst.slice(3).map((e) => unb64(e.prev_kv?.value))).to.deep.equal(seenFirst.slice(3).map((_, i) => `v${i}`));
  });
});
