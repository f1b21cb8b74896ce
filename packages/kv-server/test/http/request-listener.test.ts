import { expect } from 'chai';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { KV_REQUEST_TRACE_CHANNEL, type KvRequestTraceEvent } from '../../src/http/request-trace.js';
import { b64, startTestApi, type TestApi } from './harness.js';

/** The fast path (an exact POST /v3/kv/… path) and the koa app (the same path with a query string) must answer alike. */
describe('HTTP: the fast path for the KV routes answers as the koa app does', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi({ maxRequestBytes: 1024 });
  });
  afterEach(async () => {
    await t.close();
  });

  const send = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(t.url + path, { method: 'POST', body, headers });
    return {
      status: res.status,
      text: await res.text(),
      headers: Object.fromEntries(['content-type', 'access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers'].map((h) => [h, res.headers.get(h)])),
    };
  };

  const cases: Array<[string, string, string]> = [
    ['a put', '/v3/kv/put', JSON.stringify({ key: b64('k'), value: b64('v') })],
    ['a range', '/v3/kv/range', JSON.stringify({ key: b64('k'), serializable: true })],
    ['a txn', '/v3/kv/txn', JSON.stringify({ success: [{ request_put: { key: b64('t'), value: b64('1') } }] })],
    ['a deleterange', '/v3/kv/deleterange', JSON.stringify({ key: b64('none') })],
    ['malformed JSON', '/v3/kv/put', '{"key":'],
    ['an invalid request (empty key)', '/v3/kv/put', JSON.stringify({ value: b64('v') })],
    ['a request over the size limit', '/v3/kv/put', JSON.stringify({ key: b64('k'), value: b64('x'.repeat(2000)) })],
  ];
  for (const [what, path, body] of cases) {
    it(`${what}: same status, headers and body`, async () => {
      const fast = await send(path, body);
      const viaKoa = await send(`${path}?via=koa`, body);
      expect(fast.status).to.equal(viaKoa.status);
      expect(fast.headers).to.deep.equal(viaKoa.headers);
      // Writes move the revision on: compare the bodies with revisions blanked out.
      const blank = (text: string) => text.replace(/"revision":"\d+"/g, '"revision":"R"');
      expect(blank(fast.text)).to.equal(blank(viaKoa.text));
      expect(fast.headers['content-type']).to.equal('application/json; charset=utf-8');
    });
  }

  it('publishes each fast-path request on the trace channel with its status and stage times, in order', async () => {
    const events: KvRequestTraceEvent[] = [];
    const onEvent = (m: unknown) => events.push(m as KvRequestTraceEvent);
    subscribe(KV_REQUEST_TRACE_CHANNEL, onEvent);
    try {
      await send('/v3/kv/put', JSON.stringify({ key: b64('traced'), value: b64('v') }));
      await send('/v3/kv/put', '{"key":');
      await send('/v3/kv/put?via=koa', JSON.stringify({ key: b64('traced'), value: b64('v') }));
    } finally {
      unsubscribe(KV_REQUEST_TRACE_CHANNEL, onEvent);
    }
    // koa's requests are not traced; the malformed one is, with its 400.
    expect(events.map((e) => [e.url, e.status])).to.deep.equal([
      ['/v3/kv/put', 200],
      ['/v3/kv/put', 400],
    ]);
    const ok = events[0]!;
    expect(ok.bodyReadAt).to.be.at.least(ok.startedAt);
    expect(ok.handledAt).to.be.at.least(ok.bodyReadAt);
    expect(ok.finishedAt).to.be.at.least(ok.handledAt);
  });

  it('passes the Idempotency-Key header on to the proposed command, and leaves an empty one out', async () => {
    const proposed: Array<string | undefined> = [];
    const encode = t.backend.encodeWrite.bind(t.backend);
    t.backend.encodeWrite = (command) => (proposed.push(command.idempotencyKey), encode(command));
    const body = JSON.stringify({ key: b64('idem'), value: b64('1') });
    await send('/v3/kv/put', body, { 'Idempotency-Key': 'same' });
    await send('/v3/kv/put', body, { 'Idempotency-Key': '' });
    await send('/v3/kv/put', body);
    expect(proposed).to.deep.equal(['same', undefined, undefined]);
  });

  it('counts fast-path requests in the request metrics by route and status', async () => {
    await send('/v3/kv/put', JSON.stringify({ key: b64('m'), value: b64('1') }));
    await send('/v3/kv/put', '{');
    const text = await t.api.metrics.registry.metrics();
    expect(text).to.match(/raftkv_http_requests_total\{route="\/v3\/kv\/put",method="POST",status="200"\} 1/);
    expect(text).to.match(/raftkv_http_requests_total\{route="\/v3\/kv\/put",method="POST",status="400"\} 1/);
  });
});
