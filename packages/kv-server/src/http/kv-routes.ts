import type { IncomingMessage } from 'node:http';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { KvError, type DeleteRangeResponse, type PutResponse, type TxnRequest, type TxnResponse } from '../mvcc/types.js';
import type { WriteCommand } from '../proposals.js';
import type { ApiContext } from './api-context.js';
import { headerOf } from './api-context.js';
import { grpcLimitOf, messageTooLarge, readRawBody } from './body.js';
import {
  decodeCompactionRequest,
  decodeDeleteRangeRequest,
  decodePutRequest,
  decodeRangeRequest,
  decodeTxnRequest,
  encodeDeleteRangeBody,
  encodePutBody,
  encodeRangeBody,
  encodeTxnBody,
} from './kv-codec.js';
import { parseBody, type JsonObject } from './proto-json.js';
import { validateCompaction, validateDeleteRange, validatePut, validateRange, validateTxn } from '../mvcc/validate.js';

/** One JSON route of etcd's KV service: the parsed body and the request's Idempotency-Key in, the answer out. */
export type KvJsonHandler = (body: JsonObject, idempotencyKey: string | undefined) => Promise<JsonObject>;

/** POST /v3/kv/{range,put,deleterange,txn,compaction}: etcd's KV service, by path. */
export function kvJsonRoutes(api: ApiContext): Map<string, KvJsonHandler> {
  const write = (command: WriteCommand, idempotencyKey: string | undefined) => {
    checkWriteSize(command, api.maxRequestBytes);
    return api.proposer.write(command, idempotencyKey);
  };

  return new Map<string, KvJsonHandler>([
    [
      '/v3/kv/range',
      async (body) => {
        const req = decodeRangeRequest(body);
        validateRange(req);
        const read = async () => {
          const revision = api.backend.revision();
          return encodeRangeBody(headerOf(api, revision), await api.backend.range(req));
        };
        return req.serializable ? read() : api.proposer.linearizableRead(read);
      },
    ],
    [
      '/v3/kv/put',
      async (body, idempotencyKey) => {
        const req = decodePutRequest(body);
        validatePut(req);
        const outcome = await write({ put: req }, idempotencyKey);
        return encodePutBody(headerOf(api, outcome.revision), outcome.response as PutResponse);
      },
    ],
    [
      '/v3/kv/deleterange',
      async (body, idempotencyKey) => {
        const req = decodeDeleteRangeRequest(body);
        validateDeleteRange(req);
        const outcome = await write({ deleteRange: req }, idempotencyKey);
        return encodeDeleteRangeBody(headerOf(api, outcome.revision), outcome.response as DeleteRangeResponse);
      },
    ],
    [
      '/v3/kv/txn',
      async (body, idempotencyKey) => {
        const req: TxnRequest = decodeTxnRequest(body);
        validateTxn(req);
        const backend = api.backend;
        if (backend.readTxn && backend.isTxnReadOnly?.(req)) {
          return api.proposer.linearizableRead(async () => {
            const revision = backend.revision();
            return encodeTxnBody(headerOf(api, revision), await backend.readTxn!(req), revision);
          });
        }
        const outcome = await write({ txn: req }, idempotencyKey);
        return encodeTxnBody(headerOf(api, outcome.revision), outcome.response as TxnResponse, outcome.revision);
      },
    ],
    [
      '/v3/kv/compaction',
      async (body, idempotencyKey) => {
        const req = decodeCompactionRequest(body);
        validateCompaction(req);
        const outcome = await write({ compaction: req }, idempotencyKey);
        return { header: headerOf(api, outcome.revision) };
      },
    ],
  ]);
}

/** The Idempotency-Key header, or undefined when absent or empty. */
export function idempotencyKeyOf(req: IncomingMessage): string | undefined {
  const key = req.headers['idempotency-key'];
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/** The KV routes on koa's router (for what the fast path in request-listener.ts does not take, e.g. a query string). */
export function addKvRoutes(router: Router, api: ApiContext, routes: Map<string, KvJsonHandler>): void {
  for (const [path, handler] of routes) {
    router.post(path, async (ctx: Context) => {
      const raw = await readRawBody(ctx.req, api.maxRequestBytes);
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(await handler(parseBody(raw), idempotencyKeyOf(ctx.req)));
    });
  }
}

/**
 * etcd refuses a write whose encoded request exceeds --max-request-bytes ("request is too large") and any
 * message beyond the gRPC limit. The size here is the bytes the request carries plus a few per field.
 */
export function checkWriteSize(command: WriteCommand, maxRequestBytes: number): void {
  const size = approximateEncodedSize(command);
  const grpcLimit = grpcLimitOf(maxRequestBytes);
  if (size > grpcLimit) throw messageTooLarge(size, grpcLimit);
  if (size > maxRequestBytes) throw new KvError(3, 'etcdserver: request is too large');
}

function approximateEncodedSize(value: unknown): number {
  if (Buffer.isBuffer(value)) return value.length + 4;
  if (Array.isArray(value)) return value.reduce((sum: number, v: unknown) => sum + approximateEncodedSize(v), 0);
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).reduce((sum: number, v: unknown) => sum + approximateEncodedSize(v), 2);
  }
  return 2;
}
