/** One HTTP request to one endpoint, bounded in time, telling "the endpoint is down" apart from "it answered". */
import http from 'node:http';

/** The endpoint could not be reached or did not answer in time: another endpoint may do. */
export class EndpointUnreachableError extends Error {
  constructor(
    readonly endpoint: string,
    reason: string,
  ) {
    super(`${endpoint}: ${reason}`);
    this.name = 'EndpointUnreachableError';
  }
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Socket errors after which the request certainly or possibly never reached a live server. */
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
]);

/** Accepts etcdctl's forms: "http://host:port" or a bare "host:port". Only plain http is supported. */
export function normalizeEndpoint(endpoint: string): string {
  const text = endpoint.trim();
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`invalid endpoint "${endpoint}"`);
  }
  if (url.protocol !== 'http:') throw new Error(`invalid endpoint "${endpoint}": only http:// endpoints are supported`);
  return `${url.protocol}//${url.host}`;
}

export interface HttpRequestSpec {
  endpoint: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  timeoutMs: number;
  agent: http.Agent;
}

function attempt(spec: HttpRequestSpec): Promise<HttpAnswer & { reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const url = new URL(spec.path, spec.endpoint);
    const headers: Record<string, string | number> = {};
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(spec.body);
    }
    const req = http.request(url, { method: spec.method, agent: spec.agent, headers });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, spec.timeoutMs);
    const fail = (err: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      if (timedOut) reject(new EndpointUnreachableError(spec.endpoint, `no answer within ${Math.round(spec.timeoutMs)} ms`));
      else if (err.code !== undefined && CONNECTION_ERRORS.has(err.code))
        reject(Object.assign(new EndpointUnreachableError(spec.endpoint, err.code), { reusedSocket: req.reusedSocket, code: err.code }));
      else reject(new EndpointUnreachableError(spec.endpoint, err.message));
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), reusedSocket: req.reusedSocket });
      });
      // A body cut off (node died or timed out mid-answer) may end in 'close' alone; settling twice is harmless.
      res.on('close', () => {
        if (!res.complete) fail(new Error('connection closed before the answer was complete'));
      });
    });
    req.end(spec.body);
  });
}

/**
 * Sends one request. A kept-alive socket the server closed meanwhile fails with ECONNRESET before any
 * byte is answered; Node's documentation advises one retry on a fresh socket for that case.
 */
export async function httpRequest(spec: HttpRequestSpec): Promise<HttpAnswer> {
  try {
    const { status, body } = await attempt(spec);
    return { status, body };
  } catch (err) {
    const e = err as { reusedSocket?: boolean; code?: string };
    if (e.reusedSocket === true && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
      const { status, body } = await attempt(spec);
      return { status, body };
    }
    throw err;
  }
}
