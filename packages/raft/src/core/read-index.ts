import type { NodeId } from './messages.js';
import { NO_CONTEXT } from './message-util.js';

/** A read waiting for a confirmation round: who asked (the leader itself or a follower) and its context. */
export interface PendingRead {
  from: NodeId;
  context: Uint8Array;
}

export interface ReadRound {
  id: number;
  /** The commit index when the round started: every read in it may be served once applied reaches it. */
  index: number;
  reads: PendingRead[];
  acks: Set<NodeId>;
}

/**
 * ReadIndex (§6.4) with batching: one heartbeat round is in flight at a time, and every read that
 * arrives meanwhile waits for the next round, so a burst of reads costs one round, not one each.
 */
export class ReadIndexQueue {
  private waiting: PendingRead[] = [];
  private round: ReadRound | null = null;
  private nextRoundId = 1;

  add(read: PendingRead): void {
    this.waiting.push(read);
  }

  canStartRound(): boolean {
    return this.round === null && this.waiting.length > 0;
  }

  /** Starts a round over all waiting reads if none is in flight; the leader acks itself. */
  startRound(committed: number, self: NodeId): ReadRound | null {
    if (this.round !== null || this.waiting.length === 0) return null;
    this.round = { id: this.nextRoundId++, index: committed, reads: this.waiting, acks: new Set([self]) };
    this.waiting = [];
    return this.round;
  }

  /** The context heartbeats carry: the in-flight round's, or empty. */
  currentContext(): Uint8Array {
    return this.round ? encodeRoundId(this.round.id) : NO_CONTEXT;
  }

  /** A heartbeat answer echoing a context: returns the round once a quorum confirmed it. */
  ack(from: NodeId, context: Uint8Array, quorum: number): ReadRound | null {
    const round = this.round;
    if (!round || decodeRoundId(context) !== round.id) return null;
    round.acks.add(from);
    if (round.acks.size < quorum) return null;
    this.round = null;
    return round;
  }

  /** Finishes the in-flight round at once (a single-voter cluster needs no confirmation). */
  releaseRound(): ReadRound | null {
    const round = this.round;
    this.round = null;
    return round;
  }

  /** Leadership lost: pending reads are dropped, the requesters retry. */
  reset(): void {
    this.waiting = [];
    this.round = null;
  }
}

function encodeRoundId(id: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, id);
  return out;
}

function decodeRoundId(context: Uint8Array): number {
  if (context.byteLength !== 8) return -1;
  return new DataView(context.buffer, context.byteOffset, 8).getFloat64(0);
}
