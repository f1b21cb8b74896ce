import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ApiContext } from './api-context.js';
import { headerOf } from './api-context.js';
import { grpcLimitOf, readRawBody } from './body.js';
import { encodeBase64 } from './go-base64.js';
import { sendKvError, toKvError } from './errors.js';
import { parseBody, putInt64, readBool, readInt64, type JsonObject } from './proto-json.js';
import type { LeaseService } from '../lease/lease-service.js';
import { JsonObjectReader } from '../watch/json-object-reader.js';

/** etcd's Lease service on the gateway: grant, revoke, keepalive (streamed), timetolive, leases. */
export function addLeaseRoutes(router: Router, api: ApiContext, leases: LeaseService): void {
  const json = (handler: (body: JsonObject) => Promise<JsonObject>) => async (ctx: Context) => {
    const raw = await readRawBody(ctx.req, api.maxRequestBytes);
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(await handler(parseBody(raw)));
  };

  router.post(
    '/v3/lease/grant',
    json(async (body) => {
      const granted = await leases.grant(readInt64(body, 'ID') ?? 0, readInt64(body, 'TTL') ?? 0);
      const out: JsonObject = { header: headerOf(api, granted.revision) };
      putInt64(out, 'ID', granted.id);
      putInt64(out, 'TTL', granted.ttl);
      return out;
    }),
  );

  const revoke = json(async (body) => {
    const revoked = await leases.revoke(readInt64(body, 'ID') ?? 0);
    return { header: headerOf(api, revoked.revision) };
  });
  router.post('/v3/lease/revoke', revoke);
  router.post('/v3/kv/lease/revoke', revoke);

  const timeToLive = json(async (body) => {
    const t = await leases.timeToLive(readInt64(body, 'ID') ?? 0, readBool(body, 'keys') ?? false);
    const out: JsonObject = { header: headerOf(api, t.revision) };
    putInt64(out, 'ID', t.id);
    putInt64(out, 'TTL', t.ttl);
    putInt64(out, 'grantedTTL', t.grantedTtl);
    if (t.keys !== undefined && t.keys.length > 0) out.keys = t.keys.map(encodeBase64);
    return out;
  });
  router.post('/v3/lease/timetolive', timeToLive);
  router.post('/v3/kv/lease/timetolive', timeToLive);

  router.post(
    '/v3/lease/leases',
    json(async () => {
      const list = await leases.leases();
      const out: JsonObject = { header: headerOf(api, list.revision) };
      if (list.ids.length > 0) out.leases = list.ids.map((id) => ({ ID: String(id) }));
      return out;
    }),
  );

  // A stream both ways: each {"ID":…} in the body is answered by one {"result":…} line, in order; the answer
  // ends when the body does (as etcd's gateway does). An error before any answer is an ordinary error reply.
  router.post('/v3/lease/keepalive', async (ctx) => {
    const reader = new JsonObjectReader(ctx.req as AsyncIterable<Buffer>, grpcLimitOf(api.maxRequestBytes));
    const answer = async (req: JsonObject): Promise<string> => {
      const renewed = await leases.keepAlive(readInt64(req, 'ID') ?? 0);
      const result: JsonObject = { header: headerOf(api, renewed.revision) };
      putInt64(result, 'ID', renewed.id);
      putInt64(result, 'TTL', renewed.ttl);
      return JSON.stringify({ result }) + '\n';
    };
    const first = await reader.next();
    if (first === undefined) return sendKvError(ctx, toKvError(new Error('EOF')));
    const firstLine = await answer(first);
    ctx.respond = false;
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Grpc-Metadata-Content-Type': 'application/grpc' });
    res.write(firstLine);
    try {
      for (let req = await reader.next(); req !== undefined && !res.destroyed; req = await reader.next()) {
        res.write(await answer(req));
      }
    } catch (err) {
      api.logger.debug({ err: String(err) }, 'lease keepalive stream ended by an error');
    }
    res.end();
  });
}
