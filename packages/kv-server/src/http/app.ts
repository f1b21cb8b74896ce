import Koa from 'koa';
import Router from '@koa/router';
import type { ApiContext } from './api-context.js';
import { sendKvError, toKvError } from './errors.js';
import { addKvRoutes, kvJsonRoutes, type KvJsonHandler } from './kv-routes.js';
import { addMaintenanceRoutes } from './maintenance-routes.js';
import { addClusterRoutes } from './cluster-routes.js';
import { addHealthRoutes } from './health-routes.js';
import { addPlainKvRoutes } from './plain-kv-routes.js';
import { addFaultRoutes } from './fault-routes.js';
import { addWatchRoutes } from './watch-routes.js';
import { addLeaseRoutes } from './lease-routes.js';
import type { WatchHub } from '../watch/watch-hub.js';
import type { LeaseService } from '../lease/lease-service.js';

/** Watch and lease services, when the node runs them (the HTTP tests over a stub store do not). */
export interface AppServices {
  watchHub?: WatchHub;
  leases?: LeaseService;
}

/** The client-facing koa app: etcd's v3 JSON API plus health, version, metrics and the curl-friendly /kv routes. */
export function createApp(api: ApiContext, services: AppServices = {}, kvRoutes: Map<string, KvJsonHandler> = kvJsonRoutes(api)): Koa {
  const app = new Koa();
  const router = new Router();
  addKvRoutes(router, api, kvRoutes);
  addMaintenanceRoutes(router, api);
  addClusterRoutes(router, api);
  addHealthRoutes(router, api);
  addPlainKvRoutes(router, api);
  addFaultRoutes(router, api);
  if (services.watchHub) addWatchRoutes(router, api, services.watchHub);
  if (services.leases) addLeaseRoutes(router, api, services.leases);

  app.use(async (ctx, next) => {
    const stopTimer = Date.now(); // wall clock is enough at HTTP granularity
    try {
      await next();
    } finally {
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
      observeRequest(api, route, ctx.method, ctx.path, ctx.status, Date.now() - stopTimer);
    }
  });

  app.use(async (ctx, next) => {
    ctx.set(CORS_HEADERS);
    await next();
  });

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const kvErr = toKvError(err);
      if (kvErr.code === 13 || kvErr.code === 2) api.logger.error({ err, path: ctx.path }, 'request failed');
      sendKvError(ctx, kvErr);
    }
  });

  app.use(router.routes());

  // Unmatched: 405 when the path exists for another method (etcd answers a GET on a POST route so), else 404.
  app.use((ctx) => {
    const match = router.match(ctx.path, ctx.method);
    ctx.type = 'text/plain';
    if (match.path.length > 0) {
      ctx.status = 405;
      ctx.body = 'Method Not Allowed\n';
    } else {
      ctx.status = 404;
      ctx.body = 'Not Found\n';
    }
  });

  app.on('error', (err: unknown) => api.logger.debug({ err }, 'http connection error'));
  return app;
}

/** etcd's gateway sends these on every answer. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS, PUT, DELETE',
  'Access-Control-Allow-Headers': 'accept, content-type, authorization',
};

/** Counts and times one answered request (both the koa app and the fast path). */
export function observeRequest(api: ApiContext, route: string, method: string, path: string, status: number, ms: number): void {
  api.metrics.requests.inc({ route, method, status: String(status) });
  api.metrics.latency.observe({ route, method }, ms / 1000);
  api.logger.debug({ method, path, status, ms }, 'request');
}
