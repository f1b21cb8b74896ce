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

/** POST /v3/kv/{range,put,deleterange,txn,compaction}: etcd's KV service. */
export function addKvRoutes(router: Router, api: ApiContext): void {
  const json = (handler: (body: JsonObject, ctx: Context) => Promise<JsonObject>) => async (ctx: Context) => {
    const raw = await readRawBody(ctx, api.maxRequestBytes);
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(await handler(parseBody(raw), ctx));
  };

  const write = async (command: WriteCommand, ctx: Context) => {
    checkWriteSize(command, api.maxRequestBytes);
    const key = ctx.get('idempotency-key');
    return api.proposer.write(command, key === '' ? undefined : key);
  };

  router.post(
    '/v3/kv/range',
    json(async (body) => {
      const req = decodeRangeRequest(body);
      validateRange(req);
      const read = async () => {
        const revision = api.backend.revision();
        return encodeRangeBody(headerOf(api, revision), await api.backend.range(req));
      };
      return req.serializable ? read() : api.proposer.linearizableRead(read);
    }),
  );

  router.post(
    '/v3/kv/put',
    json(async (body, ctx) => {
      const req = decodePutRequest(body);
      validatePut(req);
      const outcome = await write({ put: req }, ctx);
      return encodePutBody(headerOf(api, outcome.revision), outcome.response as PutResponse);
    }),
  );

  router.post(
    '/v3/kv/deleterange',
    json(async (body, ctx) => {
      const req = decodeDeleteRangeRequest(body);
      validateDeleteRange(req);
      const outcome = await write({ deleteRange: req }, ctx);
      return encodeDeleteRangeBody(headerOf(api, outcome.revision), outcome.response as DeleteRangeResponse);
    }),
  );

  router.post(
    '/v3/kv/txn',
    json(async (body, ctx) => {
      const req: TxnRequest = decodeTxnRequest(body);
      validateTxn(req);
      const backend = api.backend;
      if (backend.readTxn && backend.isTxnReadOnly?.(req)) {
        return api.proposer.linearizableRead(async () => {
          const revision = backend.revision();
          return encodeTxnBody(headerOf(api, revision), await backend.readTxn!(req), revision);
        });
      }
      const outcome = await write({ txn: req }, ctx);
      return encodeTxnBody(headerOf(api, outcome.revision), outcome.response as TxnResponse, outcome.revision);
    }),
  );

  router.post(
    '/v3/kv/compaction',
    json(async (body, ctx) => {
      const req = decodeCompactionRequest(body);
      validateCompaction(req);
      const outcome = await write({ compaction: req }, ctx);
      return { header: headerOf(api, outcome.revision) };
    }),
  );
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
