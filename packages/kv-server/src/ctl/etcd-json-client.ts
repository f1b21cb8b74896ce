/**
 * A small client for etcd's v3 JSON API (raftkv or etcd itself), over keep-alive HTTP.
 * Calls go to the endpoint that last answered; when it is down (refused, reset, silent) the next one is tried,
 * all within one command timeout.
 */
import http from 'node:http';
import type {
  CompactionRequest,
  DeleteRangeRequest,
  DeleteRangeResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
} from '../mvcc/types.js';
import { EndpointUnreachableError, httpRequest, normalizeEndpoint } from './http-endpoint.js';
import {
  decodeDeleteRange,
  decodeHeader,
  decodeMemberList,
  decodePut,
  decodeRange,
  decodeStatus,
  decodeTxn,
  encodeCompaction,
  encodeDeleteRange,
  encodePut,
  encodeRange,
  encodeTxn,
  type MemberListResponse,
  type ResponseHeader,
  type StatusResponse,
  type WireObject,
  type WithHeader,
} from './wire.js';

export { EndpointUnreachableError } from './http-endpoint.js';

/** The server answered with an error: etcd's text and gRPC code. */
export class EtcdRequestError extends Error {
  constructor(
    readonly endpoint: string,
    readonly httpStatus: number,
    /** gRPC code from the body (3 InvalidArgument, 11 OutOfRange, 14 Unavailable …), 2 (Unknown) when absent. */
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'EtcdRequestError';
  }
}

/** No endpoint could be reached within the command timeout. */
export class NoEndpointReachableError extends Error {
  constructor(readonly failures: string[]) {
    super(`no endpoint reachable (${failures.join('; ')})`);
    this.name = 'NoEndpointReachableError';
  }
}

export interface EtcdJsonClientOptions {
  /** "http://host:port" or "host:port"; at least one. */
  endpoints: string[];
  /** Bound on one call across every endpoint tried. Default 5000 ms. */
  commandTimeoutMs?: number;
  /** While other endpoints remain, one that has not answered within this is treated as down. Default 2000 ms. */
  attemptTimeoutMs?: number;
}

export interface HealthResult {
  endpoint: string;
  health: boolean;
  tookMs: number;
  error?: string;
}

/** gRPC Unavailable: the node could not take the request (no leader, leader changed, stopping); another node may. */
const UNAVAILABLE = 14;
/** Requests that change nothing: safe to resend after any Unavailable answer. */
const READ_ONLY_PATHS = new Set(['/v3/kv/range', '/v3/maintenance/status', '/v3/cluster/member/list']);
/** Unavailable answers given before anything was proposed: safe to resend even for writes (as clientv3 does). */
const NOT_PROPOSED = new Set(['etcdserver: no leader']);

export class EtcdJsonClient {
  readonly endpoints: readonly string[];
  readonly commandTimeoutMs: number;
  readonly attemptTimeoutMs: number;
  private readonly agent = new http.Agent({ keepAlive: true });
  /** Index of the endpoint that answered last; calls start there. */
  private preferred = 0;

  constructor(options: EtcdJsonClientOptions) {
    if (options.endpoints.length === 0) throw new Error('at least one endpoint is required');
    this.endpoints = options.endpoints.map(normalizeEndpoint);
    this.commandTimeoutMs = options.commandTimeoutMs ?? 5000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 2000;
    if (!(this.commandTimeoutMs > 0) || !(this.attemptTimeoutMs > 0)) throw new Error('timeouts must be positive');
  }

  async range(req: RangeRequest): Promise<WithHeader<RangeResponse>> {
    return decodeRange(await this.call('/v3/kv/range', encodeRange(req)));
  }

  async put(req: PutRequest): Promise<WithHeader<PutResponse>> {
    return decodePut(await this.call('/v3/kv/put', encodePut(req)));
  }

  async deleteRange(req: DeleteRangeRequest): Promise<WithHeader<DeleteRangeResponse>> {
    return decodeDeleteRange(await this.call('/v3/kv/deleterange', encodeDeleteRange(req)));
  }

  async txn(req: TxnRequest): Promise<WithHeader<TxnResponse>> {
    return decodeTxn(await this.call('/v3/kv/txn', encodeTxn(req)));
  }

  async compact(req: CompactionRequest): Promise<{ header: ResponseHeader }> {
    const raw = (await this.call('/v3/kv/compaction', encodeCompaction(req))) as WireObject;
    return { header: decodeHeader(raw.header) };
  }

  async memberList(): Promise<MemberListResponse> {
    return decodeMemberList(await this.call('/v3/cluster/member/list', {}));
  }

  /** Status of one given endpoint (no failover: the point is to ask that node). */
  async status(endpoint: string): Promise<StatusResponse> {
    return decodeStatus(await this.callAt(normalizeEndpoint(endpoint), 'POST', '/v3/maintenance/status', {}, this.commandTimeoutMs));
  }

  /** GET /health on one endpoint; never throws: an unhealthy or unreachable endpoint is a result. */
  async health(endpoint: string): Promise<HealthResult> {
    const target = normalizeEndpoint(endpoint);
    const started = performance.now();
    try {
      const raw = (await this.callAt(target, 'GET', '/health', undefined, this.commandTimeoutMs)) as WireObject;
      const healthy = raw.health === true || raw.health === 'true';
      const result: HealthResult = { endpoint: target, health: healthy, tookMs: performance.now() - started };
      if (!healthy) result.error = typeof raw.reason === 'string' && raw.reason !== '' ? raw.reason : 'unhealthy';
      return result;
    } catch (err) {
      return { endpoint: target, health: false, tookMs: performance.now() - started, error: (err as Error).message };
    }
  }

  /**
   * POSTs a JSON body with failover and returns the parsed JSON answer. Throws EtcdRequestError when a node
   * answered with an error, NoEndpointReachableError when none answered.
   */
  async call(path: string, body: unknown): Promise<unknown> {
    const deadline = performance.now() + this.commandTimeoutMs;
    const failures: string[] = [];
    let lastAnswer: EtcdRequestError | undefined;
    const count = this.endpoints.length;
    for (let i = 0; i < count; i++) {
      const index = (this.preferred + i) % count;
      const endpoint = this.endpoints[index]!;
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      const timeout = i === count - 1 ? remaining : Math.min(remaining, this.attemptTimeoutMs);
      try {
        const answer = await this.callAt(endpoint, 'POST', path, body, timeout);
        this.preferred = index;
        return answer;
      } catch (err) {
        if (err instanceof EndpointUnreachableError) failures.push(err.message);
        else if (err instanceof EtcdRequestError && err.code === UNAVAILABLE && (READ_ONLY_PATHS.has(path) || NOT_PROPOSED.has(err.message))) {
          failures.push(`${endpoint}: ${err.message}`);
          lastAnswer = err;
        } else throw err;
      }
    }
    if (lastAnswer) throw lastAnswer;
    if (failures.length === 0) failures.push(`command timed out after ${this.commandTimeoutMs} ms`);
    throw new NoEndpointReachableError(failures);
  }

  /** One request to one endpoint, no failover. */
  async callAt(endpoint: string, method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const spec = { endpoint, method, path, timeoutMs, agent: this.agent };
    const answer = await httpRequest(body === undefined ? spec : { ...spec, body: JSON.stringify(body) });
    let parsed: unknown;
    try {
      parsed = answer.body === '' ? {} : JSON.parse(answer.body);
    } catch {
      parsed = undefined;
    }
    if (answer.status >= 200 && answer.status < 300 && parsed !== undefined) return parsed;
    throw errorFromAnswer(endpoint, answer.status, parsed, answer.body);
  }

  /** Closes kept-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }
}

function errorFromAnswer(endpoint: string, status: number, parsed: unknown, text: string): EtcdRequestError {
  const obj = parsed !== null && typeof parsed === 'object' ? (parsed as WireObject) : {};
  const message =
    typeof obj.error === 'string' && obj.error !== ''
      ? obj.error
      : typeof obj.message === 'string' && obj.message !== ''
        ? obj.message
        : status >= 200 && status < 300
          ? `malformed answer from ${endpoint}: ${text.slice(0, 200)}`
          : `HTTP ${status}${text.trim() === '' ? '' : `: ${text.trim().slice(0, 200)}`}`;
  const code = typeof obj.code === 'number' ? obj.code : 2;
  return new EtcdRequestError(endpoint, status, code, message);
}
