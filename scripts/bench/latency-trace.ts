/**
 * A preload that records where a node's requests wait: every fast-path KV request (arrival, body read, answered,
 * written), every Ready (started, durable, done), every acknowledgement received, and every GC pause, from the
 * tracing channels raft and kv-server publish on. Use it on the benchmark's nodes:
 *   RAFTKV_LATENCY_TRACE=trace,15000,10000 npm run bench -- --only put-1-all --system raftkv \
 *     --node-args "--import $PWD/scripts/dist/bench/latency-trace.js"
 * records from 15 s after each node starts for 10 s and writes trace/trace-<name>.json (times in ms since the
 * epoch, so the nodes' traces line up); `node scripts/dist/bench/latency-breakdown.js trace/trace-*.json` reads
 * them. Without RAFTKV_LATENCY_TRACE it does nothing.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { MessageType, READY_TRACE_CHANNEL, RECEIVE_TRACE_CHANNEL, type ReadyTraceEvent, type ReceiveTraceEvent } from '@raftkv/raft';
import { KV_REQUEST_TRACE_CHANNEL, type KvRequestTraceEvent } from '@raftkv/kv-server';
import type { NodeTrace } from './latency-summary.js';
import { preloadWindow } from './preload-window.js';

const window = preloadWindow('RAFTKV_LATENCY_TRACE');
if (window !== null) {
  const { dir, startMs, durationMs, name } = window;
  const origin = performance.timeOrigin;
  const trace: NodeTrace = { node: name, requests: [], readies: [], acks: [], gcs: [] };
  const onRequest = (message: unknown) => {
    const e = message as KvRequestTraceEvent;
    const at = (t: number) => (t === 0 ? 0 : origin + t);
    trace.requests.push({
      url: e.url,
      status: e.status,
      startedAt: at(e.startedAt),
      bodyReadAt: at(e.bodyReadAt),
      handledAt: at(e.handledAt),
      finishedAt: at(e.finishedAt),
    });
  };
  const onReady = (message: unknown) => {
    const e = message as ReadyTraceEvent;
    trace.readies.push({
      startedAt: origin + e.startedAt,
      persistedAt: origin + e.persistedAt,
      finishedAt: origin + e.finishedAt,
      entries: e.entries,
      lastEntryIndex: e.lastEntryIndex,
      committedTo: e.committedTo,
    });
  };
  const onReceive = (message: unknown) => {
    const e = message as ReceiveTraceEvent;
    if (e.type === MessageType.AppendResponse && !e.reject) trace.acks.push({ at: origin + e.at, from: e.from, index: e.index });
  };
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) trace.gcs.push({ startedAt: origin + entry.startTime, durationMs: entry.duration });
  });
  let recording = false;
  const finish = () => {
    if (!recording) return;
    recording = false;
    unsubscribe(KV_REQUEST_TRACE_CHANNEL, onRequest);
    unsubscribe(READY_TRACE_CHANNEL, onReady);
    unsubscribe(RECEIVE_TRACE_CHANNEL, onReceive);
    gcObserver.disconnect();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `trace-${name}.json`), JSON.stringify(trace));
  };
  setTimeout(() => {
    recording = true;
    subscribe(KV_REQUEST_TRACE_CHANNEL, onRequest);
    subscribe(READY_TRACE_CHANNEL, onReady);
    subscribe(RECEIVE_TRACE_CHANNEL, onReceive);
    gcObserver.observe({ entryTypes: ['gc'] });
    setTimeout(finish, durationMs).unref();
  }, startMs).unref();
  // A node stopped inside the window still leaves what it recorded.
  process.on('exit', finish);
}
