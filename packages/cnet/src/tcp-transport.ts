import net from 'node:net';
import { formatAddress, parseAddress } from './address.js';
import { withFaultPlan, type DropReason, type FaultInjector } from './fault-injector.js';
import type { FaultPlan } from './faults.js';
import { DEFAULT_MAX_FRAME_BYTES, frameSize, maxPayloadBytes, type Frame } from './frame.js';
import { InboundConnection, type InboundHost } from './inbound-connection.js';
import { silentLogger } from './logger.js';
import { OutboundPeer, type OutboundConfig } from './outbound-peer.js';
import { emptyPeerStats } from './peer-stats.js';
import type { Logger, Message, MessageHandler, PeerStats, Transport } from './transport.js';

export interface TcpTransportOptions {
  /** This node's id. */
  id: string;
  /** Peers from another cluster are refused. */
  clusterId: string;
  /** 'host:port' to listen on; port 0 picks a free port (see `address`). */
  listen: string;
  /** Peer id → 'host:port'. Only these nodes may connect to us, and we connect to each. */
  peers: Record<string, string>;
  /** Largest frame accepted or sent: the length field (version, kind, type, payload). Default 16 MiB. */
  maxFrameBytes?: number;
  /** Per-peer send queue bound in wire bytes; beyond it messages are dropped. Default 32 MiB. */
  maxQueueBytes?: number;
  /** Limit for TCP connect plus handshake, both directions. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** A connection whose writes make no progress this long is closed and redialed. Default 10000 ms. */
  writeTimeoutMs?: number;
  /** Reconnect backoff bounds. Defaults 50 ms and 2000 ms. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Bytes let into a socket's own buffer before the send queue holds back. Default 1 MiB. */
  socketBufferBytes?: number;
  logger?: Logger;
  faultPlan?: FaultPlan | null;
}

interface PeerEntry {
  stats: PeerStats;
  outbound: OutboundPeer;
  inbound: InboundConnection | null;
}

/** Transport over TCP: one outbound connection per peer, inbound connections accepted from peers. */
export class TcpTransport implements Transport, InboundHost {
  readonly id: string;
  readonly clusterId: string;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly logger: Logger;
  private readonly listenAt: { host: string; port: number };
  private readonly outboundConfig: OutboundConfig;
  private readonly peers = new Map<string, PeerEntry>();
  private readonly connections = new Set<InboundConnection>();
  private server: net.Server | null = null;
  private handler: MessageHandler = () => {};
  private unreachableHandler: (peerId: string) => void = () => {};
  private faults: FaultInjector | null = null;
  private started = false;
  private closed = false;

  constructor(options: TcpTransportOptions) {
    if (typeof options.id !== 'string' || options.id === '') throw new TypeError('TcpTransport needs a non-empty id');
    if (typeof options.clusterId !== 'string') throw new TypeError('TcpTransport needs a clusterId');
    this.id = options.id;
    this.clusterId = options.clusterId;
    this.listenAt = parseAddress(options.listen);
    this.maxFrameBytes = positive('maxFrameBytes', options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    this.logger = options.logger ?? silentLogger;
    const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? 5000);
    this.handshakeTimeoutMs = connectTimeoutMs;
    const backoffMinMs = positive('backoffMinMs', options.backoffMinMs ?? 50);
    this.outboundConfig = {
      localId: this.id,
      clusterId: this.clusterId,
      maxQueueBytes: positive('maxQueueBytes', options.maxQueueBytes ?? 32 * 1024 * 1024),
      connectTimeoutMs,
      writeTimeoutMs: positive('writeTimeoutMs', options.writeTimeoutMs ?? 10_000),
      backoffMinMs,
      backoffMaxMs: Math.max(backoffMinMs, positive('backoffMaxMs', options.backoffMaxMs ?? 2000)),
      socketBufferBytes: positive('socketBufferBytes', options.socketBufferBytes ?? 1024 * 1024),
      logger: this.logger,
      onUnreachable: (peerId) => this.unreachableHandler(peerId),
    };
    for (const [peerId, address] of Object.entries(options.peers)) this.addPeer(peerId, address);
    if (options.faultPlan) this.setFaultPlan(options.faultPlan);
  }

  /** The address actually listened on ('host:port'), known after start(). */
  get address(): string {
    const bound = this.server?.address();
    if (bound === null || bound === undefined || typeof bound === 'string') return formatAddress(this.listenAt);
    return formatAddress({ host: bound.address, port: bound.port });
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('TcpTransport already started');
    if (this.closed) throw new Error('TcpTransport is closed');
    this.started = true;
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = null;
        this.started = false; // the caller may retry start() later
        reject(new Error(`cnet: cannot listen on ${formatAddress(this.listenAt)}: ${err.message}`));
      };
      server.once('error', onError);
      server.listen(this.listenAt.port, this.listenAt.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error({ err: err.message }, 'cnet: server error'));
    this.logger.info({ id: this.id, address: this.address }, 'cnet: listening');
    for (const peer of this.peers.values()) peer.outbound.start();
  }

  send(msg: Message): void {
    if (!isSendable(msg, this.maxFrameBytes)) {
      this.logger.warn({ to: msg?.to, type: msg?.type }, 'cnet: dropping malformed or oversized message');
      const peer = this.peers.get(msg?.to);
      if (peer !== undefined) peer.stats.messagesDropped++;
      return;
    }
    if (this.faults !== null) {
      // Links in a fault plan are named by node id, so the sender is always this node.
      this.faults.route(msg.from === this.id ? msg : { ...msg, from: this.id });
      return;
    }
    this.enqueue(msg);
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  onPeerUnreachable(handler: (peerId: string) => void): void {
    this.unreachableHandler = handler;
  }

  setFaultPlan(plan: FaultPlan | null): void {
    this.faults = withFaultPlan(this.faults, plan, (msg) => this.enqueue(msg), (msg, reason) => this.countFaultDrop(msg, reason));
  }


  stats(): Record<string, PeerStats> {
    const out: Record<string, PeerStats> = {};
    for (const [peerId, peer] of this.peers) out[peerId] = { ...peer.stats };
    return out;
  }

  /**
   * Resolves once fewer than `belowBytes` wait in the send queue to `peerId`: lets a caller
   * with much to send (a snapshot, a benchmark) keep pace with the link instead of overflowing it.
   */
  whenQueueBelow(peerId: string, belowBytes: number): Promise<void> {
    return this.peers.get(peerId)?.outbound.whenQueueBelow(belowBytes) ?? Promise.resolve();
  }

  /** Adds a peer (or moves it to a new address) at run time, e.g. after a membership change. */
  addPeer(peerId: string, address: string): void {
    parseAddress(address); // fail now on a malformed address
    if (peerId === this.id) return;
    const existing = this.peers.get(peerId);
    if (existing !== undefined) {
      existing.outbound.setAddress(address);
      return;
    }
    const stats = emptyPeerStats();
    const outbound = new OutboundPeer(peerId, address, this.outboundConfig, stats);
    this.peers.set(peerId, { stats, outbound, inbound: null });
    if (this.started && !this.closed) outbound.start();
  }

  /** Forgets a peer: its connections close, its queue is discarded, it may no longer connect. */
  removePeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined) return;
    this.peers.delete(peerId);
    peer.outbound.close();
    peer.inbound?.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.faults?.close();
    this.faults = null;
    for (const peer of this.peers.values()) peer.outbound.close();
    for (const conn of this.connections) conn.close();
    const server = this.server;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.logger.debug({ id: this.id }, 'cnet: closed');
  }

  // InboundHost

  isKnownPeer(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  onPeerConnected(peerId: string, conn: InboundConnection): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined) return conn.close();
    // A peer that restarted dials again before we notice its old connection died.
    if (peer.inbound !== null && peer.inbound !== conn) peer.inbound.close();
    peer.inbound = conn;
    this.logger.debug({ peer: peerId }, 'cnet: peer connected to us');
    // It is up again: dial it now rather than when a backoff grown while it was down runs out (up to backoffMaxMs).
    peer.outbound.redialNow();
  }

  onPeerFrame(peerId: string, frame: Frame): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined) return;
    const bytes = frameSize(frame.payload.length);
    if (this.faults !== null && this.faults.isCut(peerId, this.id)) {
      peer.stats.messagesDropped++;
      peer.stats.bytesDropped += bytes;
      return;
    }
    peer.stats.messagesReceived++;
    peer.stats.bytesReceived += bytes;
    try {
      this.handler({ from: peerId, to: this.id, type: frame.type, payload: frame.payload });
    } catch (err) {
      this.logger.error({ peer: peerId, err: String(err) }, 'cnet: message handler threw');
    }
  }

  onClosed(conn: InboundConnection): void {
    this.connections.delete(conn);
    const peerId = conn.peer;
    if (peerId === null) return;
    const peer = this.peers.get(peerId);
    if (peer !== undefined && peer.inbound === conn) peer.inbound = null;
  }

  private accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.connections.add(new InboundConnection(socket, this));
  }

  private enqueue(msg: Message): void {
    const peer = this.peers.get(msg.to);
    if (peer === undefined) {
      this.logger.debug({ to: msg.to }, 'cnet: dropping message to unknown peer');
      return;
    }
    peer.outbound.enqueue(msg);
  }

  private countFaultDrop(msg: Message, reason: DropReason): void {
    const peer = this.peers.get(msg.to);
    if (peer === undefined) return;
    peer.stats.messagesDropped++;
    peer.stats.bytesDropped += frameSize(msg.payload.byteLength);
    this.logger.debug({ to: msg.to, reason }, 'cnet: fault plan dropped a message');
  }
}

function isSendable(msg: Message, maxFrameBytes: number): boolean {
  return (
    typeof msg === 'object' &&
    msg !== null &&
    typeof msg.to === 'string' &&
    msg.payload instanceof Uint8Array &&
    Number.isInteger(msg.type) &&
    msg.type >= 0 &&
    msg.type <= 255 &&
    msg.payload.byteLength <= maxPayloadBytes(maxFrameBytes)
  );
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`TcpTransport option ${name} must be a positive number, got ${value}`);
  }
  return value;
}
