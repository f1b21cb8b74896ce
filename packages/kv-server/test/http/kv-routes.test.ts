import { expect } from 'chai';
import { b64, startTestApi, type TestApi } from './harness.js';

describe('HTTP: /v3/kv routes (fake raft, stub store)', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi();
  });
  afterEach(async () => {
    await t.close();
  });

  it('answers a put with only a header whose 64-bit fields are decimal strings', async () => {
    const res = await t.post('/v3/kv/put', { key: b64('a'), value: b64('1') });
    expect(res.status).to.equal(200);
    expect(Object.keys(res.json)).to.deep.equal(['header']);
    expect(res.json.header).to.deep.equal({
      cluster_id: t.api.identity.clusterId.toString(),
      member_id: t.api.identity.memberId.toString(),
      revision: '2',
      raft_term: '1',
    });
  });

  it('reads back a put with range, kvs and count, accepting camelCase and string numbers', async () => {
    await t.post('/v3/kv/put', { key: b64('a'), value: b64('1') });
    await t.post('/v3/kv/put', { key: b64('b'), value: b64('2'), prevKv: true });
    const res = await t.post('/v3/kv/range', { key: b64('a'), rangeEnd: b64('c'), limit: '1' });
    expect(res.status).to.equal(200);
    expect(res.json.kvs).to.deep.equal([{ key: b64('a'), create_revision: '2', mod_revision: '2', version: '1', value: b64('1') }]);
    expect(res.json.more).to.equal(true);
    expect(res.json.count).to.equal('2');
  });

  it('leaves out kvs and count when a range finds nothing', async () => {
    const res = await t.post('/v3/kv/range', { key: b64('none') });
    expect(res.status).to.equal(200);
    expect(Object.keys(res.json)).to.deep.equal(['header']);
  });

  it('returns prev_kv on put and prev_kvs with deleted on deleterange', async () => {
    await t.post('/v3/kv/put', { key: b64('a'), value: b64('1') });
    const put = await t.post('/v3/kv/put', { key: b64('a'), value: b64('2'), prev_kv: true });
    expect(put.json.prev_kv).to.deep.equal({ key: b64('a'), create_revision: '2', mod_revision: '2', version: '1', value: b64('1') });
    const del = await t.post('/v3/kv/deleterange', { key: b64('a'), prev_kv: true });
    expect(del.json.deleted).to.equal('1');
    expect(del.json.prev_kvs[0].value).to.equal(b64('2'));
    expect(del.json.header.revision).to.equal('4');
  });

  it('gives each txn op a header with the revision it saw, and an empty header to a nested txn', async () => {
    await t.post('/v3/kv/put', { key: b64('a'), value: b64('1') });
    const res = await t.post('/v3/kv/txn', {
      compare: [{ key: b64('a'), target: 'VALUE', result: 'EQUAL', value: b64('1') }],
      success: [
        { request_range: { key: b64('a') } },
        { request_put: { key: b64('b'), value: b64('2') } },
        { request_txn: {} },
      ],
    });
    expect(res.status).to.equal(200);
    expect(res.json.succeeded).to.equal(true);
    expect(res.json.header.revision).to.equal('3');
    expect(res.json.responses[0].response_range.header).to.deep.equal({ revision: '2' });
    expect(res.json.responses[1]).to.deep.equal({ response_put: { header: { revision: '3' } } });
    expect(res.json.responses[2]).to.deep.equal({ response_txn: { header: {}, succeeded: true } });
  });

  it('leaves succeeded out when the compare fails and runs the failure branch', async () => {
    const res = await t.post('/v3/kv/txn', {
      compare: [{ key: b64('a'), target: 1, result: 'GREATER', create_revision: '0' }],
      failure: [{ requestPut: { key: b64('x'), value: b64('y') } }],
    });
    expect(res.status).to.equal(200);
    expect(res.json).to.not.have.property('succeeded');
    expect(res.json.responses).to.have.length(1);
  });

  it('answers compaction with a header and a future revision with code 11', async () => {
    const ok = await t.post('/v3/kv/compaction', { revision: 1 });
    expect(ok.status).to.equal(200);
    expect(Object.keys(ok.json)).to.deep.equal(['header']);
    const future = await t.post('/v3/kv/compaction', { revision: '100' });
    expect(future.status).to.equal(400);
    expect(future.json).to.deep.equal({
      error: 'etcdserver: mvcc: required revision is a future revision',
      message: 'etcdserver: mvcc: required revision is a future revision',
      code: 11,
    });
  });

  it("refuses bad requests with etcd's texts and codes", async () => {
    const cases: Array<[string, unknown, number, number, string]> = [
      ['/v3/kv/put', { key: '', value: b64('1') }, 400, 3, 'etcdserver: key is not provided'],
      ['/v3/kv/range', '', 400, 3, 'etcdserver: key is not provided'],
      ['/v3/kv/range', { key: 'YQ=' }, 400, 3, 'illegal base64 data at input byte 3'],
      ['/v3/kv/range', { key: 'YQ' }, 400, 3, 'illegal base64 data at input byte 0'],
      ['/v3/kv/range', { key: 'YQ-_' }, 400, 3, 'illegal base64 data at input byte 2'],
      ['/v3/kv/range', { key: 5 }, 400, 3, 'json: cannot unmarshal number into Go value of type []uint8'],
      ['/v3/kv/range', '[]', 400, 3, 'json: cannot unmarshal array into Go value of type map[string]json.RawMessage'],
      ['/v3/kv/range', { key: b64('a'), revision: 1.5 }, 400, 3, 'json: cannot unmarshal number 1.5 into Go value of type int64'],
      ['/v3/kv/range', { key: b64('a'), keys_only: 1 }, 400, 3, 'json: cannot unmarshal number into Go value of type bool'],
      ['/v3/kv/range', { key: b64('a'), sort_order: 'FOO' }, 400, 3, 'unknown value "FOO" for enum etcdserverpb.RangeRequest_SortOrder'],
      ['/v3/kv/put', { key: b64('a'), ignore_value: true, value: b64('1') }, 400, 3, 'etcdserver: value is provided'],
      ['/v3/kv/put', { key: b64('a'), ignore_lease: true, lease: 5 }, 400, 3, 'etcdserver: lease is provided'],
      ['/v3/kv/deleterange', {}, 400, 3, 'etcdserver: key is not provided'],
      ['/v3/kv/txn', { success: [{}] }, 400, 3, 'etcdserver: key not found'],
      [
        '/v3/kv/txn',
        { success: [{ request_put: { key: b64('a') } }, { request_put: { key: b64('a') } }] },
        400,
        3,
        'etcdserver: duplicate key given in txn request',
      ],
      [
        '/v3/kv/txn',
        { success: Array.from({ length: 129 }, () => ({ request_range: { key: b64('a') } })) },
        400,
        3,
        'etcdserver: too many operations in txn request',
      ],
    ];
    for (const [path, body, status, code, error] of cases) {
      const res = await t.post(path, body);
      expect({ path, body, status: res.status, json: res.json }).to.deep.equal({ path, body, status, json: { error, message: error, code } });
    }
  });

  it('ignores unknown fields and treats null as unset', async () => {
    const res = await t.post('/v3/kv/put', { key: b64('a'), value: null, unknown_field: { deep: [1, 2] } });
    expect(res.status).to.equal(200);
    const read = await t.post('/v3/kv/range', { key: b64('a') });
    expect(read.json.kvs[0]).to.not.have.property('value');
  });

  it('answers 405 to a GET on a POST route and 404 to an unknown route', async () => {
    const get = await fetch(`${t.url}/v3/kv/range`);
    expect(get.status).to.equal(405);
    expect(await get.text()).to.equal('Method Not Allowed\n');
    const missing = await fetch(`${t.url}/v3/kv/nope`, { method: 'POST', body: '{}' });
    expect(missing.status).to.equal(404);
  });

  it('serves a serializable range without a read index and a default range with one', async () => {
    await t.post('/v3/kv/range', { key: b64('a'), serializable: true });
    expect(t.raft.readIndexCalls).to.equal(0);
    await t.post('/v3/kv/range', { key: b64('a') });
    expect(t.raft.readIndexCalls).to.equal(1);
  });
});

describe('HTTP: request size limits', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ maxRequestBytes: 1024 });
  });
  after(async () => {
    await t.close();
  });

  it("refuses a write over --max-request-bytes with etcd's 'request is too large'", async () => {
    const res = await t.post('/v3/kv/put', { key: b64('a'), value: Buffer.alloc(2000).toString('base64') });
    expect(res.status).to.equal(400);
    expect(res.json).to.deep.equal({ error: 'etcdserver: request is too large', message: 'etcdserver: request is too large', code: 3 });
  });

  it('accepts a write just under the limit', async () => {
    const res = await t.post('/v3/kv/put', { key: b64('a'), value: Buffer.alloc(900).toString('base64') });
    expect(res.status).to.equal(200);
  });

  it('refuses a body beyond the gRPC limit with 429 code 8', async () => {
    const res = await t.post('/v3/kv/put', { key: b64('a'), value: Buffer.alloc(800 * 1024).toString('base64') });
    expect(res.status).to.equal(429);
    expect(res.json.code).to.equal(8);
    expect(res.json.error).to.match(/^grpc: received message larger than max \(\d+ vs\. 525312\)$/);
  });
});
