import { channel } from 'node:diagnostics_channel';
import type { MessageType, NodeId } from '../core/messages.js';

/**
 * Tracing points for finding where a write waits (scripts/bench/latency-trace.ts subscribes to them). Nothing is
 * measured or published unless something subscribed. Times are performance.now() of the publishing process.
 */
export const READY_TRACE_CHANNEL = 'raftkv:raft:ready';
export const RECEIVE_TRACE_CHANNEL = 'raftkv:raft:receive';

/** One Ready the driver handled: when it started, when its write was durable (= started without one), when it was done. */
export interface ReadyTraceEvent {
  node: NodeId;
  startedAt: number;
  persistedAt: number;
  finishedAt: number;
  /** New entries written, and the index of the last of them (0 without any). */
  entries: number;
  lastEntryIndex: number;
  /**
   * The last committed entry handed to the apply queue by this Ready or while its write persisted (0 without any).
   */
  committedTo: number;
}

/** One Raft message this node received for itself, published just before it is stepped. */
export interface ReceiveTraceEvent {
  node: NodeId;
  at: number;
  from: NodeId;
  type: MessageType;
  index: number;
  reject: boolean;
}

export const readyTrace = channel(READY_TRACE_CHANNEL);
export const receiveTrace = channel(RECEIVE_TRACE_CHANNEL);
