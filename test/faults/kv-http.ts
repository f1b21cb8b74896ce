/**
 * A lean client for the fault harness: one request to one node, no retries, no failover, bounded in time,
 * and a verdict on whether a failed request may still have taken effect.
 */
import http from 'node:http';

/** ok: the node answered 2xx. fail: it certainly did nothing. info: it may have taken effect (or may later). */
export type Outcome<T> = { kind: 'ok'; value: T } | { kind: 'fail'; error: string } | { kind: 'info'; error: string };

interface Answer {
  status: number;
  body: unknown;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

/** POSTs JSON to one endpoint; rejects with a RequestError on any failure, including the timeout. */
export function postJson(endpoint: string, path: string, body: unknown, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    // agent: false: a fresh connection per request, so a refused connect always means "never sent".
    const req = http.request(new URL(path, endpoint), {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    let settled = false;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle();
    };
    const timer = setTimeout(() => {
      finish(() => reject(new RequestError('timeout', `no answer within ${timeoutMs} ms`)));
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      finish(() => reject(new RequestError(err.code === 'ECONNREFUSED' ? 'refused' : 'broken', err.code ?? err.message)));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => finish(() => reject(new RequestError('broken', err.message))));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text === '' ? {} : JSON.parse(text);
        } catch {
          parsed = { error: text.slice(0, 200) };
        }
        finish(() => resolve({ status: res.statusCode ?? 0, body: parsed }));
      });
    });
    req.end(payload);
  });
}

/** refused: the connection was refused (nothing sent). broken: reset or closed mid-request. timeout: we gave up. */
export class RequestError extends Error {
  constructor(
    readonly reason: 'refused' | 'broken' | 'timeout',
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'RequestError';
  }
}

function errorText(answer: Answer): string {
  const body = answer.body as { error?: unknown } | null;
  return `HTTP ${answer.status}${typeof body?.error === 'string' ? ` ${body.error}` : ''}`;
}

/**
 * Runs a request and classifies it. A 4xx answer was refused before being proposed (fail); a 5xx
 * ("request timed out", "leader changed", "no leader") may have been proposed already (info), as may a
 * dropped connection or our own timeout.
 */
async function classified<T>(run: () => Promise<Answer>, decode: (body: unknown) => T): Promise<Outcome<T>> {
  let answer: Answer;
  try {
    answer = await run();
  } catch (err) {
    if (err instanceof RequestError) return { kind: err.reason === 'refused' ? 'fail' : 'info', error: err.message };
    return { kind: 'info', error: (err as Error).message };
  }
  if (answer.status >= 200 && answer.status < 300) {
    try {
      return { kind: 'ok', value: decode(answer.body) };
    } catch (err) {
      return { kind: 'info', error: `undecodable answer: ${(err as Error).message}` };
    }
  }
  return { kind: answer.status >= 400 && answer.status < 500 ? 'fail' : 'info', error: errorText(answer) };
}

interface WireKv {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
}

/** A key-value pair as a node stores it, with its revisions (for comparing nodes' states). */
export interface StoredKv {
  key: string;
  value: string;
  createRevision: string;
  modRevision: string;
  version: string;
}

function kvsOf(body: unknown): WireKv[] {
  const kvs = (body as { kvs?: unknown }).kvs;
  if (kvs === undefined) return [];
  if (!Array.isArray(kvs)) throw new Error('kvs is not a list');
  return kvs as WireKv[];
}

export class KvHttpClient {
  constructor(readonly timeoutMs: number) {}

  put(endpoint: string, key: string, value: string): Promise<Outcome<void>> {
    return classified(() => postJson(endpoint, '/v3/kv/put', { key: b64(key), value: b64(value) }, this.timeoutMs), () => undefined);
  }

  /** The key's value, or null when absent. `serializable` reads the node's local state (may be stale). */
  get(endpoint: string, key: string, serializable = false): Promise<Outcome<string | null>> {
    const body = serializable ? { key: b64(key), serializable: true } : { key: b64(key) };
    return classified(
      () => postJson(endpoint, '/v3/kv/range', body, this.timeoutMs),
      (answer) => {
        const kv = kvsOf(answer)[0];
        return kv === undefined ? null : unb64(kv.value ?? '');
      },
    );
  }

  /** A txn: if the key's value equals `expected` (null: the key is absent), put `value`. Resolves to "succeeded". */
  cas(endpoint: string, key: string, expected: string | null, value: string): Promise<Outcome<boolean>> {
    const compare =
      expected === null
        ? { key: b64(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }
        : { key: b64(key), target: 'VALUE', result: 'EQUAL', value: b64(expected) };
    const body = { compare: [compare], success: [{ request_put: { key: b64(key), value: b64(value) } }], failure: [] };
    return classified(
      () => postJson(endpoint, '/v3/kv/txn', body, this.timeoutMs),
      (answer) => (answer as { succeeded?: unknown }).succeeded === true,
    );
  }

  /** Every key with its revisions, read from the node's local state (no quorum needed), and the store revision. */
  async localState(endpoint: string): Promise<{ revision: string; kvs: StoredKv[] }> {
    const answer = await postJson(endpoint, '/v3/kv/range', { key: 'AA==', range_end: 'AA==', serializable: true }, this.timeoutMs);
    if (answer.status !== 200) throw new Error(`range on ${endpoint}: ${errorText(answer)}`);
    const header = (answer.body as { header?: { revision?: string } }).header;
    const kvs = kvsOf(answer.body).map((kv) => ({
      key: unb64(kv.key ?? ''),
      value: unb64(kv.value ?? ''),
      createRevision: kv.create_revision ?? '0',
      modRevision: kv.mod_revision ?? '0',
      version: kv.version ?? '0',
    }));
    return { revision: header?.revision ?? '0', kvs };
  }

  /** raft status of one node: its own member id, the leader it knows ("0": none), commit and applied index. */
  async status(endpoint: string): Promise<NodeStatus> {
    const answer = await postJson(endpoint, '/v3/maintenance/status', {}, this.timeoutMs);
    if (answer.status !== 200) throw new Error(`status on ${endpoint}: ${errorText(answer)}`);
    const body = answer.body as { header?: { member_id?: string }; leader?: string; raftIndex?: string; raftTerm?: string; raftAppliedIndex?: string };
    return {
      memberId: body.header?.member_id ?? '0',
      leader: body.leader ?? '0',
      term: Number(body.raftTerm ?? 0),
      commitIndex: Number(body.raftIndex ?? 0),
      appliedIndex: Number(body.raftAppliedIndex ?? 0),
    };
  }

  /** Replaces the node's cnet fault plan; null clears it. */
  async setFaultPlan(endpoint: string, plan: object | null): Promise<void> {
    const answer = await postJson(endpoint, '/raftkv/fault', plan === null ? { plan: null } : plan, this.timeoutMs);
    if (answer.status !== 200) throw new Error(`fault plan on ${endpoint}: ${errorText(answer)}`);
  }
}

export interface NodeStatus {
  memberId: string;
  leader: string;
  term: number;
  commitIndex: number;
  appliedIndex: number;
}
