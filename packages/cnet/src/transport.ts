/** A message between two nodes. The transport never looks inside `payload`. */
export interface Message {
  from: string;
  to: string;
  /** Small application-defined tag (0..255), carried in the frame header. */
  type: number;
  payload: Uint8Array;
}

export interface PeerStats {
  messagesSent: number;
  bytesSent: number;
  messagesReceived: number;
  bytesReceived: number;
  /** Dropped because the send queue was full, the link was cut, or a fault plan dropped it. */
  messagesDropped: number;
  bytesDropped: number;
  /** Bytes waiting in the send queue (not yet handed to the socket). */
  queuedBytes: number;
  /** Connections established to this peer after the first one. */
  reconnects: number;
  /** An outbound connection to this peer is up and past the handshake. */
  connected: boolean;
}

/** The minimal logger every package accepts; pino's Logger satisfies it. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export type MessageHandler = (msg: Message) => void;

/**
 * Sends messages to named peers and delivers messages addressed to this node.
 * `send` never throws and never blocks: what cannot be queued is dropped and counted.
 * `send` takes ownership of `msg.payload`: do not modify it afterwards.
 */
export interface Transport {
  readonly id: string;
  start(): Promise<void>;
  send(msg: Message): void;
  onMessage(handler: MessageHandler): void;
  /**
   * Called when a peer that was reachable is found gone: a redial was refused, so nothing listens at its address
   * (its process died or stopped). A stopped (SIGSTOP) or partitioned peer does not raise it. Optional.
   */
  onPeerUnreachable?(handler: (peerId: string) => void): void;
  /** Replaces the fault plan at run time; null removes it. */
  setFaultPlan(plan: import('./faults.js').FaultPlan | null): void;
  stats(): Record<string, PeerStats>;
  close(): Promise<void>;
}
