import type Router from '@koa/router';
import type { ApiContext } from './api-context.js';
import { readRawBody } from './body.js';
import { encodeHeader } from './kv-codec.js';
import { parseBody } from './proto-json.js';

/** POST /v3/cluster/member/list: the static membership from --initial-cluster (etcd's header here has no revision). */
export function addClusterRoutes(router: Router, api: ApiContext): void {
  router.post('/v3/cluster/member/list', async (ctx) => {
    parseBody(await readRawBody(ctx.req, api.maxRequestBytes));
    const header = encodeHeader({
      clusterId: api.identity.clusterId,
      memberId: api.identity.memberId,
      raftTerm: api.raft.status().term,
    });
    const members = api.identity.members().map((m) => {
      const out: Record<string, unknown> = { ID: String(m.id), name: m.name, peerURLs: m.peerUrls };
      if (m.clientUrls.length > 0) out.clientURLs = m.clientUrls;
      return out;
    });
    ctx.type = 'application/json';
    ctx.body = JSON.stringify({ header, members });
  });
}
