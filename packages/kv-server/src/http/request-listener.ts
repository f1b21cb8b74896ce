import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ApiContext } from './api-context.js';
import { CORS_HEADERS, createApp, observeRequest, type AppServices } from './app.js';
import { readRawBody } from './body.js';
import { httpStatusOf, kvErrorBody, toKvError } from './errors.js';
import { idempotencyKeyOf, kvJsonRoutes, type KvJsonHandler } from './kv-routes.js';
import { parseBody } from './proto-json.js';
import { kvRequestTrace, type KvRequestTraceEvent } from './request-trace.js';

/**
 * The node's HTTP request listener. The hot KV routes (a POST to exactly /v3/kv/put, range, txn, deleterange or
 * compaction) are served here straight from node:http, without koa's per-request context, middleware chain and
 * router; everything else goes to the koa app, which serves the same handlers with the same answers.
 */
export function createRequestListener(api: ApiContext, services: AppServices = {}): RequestListener {
  const kvRoutes = kvJsonRoutes(api);
  const koa = createApp(api, services, kvRoutes).callback();
  return (req, res) => {
    const handler = req.method === 'POST' ? kvRoutes.get(req.url ?? '') : undefined;
    if (handler === undefined) void koa(req, res);
    else void serveKvJson(api, handler, req, res);
  };
}

async function serveKvJson(api: ApiContext, handler: KvJsonHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const tracing = kvRequestTrace.hasSubscribers;
  const startedAt = tracing ? performance.now() : 0;
  let bodyReadAt = 0;
  let handledAt = 0;
  let status = 200;
  let body: string;
  try {
    const raw = await readRawBody(req, api.maxRequestBytes);
    if (tracing) bodyReadAt = performance.now();
    const answer = await handler(parseBody(raw), idempotencyKeyOf(req));
    if (tracing) handledAt = performance.now();
    body = JSON.stringify(answer);
  } catch (err) {
    const kvErr = toKvError(err);
    if (kvErr.code === 13 || kvErr.code === 2) api.logger.error({ err, path: req.url }, 'request failed');
    status = httpStatusOf(kvErr.code);
    body = kvErrorBody(kvErr);
  }
  res.writeHead(status, {
    ...CORS_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
  observeRequest(api, req.url!, 'POST', req.url!, status, Date.now() - started);
  if (tracing) {
    const event: KvRequestTraceEvent = { url: req.url!, status, startedAt, bodyReadAt, handledAt, finishedAt: performance.now() };
    kvRequestTrace.publish(event);
  }
}
