import { expect } from 'chai';
import { b64, startTestApi, type TestApi } from './harness.js';

describe('HTTP: maintenance, cluster, health, version, metrics', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi();
  });
  afterEach(async () => {
    await t.close();
  });

  it("answers maintenance/status in etcd's mixed field naming, with the leader's member id", async () => {
    await t.post('/v3/kv/put', { key: b64('a'), value: b64('1') });
    const res = await t.post('/v3/maintenance/status', {});
    expect(res.status).to.equal(200);
    expect(res.json.version).to.equal('3.4.23');
    expect(res.json.leader).to.equal(t.api.identity.memberId.toString());
    expect(res.json.raftIndex).to.equal('1');
    expect(res.json.raftAppliedIndex).to.equal('1');
    expect(res.json.raftTerm).to.equal('1');
    expect(res.json.header.revision).to.equal('2');
  });

  it('lists members with ID, name, peerURLs, clientURLs and a header without revision', async () => {
    const res = await t.post('/v3/cluster/member/list', {});
    expect(res.json.header).to.not.have.property('revision');
    expect(res.json.members).to.deep.equal([
      { ID: t.api.identity.memberId.toString(), name: 'n1', peerURLs: ['http://127.0.0.1:2380'], clientURLs: ['http://127.0.0.1:2379'] },
    ]);
  });

  it('reports health true with a leader and false (503) without one', async () => {
    const healthy = await fetch(`${t.url}/health`);
    expect([healthy.status, await healthy.text()]).to.deep.equal([200, '{"health":"true"}']);
    t.raft.setLeader(null);
    const sick = await fetch(`${t.url}/health`);
    expect([sick.status, await sick.text()]).to.deep.equal([503, '{"health":"false"}']);
  });

  it("answers /version as etcd 3.4's and a POST to /health with 405", async () => {
    expect(await (await fetch(`${t.url}/version`)).json()).to.deep.equal({ etcdserver: '3.4.23', etcdcluster: '3.4.0' });
    expect((await fetch(`${t.url}/health`, { method: 'POST' })).status).to.equal(405);
  });

  it('exposes request counts by route, proposal outcomes and raft gauges on /metrics', async () => {
    await t.post('/v3/kv/put', { key: b64('a'), value: b64('1') });
    await t.post('/v3/kv/put', { key: '', value: b64('1') });
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).to.match(/raftkv_http_requests_total\{route="\/v3\/kv\/put",method="POST",status="200"\} 1/);
    expect(text).to.match(/raftkv_http_requests_total\{route="\/v3\/kv\/put",method="POST",status="400"\} 1/);
    expect(text).to.match(/raftkv_http_request_duration_seconds_count\{route="\/v3\/kv\/put",method="POST"\} 2/);
    expect(text).to.match(/raftkv_proposals_applied_total 1/);
    expect(text).to.match(/raftkv_raft_term 1/);
    expect(text).to.match(/raftkv_is_leader 1/);
  });

  it("histograms the Raft log's synced writes as etcd does its WAL fsyncs, with two finer buckets", async () => {
    t.raft.reportLogSave(0.0007);
    t.raft.reportLogSave(0.003);
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).to.match(/raftkv_disk_log_save_duration_seconds_bucket\{le="0.0005"\} 0\n/);
    expect(text).to.match(/raftkv_disk_log_save_duration_seconds_bucket\{le="0.001"\} 1\n/);
    expect(text).to.match(/raftkv_disk_log_save_duration_seconds_bucket\{le="0.002"\} 1\n/);
    expect(text).to.match(/raftkv_disk_log_save_duration_seconds_bucket\{le="0.004"\} 2\n/);
    expect(text).to.match(/raftkv_disk_log_save_duration_seconds_bucket\{le="8.192"\} 2\n/);
    expect(text).to.match(/raftkv_disk_log_save_duration_seconds_count 2\n/);
  });
});

describe('HTTP: curl-friendly /kv/<key>', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(async () => {
    await t.close();
  });

  it('puts a raw body, reads it back raw, deletes it, then answers 404', async () => {
    const put = await fetch(`${t.url}/kv/dir/my%20key`, { method: 'PUT', body: 'hello\0world' });
    expect(put.status).to.equal(200);
    expect(((await put.json()) as any).header.revision).to.equal('2');
    const get = await fetch(`${t.url}/kv/dir/my%20key`);
    expect(get.status).to.equal(200);
    expect(Buffer.from(await get.arrayBuffer()).toString()).to.equal('hello\0world');
    const range = await t.post('/v3/kv/range', { key: b64('dir/my key') });
    expect(range.json.count).to.equal('1');
    const del = await fetch(`${t.url}/kv/dir/my%20key`, { method: 'DELETE' });
    expect(((await del.json()) as any).deleted).to.equal('1');
    const gone = await fetch(`${t.url}/kv/dir/my%20key?serializable=true`);
    expect(gone.status).to.equal(404);
    expect(((await gone.json()) as any).code).to.equal(5);
  });

  it('refuses a malformed percent-encoding with 400', async () => {
    const res = await fetch(`${t.url}/kv/%E0%A4%A`);
    expect(res.status).to.equal(400);
    expect(((await res.json()) as any).code).to.equal(3);
  });
});

describe('HTTP: POST /raftkv/fault', () => {
  it('is refused with 403 when fault injection is off', async () => {
    const t = await startTestApi();
    try {
      const res = await t.post('/raftkv/fault', { seed: 1 });
      expect(res.status).to.equal(403);
      expect(res.json.code).to.equal(7);
    } finally {
      await t.close();
    }
  });

  it('hands a valid plan to the transport when on, and refuses a malformed one', async () => {
    const t = await startTestApi({ faultInjection: true });
    try {
      const plan = { seed: 3, default: { dropRate: 0.5 }, partitions: [['n1', 'n2']] };
      expect((await t.post('/raftkv/fault', plan)).status).to.equal(200);
      expect((await t.post('/raftkv/fault', { seed: 3, default: { dropRate: 2 } })).status).to.equal(400);
      expect((await t.post('/raftkv/fault', { plan: null })).status).to.equal(200);
      expect(t.faultPlans).to.deep.equal([plan, null]);
    } finally {
      await t.close();
    }
  });
});
