import type { Context } from 'koa';
import { KvError } from '../mvcc/types.js';

/** gRPC's receive limit in etcd: --max-request-bytes plus 512 KiB of slack. */
export function grpcLimitOf(maxRequestBytes: number): number {
  return maxRequestBytes + 512 * 1024;
}

export function messageTooLarge(size: number, limit: number): KvError {
  return new KvError(8, `grpc: received message larger than max (${size} vs. ${limit})`);
}

/**
 * Reads the raw body, refusing it early when even its base64-decoded size could not fit the gRPC limit
 * (JSON carries bytes as base64: 4 characters per 3 bytes).
 */
export async function readRawBody(ctx: Context, maxRequestBytes: number): Promise<Buffer> {
  const grpcLimit = grpcLimitOf(maxRequestBytes);
  const rawLimit = Math.ceil((grpcLimit * 4) / 3) + 64 * 1024;
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > rawLimit) {
    ctx.req.resume(); // drain without keeping
    throw messageTooLarge(Math.floor((declared * 3) / 4), grpcLimit);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > rawLimit) {
      ctx.req.resume();
      throw messageTooLarge(Math.floor((total * 3) / 4), grpcLimit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
