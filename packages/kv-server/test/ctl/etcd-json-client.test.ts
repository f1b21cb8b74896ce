import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { EtcdJsonClient, EtcdRequestError, NoEndpointReachableError } from '../../src/ctl/etcd-json-client.js';
import { HEADER, b64, refusedUrl, startFakeEtcd, type FakeEtcd } from './fake-etcd.js';

describe('EtcdJsonClient endpoint failover', () => {
  const servers: FakeEtcd[] = [];
  const clients: EtcdJsonClient[] = [];
  const serve = async (handler: Parameters<typeof startFakeEtcd>[0]): Promise<FakeEtcd> => {
    const server = await startFakeEtcd(handler);
    servers.push(server);
    return server;
  };
  const client = (endpoints: string[], commandTimeoutMs = 5000, attemptTimeoutMs = 2000): EtcdJsonClient => {
    const c = new EtcdJsonClient({ endpoints, commandTimeoutMs, attemptTimeoutMs });
    clients.push(c);
    return c;
  };
  const ok = (): [number, unknown] => [200, { header: HEADER, kvs: [{ key: b64('a'), value: b64('1'), version: '1' }], count: '1' }];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('sends the request to the next endpoint when the first refuses connections', async () => {
    const live = await serve(ok);
    const c = client([await refusedUrl(), live.url]);
    const resp = await c.range({ key: Buffer.from('a') });
    expect(resp.kvs[0]!.value.toString()).to.equal('1');
    expect(live.requests).to.have.length(1);
    expect(live.requests[0]).to.deep.include({ method: 'POST', path: '/v3/kv/range', body: { key: 'YQ==' } });
  });

  it('gives up on a silent endpoint after the attempt timeout and uses the next one', async () => {
    const silent = await serve(() => undefined);
    const live = await serve(ok);
    const c = client([silent.url, live.url], 10_000, 300);
    const resp = await c.range({ key: Buffer.from('a') });
    expect(resp.count).to.equal(1);
    expect(silent.requests).to.have.length(1);
    expect(live.requests).to.have.length(1);
  });

  it('treats an answer cut off mid-body as a down endpoint and uses the next one', async () => {
    const cutting = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"header":');
      setImmediate(() => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => cutting.listen(0, '127.0.0.1', resolve));
    try {
      const live = await serve(ok);
      const c = client([`http://127.0.0.1:${(cutting.address() as AddressInfo).port}`, live.url]);
      expect((await c.range({ key: Buffer.from('a') })).count).to.equal(1);
      expect(live.requests).to.have.length(1);
    } finally {
      cutting.closeAllConnections();
      await new Promise<void>((resolve) => cutting.close(() => resolve()));
    }
  });

  it('keeps using the endpoint that answered last', async () => {
    const live = await serve(ok);
    const c = client([await refusedUrl(), live.url]);
    await c.range({ key: Buffer.from('a') });
    await c.range({ key: Buffer.from('a') });
    expect(live.requests).to.have.length(2);
  });

  it('reports every endpoint when none can be reached', async () => {
    const down = [await refusedUrl(), await refusedUrl()];
    const err = await client(down).range({ key: Buffer.from('a') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(NoEndpointReachableError);
    expect((err as NoEndpointReachableError).failures).to.have.length(2);
    expect((err as Error).message).to.contain('ECONNREFUSED');
  });

  it('raises the server\'s error text and gRPC code without trying other endpoints', async () => {
    const failing = await serve(() => [400, { error: 'etcdserver: mvcc: required revision is a future revision', code: 11 }]);
    const other = await serve(ok);
    const err = await client([failing.url, other.url]).range({ key: Buffer.from('a'), revision: 100 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(EtcdRequestError);
    expect((err as EtcdRequestError).code).to.equal(11);
    expect((err as EtcdRequestError).httpStatus).to.equal(400);
    expect((err as Error).message).to.equal('etcdserver: mvcc: required revision is a future revision');
    expect(other.requests).to.have.length(0);
  });

  it('tries another endpoint when a node answers Unavailable (no leader)', async () => {
    const leaderless = await serve(() => [503, { error: 'etcdserver: no leader', code: 14 }]);
    const live = await serve(() => [200, { header: HEADER }]);
    const resp = await client([leaderless.url, live.url]).put({ key: Buffer.from('k'), value: Buffer.from('v') });
    expect(resp.header.revision).to.equal(7);
    expect(live.requests[0]!.body).to.deep.equal({ key: b64('k'), value: b64('v') });
  });

  it('does not resend a write after "leader changed": it may have been applied', async () => {
    const changed = await serve(() => [503, { error: 'etcdserver: leader changed', code: 14 }]);
    const other = await serve(() => [200, { header: HEADER }]);
    const c = client([changed.url, other.url]);
    const err = await c.put({ key: Buffer.from('k'), value: Buffer.from('v') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(EtcdRequestError);
    expect((err as Error).message).to.equal('etcdserver: leader changed');
    expect(other.requests).to.have.length(0);
    // A read changes nothing, so it moves on.
    await c.range({ key: Buffer.from('k') });
    expect(other.requests).to.have.length(1);
  });

  it('reports health per endpoint without throwing', async () => {
    const healthy = await serve(() => [200, { health: 'true' }]);
    const c = client([healthy.url]);
    expect(await c.health(healthy.url)).to.include({ health: true });
    const down = await c.health(await refusedUrl());
    expect(down.health).to.equal(false);
    expect(down.error).to.contain('ECONNREFUSED');
  });

  it('accepts host:port endpoints and rejects other schemes', () => {
    expect(client(['127.0.0.1:2379']).endpoints).to.deep.equal(['http://127.0.0.1:2379']);
    expect(() => new EtcdJsonClient({ endpoints: ['https://127.0.0.1:2379'] })).to.throw(/only http/);
    expect(() => new EtcdJsonClient({ endpoints: [] })).to.throw(/at least one/);
  });
});
