import type Router from '@koa/router';
import type { ApiContext } from './api-context.js';
import { encodeHeader } from './kv-codec.js';
import { grpcLimitOf } from './body.js';
import type { WatchHub } from '../watch/watch-hub.js';
import { JsonObjectReader } from '../watch/json-object-reader.js';
import { decodeWatchStreamRequest } from '../watch/watch-json.js';
import { WatchStream } from '../watch/watch-stream.js';

/**
 * POST /v3/watch as etcd's gateway serves it: the body is a stream of WatchRequest objects, the answer a stream of
 * newline-separated {"result":…} lines that stays open until the client leaves. A malformed first request is an
 * ordinary error answer (code 2, as the gateway gives).
 */
export function addWatchRoutes(router: Router, api: ApiContext, hub: WatchHub): void {
  router.post('/v3/watch', async (ctx) => {
    const reader = new JsonObjectReader(ctx.req as AsyncIterable<Buffer>, grpcLimitOf(api.maxRequestBytes));
    const first = await reader.next();
    const firstRequest = first === undefined ? { none: true as const } : decodeWatchStreamRequest(first);

    ctx.respond = false;
    ctx.status = 200;
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Grpc-Metadata-Content-Type': 'application/grpc' });
    res.flushHeaders();
    const header = (revision: number | undefined) =>
      encodeHeader({
        clusterId: api.identity.clusterId,
        memberId: api.identity.memberId,
        raftTerm: api.raft.status().term,
        ...(revision === undefined ? {} : { revision }),
      });
    const stream = new WatchStream(hub, res, header);
    res.once('close', () => stream.close());
    stream.handle(firstRequest);
    void (async () => {
      // Later requests on the same body (create, cancel, progress); bad input ends the stream.
      try {
        for (let obj = await reader.next(); obj !== undefined; obj = await reader.next()) stream.handle(decodeWatchStreamRequest(obj));
      } catch (err) {
        api.logger.debug({ err: String(err) }, 'watch stream: bad request, closing');
        stream.close();
        res.end();
      }
    })();
  });
}
