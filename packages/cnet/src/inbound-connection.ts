import type net from 'node:net';
import { FrameDecoder, FrameKind, type Frame } from './frame.js';
import { HANDSHAKE_MAX_FRAME_BYTES, encodeHelloOk, encodeRefuse, parseHello } from './handshake.js';
import type { Logger } from './transport.js';

/** What an accepted connection needs from its transport. */
export interface InboundHost {
  readonly id: string;
  readonly clusterId: string;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly logger: Logger;
  isKnownPeer(id: string): boolean;
  /** The peer passed the handshake on this connection. */
  onPeerConnected(peerId: string, conn: InboundConnection): void;
  onPeerFrame(peerId: string, frame: Frame): void;
  onClosed(conn: InboundConnection): void;
}

/**
 * A connection a peer dialed to us: first a handshake, then a one-way stream of
 * message frames from that peer. Any protocol violation closes it with a logged reason.
 */
export class InboundConnection {
  private peerId: string | null = null;
  private readonly decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES);
  private handshakeTimer: NodeJS.Timeout | null;
  private readonly remote: string;

  constructor(
    readonly socket: net.Socket,
    private readonly host: InboundHost,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    this.handshakeTimer = setTimeout(() => this.reject('no handshake in time'), host.handshakeTimeoutMs);
    socket.on('data', this.onData);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      host.logger.debug({ peer: this.peerId, remote: this.remote, code: err.code, err: err.message }, 'cnet: inbound connection error');
    });
    socket.on('close', () => {
      this.clearHandshakeTimer();
      host.onClosed(this);
    });
  }

  get peer(): string | null {
    return this.peerId;
  }

  close(): void {
    this.clearHandshakeTimer();
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    try {
      this.decoder.push(chunk, this.onFrame);
    } catch (err) {
      if (err instanceof HandledRefusal) return;
      this.reject(err instanceof Error ? err.message : String(err));
    }
  };

  private readonly onFrame = (frame: Frame): void => {
    if (this.peerId !== null) {
      if (frame.kind !== FrameKind.Message) throw new Error(`unexpected frame kind ${frame.kind} after the handshake`);
      this.host.onPeerFrame(this.peerId, frame);
      return;
    }
    const hello = parseHello(frame);
    const refusal = this.checkHello(hello.clusterId, hello.from, hello.to);
    if (refusal !== null) {
      this.refuse(refusal, hello.from);
      throw new HandledRefusal();
    }
    this.clearHandshakeTimer();
    this.peerId = hello.from;
    this.decoder.setMaxFrameBytes(this.host.maxFrameBytes);
    this.socket.write(encodeHelloOk(this.host.clusterId, this.host.id));
    this.host.onPeerConnected(hello.from, this);
  };

  private checkHello(clusterId: string, from: string, to: string): string | null {
    if (clusterId !== this.host.clusterId) return `wrong cluster: ${JSON.stringify(clusterId)}, this is ${JSON.stringify(this.host.clusterId)}`;
    if (to !== this.host.id) return `wrong node: asked for ${JSON.stringify(to)}, this is ${JSON.stringify(this.host.id)}`;
    if (!this.host.isKnownPeer(from)) return `unknown node ${JSON.stringify(from)}`;
    return null;
  }

  /** Tells the dialer why, then hangs up. */
  private refuse(reason: string, claimedId: string): void {
    this.host.logger.warn({ remote: this.remote, claimedId, reason }, 'cnet: refused inbound connection');
    this.clearHandshakeTimer();
    this.socket.off('data', this.onData);
    this.socket.end(encodeRefuse(reason));
    // The dialer hangs up on reading the refusal; one that does not is cut off.
    this.handshakeTimer = setTimeout(() => this.socket.destroy(), 1000);
  }

  /** Closes a connection that broke the protocol. */
  private reject(reason: string): void {
    if (this.socket.destroyed) return;
    this.host.logger.warn({ peer: this.peerId, remote: this.remote, reason }, 'cnet: closing inbound connection');
    this.close();
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }
}

/** Thrown out of the frame callback to stop decoding after a refusal that was already answered. */
class HandledRefusal extends Error {}
