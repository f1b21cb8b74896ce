import type Router from '@koa/router';
import type { ApiContext } from './api-context.js';
import { ETCD_CLUSTER_VERSION, ETCD_SERVER_VERSION } from './api-context.js';

/** GET /health, /version, /metrics. Health is etcd's: true when a leader is known. */
export function addHealthRoutes(router: Router, api: ApiContext): void {
  router.get('/health', (ctx) => {
    const healthy = api.raft.status().leader !== null;
    ctx.status = healthy ? 200 : 503;
    ctx.type = 'text/plain';
    ctx.body = JSON.stringify({ health: String(healthy) });
  });

  router.get('/version', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = JSON.stringify({ etcdserver: ETCD_SERVER_VERSION, etcdcluster: ETCD_CLUSTER_VERSION });
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = api.metrics.registry.contentType;
    ctx.body = await api.metrics.registry.metrics();
  });
}
