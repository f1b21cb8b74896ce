import type Router from '@koa/router';
import type { Context } from 'koa';
import { KvError, type DeleteRangeResponse, type PutResponse } from '../mvcc/types.js';
import type { ApiContext } from './api-context.js';
import { headerOf } from './api-context.js';
import { readRawBody } from './body.js';
import { encodeDeleteRangeBody, encodePutBody } from './kv-codec.js';
import { checkWriteSize, idempotencyKeyOf } from './kv-routes.js';

/**
 * Curl-friendly routes on raw bytes: PUT /kv/<key> (body = value), GET /kv/<key> (the value, 404 when absent),
 * DELETE /kv/<key>. The key is the percent-decoded rest of the path; ?serializable=true reads locally.
 */
export function addPlainKvRoutes(router: Router, api: ApiContext): void {
  const keyOf = (ctx: Context): Buffer => {
    const encoded = ctx.path.slice('/kv/'.length);
    let text: string;
    try {
      text = decodeURIComponent(encoded);
    } catch {
      throw new KvError(3, 'invalid percent-encoding in key');
    }
    if (text === '') throw new KvError(3, 'etcdserver: key is not provided');
    return Buffer.from(text, 'utf8');
  };

  router.get('/kv/{*key}', async (ctx) => {
    const key = keyOf(ctx);
    const read = () => api.backend.range({ key });
    const resp = ctx.query.serializable === 'true' ? await read() : await api.proposer.linearizableRead(read);
    const kv = resp.kvs[0];
    if (!kv) throw new KvError(5, 'etcdserver: key not found');
    ctx.set('X-Raftkv-Revision', String(kv.modRevision));
    ctx.type = 'application/octet-stream';
    ctx.body = kv.value;
  });

  router.put('/kv/{*key}', async (ctx) => {
    const key = keyOf(ctx);
    const value = await readRawBody(ctx.req, api.maxRequestBytes);
    const command = { put: { key, value } };
    checkWriteSize(command, api.maxRequestBytes);
    const outcome = await api.proposer.write(command, idempotencyKeyOf(ctx.req));
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(encodePutBody(headerOf(api, outcome.revision), outcome.response as PutResponse));
  });

  router.delete('/kv/{*key}', async (ctx) => {
    const key = keyOf(ctx);
    const outcome = await api.proposer.write({ deleteRange: { key } }, idempotencyKeyOf(ctx.req));
    const resp = outcome.response as DeleteRangeResponse;
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(encodeDeleteRangeBody(headerOf(api, outcome.revision), resp));
  });
}
