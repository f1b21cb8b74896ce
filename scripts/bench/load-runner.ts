/** Runs one load spec: `clients` closed loops, each waiting for its answer before sending the next request. */
import { performance } from 'node:perf_hooks';
import { HttpPoster, type PostReply } from './http-poster.js';
import { FILL_BATCH, casKey, casTxnBody, dataKey, fillTxnBody, putBody, rangeBody } from './kv-bodies.js';
import type { FailoverResult, LoadResult, LoadSpec } from './loadgen-protocol.js';
import { SampleBuffer, summarize } from './stats.js';

const MAX_ERROR_SAMPLES = 8;
/** After an error a client pauses briefly, so a refusing node is not hammered in a tight loop. */
const ERROR_PAUSE_MS = 5;

interface Header {
  revision?: string;
  raft_term?: string;
}

type Outcome = { ok: true; term: number } | { ok: false; error: string };

type Reply = { header?: Header; error?: string; message?: string } & Record<string, unknown>;

/** A 200 answer without an error field, parsed; anything else as an error text. */
function decode(reply: PostReply): { json: Reply } | { error: string } {
  let json: Reply;
  try {
    json = JSON.parse(reply.body) as Reply;
  } catch {
    return { error: `HTTP ${reply.status}: unparsable body ${JSON.stringify(reply.body.slice(0, 60))}` };
  }
  if (reply.status !== 200 || json.error !== undefined) return { error: `HTTP ${reply.status}: ${json.error ?? json.message ?? 'no error text'}` };
  return { json };
}

function termOf(json: Reply): number {
  return Number(json.header?.raft_term ?? 0);
}

/** One client's next request, given its index and how many requests it has sent; 'done' when a fill has nothing left. */
type Operation = (client: number, seq: number) => Promise<Outcome | 'done'>;

function operationFor(spec: LoadSpec, poster: HttpPoster, stats: { casMisses: number }): Operation {
  const n = poster.endpointCount;
  const keys = Array.from({ length: spec.keySpace }, (_, i) => dataKey(i));
  const randomKey = (): string => keys[Math.floor(Math.random() * keys.length)]!;
  // Under a kill plan the clients' timeouts differ, so their retries spread out instead of all firing together.
  const timeoutOf = (client: number): number => (spec.kill ? Math.round(spec.requestTimeoutMs * (1 + client / spec.clients)) : spec.requestTimeoutMs);
  const call = async (client: number, seq: number, path: string, body: string, check?: (json: Reply) => string | undefined): Promise<Outcome & { json?: Reply }> => {
    let reply: PostReply;
    try {
      reply = await poster.post((client + seq) % n, path, body, timeoutOf(client));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { ok: false, error: e.code ?? e.message };
    }
    const decoded = decode(reply);
    if ('error' in decoded) return { ok: false, error: decoded.error };
    const problem = check?.(decoded.json);
    return problem === undefined ? { ok: true, term: termOf(decoded.json), json: decoded.json } : { ok: false, error: problem };
  };
  const foundOne = (json: Reply): string | undefined => (json.count === '1' || json.count === 1 ? undefined : 'range: key not found');

  switch (spec.kind) {
    case 'put':
      return (c, s) => call(c, s, '/v3/kv/put', putBody(randomKey()));
    case 'range-linearizable':
    case 'range-serializable': {
      const serializable = spec.kind === 'range-serializable';
      return (c, s) => call(c, s, '/v3/kv/range', rangeBody(randomKey(), serializable), foundOne);
    }
    case 'txn-cas': {
      const revisions = new Array<number>(spec.clients).fill(0);
      return async (c, s) => {
        const out = await call(c, s, '/v3/kv/txn', casTxnBody(casKey(c), revisions[c]!));
        if (!out.ok || !out.json) return out;
        const json = out.json as Reply & { succeeded?: boolean; responses?: Array<{ response_range?: { kvs?: Array<{ mod_revision?: string }> } }> };
        if (json.succeeded === true) {
          revisions[c] = Number(json.header?.revision);
        } else {
          stats.casMisses++;
          revisions[c] = Number(json.responses?.[0]?.response_range?.kvs?.[0]?.mod_revision ?? 0);
        }
        return out;
      };
    }
    case 'fill': {
      let nextBatch = 0;
      const batches = Math.ceil(keys.length / FILL_BATCH);
      // A failed batch is tried again: a fill must write every key.
      const retry: number[] = [];
      return async (c, s) => {
        const batch = retry.shift() ?? (nextBatch < batches ? nextBatch++ : undefined);
        if (batch === undefined) return 'done';
        const out = await call(c, s, '/v3/kv/txn', fillTxnBody(keys.slice(batch * FILL_BATCH, (batch + 1) * FILL_BATCH)));
        if (!out.ok) retry.push(batch);
        return out;
      };
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const poster = new HttpPoster(spec.endpoints, spec.clients);
  const stats = { casMisses: 0 };
  const operation = operationFor(spec, poster, stats);
  const latencies = new SampleBuffer();
  const errorSamples: Record<string, number> = {};
  let errors = 0;
  let ops = 0;
  let allOps = 0;
  let lastEnd = 0;

  const start = performance.now();
  const cpuAtStart = process.cpuUsage();
  const measureFrom = spec.kill || spec.kind === 'fill' ? start : start + spec.warmupMs;
  // A fill stops at the end of its time budget too; the caller sees the missing batches in `ops`.
  let deadline = measureFrom + spec.durationMs;

  let failover: FailoverResult | undefined;
  let killedAt = Infinity;
  let killTimer: NodeJS.Timeout | undefined;
  const kill = spec.kill;
  if (kill) {
    failover = { recoveredAfterMs: null, newTerm: null, errorsAfterKill: 0 };
    deadline = Infinity;
    killTimer = setTimeout(() => {
      killedAt = performance.now();
      try {
        process.kill(kill.pid, 'SIGKILL');
      } catch {
        // Already gone: the measurement still shows when writes resumed.
      }
      deadline = killedAt + kill.maxWaitMs;
    }, kill.afterMs);
  }

  const client = async (c: number): Promise<void> => {
    for (let seq = 0; ; seq++) {
      const t0 = performance.now();
      if (t0 >= deadline) return;
      const out = await operation(c, seq);
      if (out === 'done') return;
      const t1 = performance.now();
      const counted = t0 >= measureFrom;
      if (out.ok) {
        allOps++;
        if (counted) {
          ops++;
          latencies.push(t1 - t0);
          lastEnd = Math.max(lastEnd, t1);
        }
        if (failover && kill && failover.recoveredAfterMs === null && t1 >= killedAt && out.term > kill.termBefore) {
          failover.recoveredAfterMs = t1 - killedAt;
          failover.newTerm = out.term;
          deadline = t1 + kill.settleMs;
        }
      } else {
        if (counted) {
          errors++;
          if (errorSamples[out.error] !== undefined || Object.keys(errorSamples).length < MAX_ERROR_SAMPLES)
            errorSamples[out.error] = (errorSamples[out.error] ?? 0) + 1;
        }
        if (failover && t1 >= killedAt) failover.errorsAfterKill++;
        await sleep(ERROR_PAUSE_MS);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: spec.clients }, (_, c) => client(c)));
  } finally {
    clearTimeout(killTimer);
    poster.close();
  }
  const cpu = process.cpuUsage(cpuAtStart);
  const wallMs = performance.now() - start;
  const elapsedMs = Math.max(0, lastEnd - measureFrom);
  return {
    ops,
    allOps,
    errors,
    errorSamples,
    elapsedMs,
    throughput: elapsedMs > 0 ? (ops * 1000) / elapsedMs : 0,
    latencyMs: summarize(latencies.values()),
    clientCpuPercent: wallMs > 0 ? (cpu.user + cpu.system) / 10 / wallMs : 0,
    casMisses: stats.casMisses,
    failover,
  };
}
