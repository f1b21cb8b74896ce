/**
 * Concurrent clients doing put, linearizable get and compare-and-swap on a few keys against random nodes,
 * recording every operation as invoke + ok/fail/info. A client that saw an indeterminate outcome continues
 * as a new process (Jepsen's convention), since its old operation may still be in flight.
 */
import { setMaxListeners } from 'node:events';
import type { HistoryRecorder, KvOp } from '../linearizability/index.js';
import type { KvHttpClient, Outcome } from './kv-http.js';
import { streamOf } from './random.js';
import { abortableSleep } from './timing.js';

export interface WorkloadOptions {
  seed: number;
  clients: number;
  keys: string[];
  endpoints: string[];
  /** Serve reads from the chosen node's local state (a deliberately broken client, for checking the checker). */
  staleReads: boolean;
  /** Pause between a client's operations, ms. */
  thinkMs: number;
}

export interface WorkloadCounts {
  invoked: number;
  ok: number;
  fail: number;
  info: number;
  byOp: Record<KvOp['f'], { ok: number; fail: number; info: number }>;
}

export function emptyCounts(): WorkloadCounts {
  const zero = () => ({ ok: 0, fail: 0, info: 0 });
  return { invoked: 0, ok: 0, fail: 0, info: 0, byOp: { put: zero(), get: zero(), delete: zero(), cas: zero() } };
}

export async function runWorkload(
  options: WorkloadOptions,
  client: KvHttpClient,
  recorder: HistoryRecorder,
  signal: AbortSignal,
): Promise<WorkloadCounts> {
  const counts = emptyCounts();
  setMaxListeners(options.clients + 10, signal); // each client's back-off sleep listens for the stop
  let nextProcess = options.clients;
  const worker = async (index: number): Promise<void> => {
    const rng = streamOf(options.seed, index);
    let process = index;
    let sequence = 0;
    const lastSeen = new Map<string, string | null>();
    while (!signal.aborted) {
      const key = rng.pick(options.keys);
      const endpoint = rng.pick(options.endpoints);
      const roll = rng.next();
      const value = `c${index}-${sequence++}`; // unique across the run: the checker tells writes apart by value
      let op: KvOp;
      if (roll < 0.4) op = { f: 'get', key };
      else if (roll < 0.75) op = { f: 'put', key, value };
      else op = { f: 'cas', key, expected: lastSeen.get(key) ?? null, value };

      const opId = recorder.invoke(process, op);
      counts.invoked++;
      let outcome: Outcome<unknown>;
      if (op.f === 'get') {
        const read = await client.get(endpoint, key, options.staleReads);
        if (read.kind === 'ok') {
          recorder.ok(opId, { f: 'get', value: read.value });
          lastSeen.set(key, read.value);
        }
        outcome = read;
      } else if (op.f === 'put') {
        outcome = await client.put(endpoint, key, op.value);
        if (outcome.kind === 'ok') {
          recorder.ok(opId, { f: 'put' });
          lastSeen.set(key, op.value);
        }
      } else if (op.f === 'cas') {
        const swap = await client.cas(endpoint, key, op.expected, op.value);
        if (swap.kind === 'ok') {
          recorder.ok(opId, { f: 'cas', succeeded: swap.value });
          if (swap.value) lastSeen.set(key, op.value);
          else lastSeen.delete(key); // our idea of the value was wrong: re-learn it (or try "absent")
        }
        outcome = swap;
      } else {
        throw new Error(`the workload does not issue ${(op as KvOp).f}`);
      }
      counts[outcome.kind]++;
      counts.byOp[op.f][outcome.kind]++;
      if (outcome.kind === 'fail') recorder.fail(opId, outcome.error);
      if (outcome.kind === 'info') {
        recorder.info(opId, outcome.error);
        process = nextProcess++;
      }
      // Back off after a failure so a dead node is not hammered with refused connections.
      await abortableSleep(outcome.kind === 'ok' ? options.thinkMs : 100 + options.thinkMs, signal);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => worker(i)));
  return counts;
}
