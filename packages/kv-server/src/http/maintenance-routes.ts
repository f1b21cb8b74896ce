import type Router from '@koa/router';
import type { ApiContext } from './api-context.js';
import { ETCD_SERVER_VERSION, headerOf } from './api-context.js';
import { readRawBody } from './body.js';
import { putInt64, parseBody, type JsonObject } from './proto-json.js';

/** POST /v3/maintenance/status. etcd writes this message's fields in lowerCamelCase (dbSize, raftIndex, …). */
export function addMaintenanceRoutes(router: Router, api: ApiContext): void {
  router.post('/v3/maintenance/status', async (ctx) => {
    parseBody(await readRawBody(ctx.req, api.maxRequestBytes));
    const status = api.raft.status();
    const dbSize = (await api.dbSizeBytes?.()) ?? 0;
    const body: JsonObject = { header: headerOf(api), version: ETCD_SERVER_VERSION };
    putInt64(body, 'dbSize', dbSize);
    putInt64(body, 'leader', api.identity.idOf(status.leader));
    putInt64(body, 'raftIndex', status.commitIndex);
    putInt64(body, 'raftTerm', status.term);
    putInt64(body, 'raftAppliedIndex', status.appliedIndex);
    putInt64(body, 'dbSizeInUse', dbSize);
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(body);
  });
}
