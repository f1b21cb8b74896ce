import type { Context } from 'koa';
import { KvError } from '../mvcc/types.js';

/** grpc-gateway's HTTP status for each gRPC code, as etcd 3.4's gateway answers. */
const STATUS_BY_GRPC_CODE: Record<number, number> = {
  1: 408, // Canceled
  2: 500, // Unknown
  3: 400, // InvalidArgument
  4: 504, // DeadlineExceeded
  5: 404, // NotFound
  6: 409, // AlreadyExists
  7: 403, // PermissionDenied
  8: 429, // ResourceExhausted
  9: 412, // FailedPrecondition
  10: 409, // Aborted
  11: 400, // OutOfRange
  12: 501, // Unimplemented
  13: 500, // Internal
  14: 503, // Unavailable
  15: 500, // DataLoss
  16: 401, // Unauthenticated
};

export function httpStatusOf(grpcCode: number): number {
  return STATUS_BY_GRPC_CODE[grpcCode] ?? 500;
}

/** Writes etcd's error body: {"error","message","code"}. */
export function sendKvError(ctx: Context, err: KvError): void {
  ctx.status = httpStatusOf(err.code);
  ctx.type = 'application/json';
  ctx.body = kvErrorBody(err);
}

export function kvErrorBody(err: KvError): string {
  return JSON.stringify({ error: err.message, message: err.message, code: err.code });
}

export function toKvError(err: unknown): KvError {
  if (err instanceof KvError) return err;
  return new KvError(13, err instanceof Error ? err.message : String(err));
}
