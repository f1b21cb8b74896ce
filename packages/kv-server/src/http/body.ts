import type { IncomingMessage } from 'node:http';
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
export async function readRawBody(req: IncomingMessage, maxRequestBytes: number): Promise<Buffer> {
  const grpcLimit = grpcLimitOf(maxRequestBytes);
  const rawLimit = Math.ceil((grpcLimit * 4) / 3) + 64 * 1024;
  const declared = Number(req.headers['content-length'] || '0');
  if (declared > rawLimit) {
    req.resume(); // drain without keeping
    throw messageTooLarge(Math.floor((declared * 3) / 4), grpcLimit);
  }
  return collectBody(req, rawLimit, grpcLimit);
}

/** The body's chunks, gathered with plain listeners (an async iterator per request costs more than the parse). */
function collectBody(req: IncomingMessage, rawLimit: number, grpcLimit: number): Promise<Buffer> {
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (err?: Error): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', done);
      req.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > rawLimit) {
        done(messageTooLarge(Math.floor((total * 3) / 4), grpcLimit));
        req.resume(); // drain without keeping
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => done();
    const onAborted = (): void => done(new Error('request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', done);
    req.on('aborted', onAborted);
  });
}
