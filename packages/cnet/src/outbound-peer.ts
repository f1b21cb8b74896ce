import net from 'node:net';
import { parseAddress } from './address.js';
import { backoffDelay } from './backoff.js';
import { encodeMessageBatch } from './frame-batch.js';
import { FrameDecoder, frameSize } from './frame.js';
import { HANDSHAKE_MAX_FRAME_BYTES, encodeHello, parseHelloReply } from './handshake.js';
import { SendQueue } from './send-queue.js';
import type { Logger, Message, PeerStats } from './transport.js';

export interface OutboundConfig {
  localId: string;
  clusterId: string;
  maxQueueBytes: number;
  connectTimeoutMs: number;
  writeTimeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  /** Bytes allowed in the socket's own buffer before the queue stops feeding it. */
  socketBufferBytes: number;
  logger: Logger;
  /** A redial of a peer that was connected before was refused: nothing listens at its address any more. */
  onUnreachable: (peerId: string) => void;
}

type State = 'idle' | 'backoff' | 'connecting' | 'connected' | 'closed';

/**
 * The one long-lived outbound connection to a peer, with its bounded send queue.
 * Dials, handshakes, redials with backoff; messages wait in the queue while the
 * link is down and are dropped (and counted) once the queue is full.
 */
export class OutboundPeer {
  private state: State = 'idle';
  private socket: net.Socket | null = null;
  private readonly queue: SendQueue;
  private attempt = 0;
  private everConnected = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private writeTimer: NodeJS.Timeout | null = null;
  private flushScheduled = false;
  private lastRefusal = '';
  private readonly queueWaiters: Array<{ belowBytes: number; resolve: () => void }> = [];

  constructor(
    readonly peerId: string,
    private address: string,
    private readonly config: OutboundConfig,
    private readonly stats: PeerStats,
  ) {
    this.queue = new SendQueue(config.maxQueueBytes);
  }

  start(): void {
    this.dial();
  }

  /** Queues a message; drops and counts it when the queue is full. */
  enqueue(msg: Message): void {
    if (this.state === 'closed' || !this.queue.tryPush(msg)) {
      this.stats.messagesDropped++;
      this.stats.bytesDropped += frameSize(msg.payload.byteLength);
      return;
    }
    this.stats.queuedBytes = this.queue.bytes;
    if (this.state === 'connected') this.scheduleFlush();
  }

  /** Resolves once the send queue holds fewer than `belowBytes` (or the link is closed). */
  whenQueueBelow(belowBytes: number): Promise<void> {
    if (this.state === 'closed' || this.queue.bytes < belowBytes) return Promise.resolve();
    return new Promise((resolve) => this.queueWaiters.push({ belowBytes, resolve }));
  }

  /** Points the link at a new address; an existing connection is dropped and redialed. */
  setAddress(address: string): void {
    if (address === this.address) return;
    this.address = address;
    if (this.state === 'closed' || this.state === 'idle') return; // start() dials the new address
    this.disconnect('peer address changed');
    this.clearRetry();
    this.dial();
  }

  /** Skips the rest of a backoff wait and dials now, with the backoff reset (the peer is known to be up). */
  redialNow(): void {
    if (this.state !== 'backoff') return;
    this.clearRetry();
    this.attempt = 0;
    this.dial();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.clearRetry();
    this.disconnect('transport closed');
    this.state = 'closed';
    this.queue.clear();
    this.stats.queuedBytes = 0;
    this.wakeQueueWaiters();
  }

  private dial(): void {
    if (this.state === 'closed') return;
    let target: { host: string; port: number };
    try {
      target = parseAddress(this.address);
    } catch (err) {
      this.config.logger.error({ peer: this.peerId, err: String(err) }, 'cnet: cannot dial peer');
      this.scheduleRetry();
      return;
    }
    this.state = 'connecting';
    const socket = net.connect({ host: target.host, port: target.port });
    this.socket = socket;
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES);
    this.connectTimer = setTimeout(() => this.fail(socket, `connect/handshake timed out after ${this.config.connectTimeoutMs} ms`), this.config.connectTimeoutMs);
    socket.on('connect', () => {
      socket.setKeepAlive(true, 10_000);
      socket.write(encodeHello({ clusterId: this.config.clusterId, from: this.config.localId, to: this.peerId }));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk, (frame) => {
          if (this.state !== 'connecting' || socket !== this.socket) throw new Error('unexpected frame after the handshake');
          const reply = parseHelloReply(frame);
          if (!reply.ok) throw new Refused(reply.reason);
          if (reply.id !== this.peerId || reply.clusterId !== this.config.clusterId) {
            throw new Refused(`address ${this.address} answered as node ${reply.id} of cluster ${reply.clusterId}`);
          }
          this.onHandshakeDone();
        });
      } catch (err) {
        this.fail(socket, err instanceof Error ? err.message : String(err), err instanceof Refused);
      }
    });
    socket.on('drain', () => this.scheduleFlush());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.config.logger.debug({ peer: this.peerId, code: err.code, err: err.message }, 'cnet: outbound connection error');
      // Refused (not timed out): its process is gone. Only after a first connection, so a peer that is
      // merely not up yet, or a wrong address, never raises it.
      if (err.code === 'ECONNREFUSED' && this.everConnected && this.state === 'connecting') this.config.onUnreachable(this.peerId);
    });
    socket.on('close', () => this.onSocketClosed(socket));
  }

  private onHandshakeDone(): void {
    this.clearConnectTimer();
    this.state = 'connected';
    this.attempt = 0;
    this.lastRefusal = '';
    if (this.everConnected) this.stats.reconnects++;
    this.everConnected = true;
    this.stats.connected = true;
    this.config.logger.info({ peer: this.peerId, address: this.address }, 'cnet: connected to peer');
    if (this.queue.length > 0) this.scheduleFlush();
  }

  /** Closes a connection attempt or connection that went wrong; a refusal is logged as a warning once per reason. */
  private fail(socket: net.Socket, reason: string, refused = false): void {
    if (socket !== this.socket) return;
    if (refused && reason !== this.lastRefusal) {
      this.config.logger.warn({ peer: this.peerId, reason }, 'cnet: peer refused the connection');
      this.lastRefusal = reason;
    } else {
      this.config.logger.debug({ peer: this.peerId, reason }, 'cnet: closing outbound connection');
    }
    socket.destroy();
  }

  private onSocketClosed(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearConnectTimer();
    this.clearWriteTimer();
    if (this.stats.connected) this.config.logger.info({ peer: this.peerId }, 'cnet: lost connection to peer');
    this.stats.connected = false;
    if (this.state === 'closed') return;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.state = 'backoff';
    const delay = backoffDelay(this.attempt++, this.config.backoffMinMs, this.config.backoffMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.dial();
    }, delay);
  }

  private disconnect(reason: string): void {
    const socket = this.socket;
    if (socket === null) return;
    this.config.logger.debug({ peer: this.peerId, reason }, 'cnet: closing outbound connection');
    this.socket = null;
    this.clearConnectTimer();
    this.clearWriteTimer();
    this.stats.connected = false;
    socket.destroy();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // A microtask: everything sent in the current synchronous run goes out in one write, without waiting a turn of
    // the event loop (which setImmediate would).
    queueMicrotask(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const socket = this.socket;
    if (this.state !== 'connected' || socket === null || this.queue.length === 0) return;
    const room = this.config.socketBufferBytes - socket.writableLength;
    if (room <= 0) return; // 'drain' schedules the next flush
    const queuedBefore = this.queue.bytes;
    const batch = this.queue.take(room);
    const chunks = encodeMessageBatch(batch);
    if (chunks.length === 1) {
      socket.write(chunks[0]!);
    } else {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
    this.stats.messagesSent += batch.length;
    this.stats.bytesSent += queuedBefore - this.queue.bytes;
    this.stats.queuedBytes = this.queue.bytes;
    if (this.queueWaiters.length > 0) this.wakeQueueWaiters();
    if (this.writeTimer === null && socket.writableLength > 0) this.armWriteTimer(socket);
    if (this.queue.length > 0 && socket.writableLength < this.config.socketBufferBytes) this.scheduleFlush();
  };

  private wakeQueueWaiters(): void {
    const closed = this.state === 'closed';
    for (let i = this.queueWaiters.length - 1; i >= 0; i--) {
      const waiter = this.queueWaiters[i]!;
      if (closed || this.queue.bytes < waiter.belowBytes) {
        this.queueWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /**
   * A peer that stops reading must not hold its queue forever: a socket with bytes
   * pending and no bytes flushed for a whole writeTimeoutMs is closed and redialed.
   * Checked by a timer rather than per write, to keep the send path cheap.
   */
  private armWriteTimer(socket: net.Socket): void {
    const flushed = socket.bytesWritten - socket.writableLength;
    this.writeTimer = setTimeout(() => {
      this.writeTimer = null;
      if (socket !== this.socket || socket.writableLength === 0) return;
      if (socket.bytesWritten - socket.writableLength > flushed) {
        this.armWriteTimer(socket);
        return;
      }
      this.config.logger.warn({ peer: this.peerId, pendingBytes: socket.writableLength }, 'cnet: write timed out, reconnecting');
      socket.destroy();
    }, this.config.writeTimeoutMs);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private clearWriteTimer(): void {
    if (this.writeTimer !== null) clearTimeout(this.writeTimer);
    this.writeTimer = null;
  }
}

/** The peer answered the handshake with a refusal (or as the wrong node). */
class Refused extends Error {}
