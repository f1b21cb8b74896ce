import { channel } from 'node:diagnostics_channel';

/**
 * A tracing point for finding where a KV request waits (scripts/bench/latency-trace.ts subscribes to it): one event
 * per request served on the fast path, published only when something subscribed. Times are performance.now().
 */
export const KV_REQUEST_TRACE_CHANNEL = 'raftkv:http:kv-request';

export interface KvRequestTraceEvent {
  url: string;
  status: number;
  /** Handed to the listener, body read, handler answered, response written (a stage a failed request never reached: 0). */
  startedAt: number;
  bodyReadAt: number;
  handledAt: number;
  finishedAt: number;
}

export const kvRequestTrace = channel(KV_REQUEST_TRACE_CHANNEL);
