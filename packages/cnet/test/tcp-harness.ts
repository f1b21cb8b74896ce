import net from 'node:net';
import { FrameDecoder, TcpTransport, freeLoopbackPorts, type Message, type TcpTransportOptions } from '../src/index.js';
import { encodeHelloOk } from '../src/handshake.js';

/** Creates transports and raw sockets for one test and closes them all afterwards. */
export class TcpHarness {
  private readonly closers: Array<() => Promise<void> | void> = [];
  readonly inboxes = new Map<TcpTransport, Message[]>();

  /** Free loopback addresses, one per id. */
  async addresses(ids: string[]): Promise<Record<string, string>> {
    const ports = await freeLoopbackPorts(ids.length);
    return Object.fromEntries(ids.map((id, i) => [id, `127.0.0.1:${ports[i]}`]));
  }

  /** A transport for `id` listening on `book[id]` with every other entry of `book` as a peer (not started). */
  node(id: string, book: Record<string, string>, options: Partial<TcpTransportOptions> = {}): TcpTransport {
    const peers = Object.fromEntries(Object.entries(book).filter(([peer]) => peer !== id));
    const transport = new TcpTransport({ id, clusterId: 'test', listen: book[id] ?? '127.0.0.1:0', peers, backoffMinMs: 10, backoffMaxMs: 100, ...options });
    const inbox: Message[] = [];
    transport.onMessage((m) => inbox.push(m));
    this.inboxes.set(transport, inbox);
    this.closers.push(() => transport.close());
    return transport;
  }

  /** Builds and starts a transport per id, all peers of each other. */
  async cluster(ids: string[], options: Partial<TcpTransportOptions> = {}): Promise<TcpTransport[]> {
    const book = await this.addresses(ids);
    const nodes = ids.map((id) => this.node(id, book, options));
    await Promise.all(nodes.map((n) => n.start()));
    return nodes;
  }

  inbox(transport: TcpTransport): Message[] {
    return this.inboxes.get(transport)!;
  }

  /** A raw client socket that discards what it reads (so it sees the server hang up), destroyed at cleanup. */
  async rawConnection(address: string): Promise<net.Socket> {
    const [host, port] = address.split(':');
    const socket = net.connect({ host: host!, port: Number(port) });
    socket.on('error', () => {});
    socket.resume();
    this.closers.push(() => void socket.destroy());
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return socket;
  }

  /**
   * A fake peer that completes the handshake as `id` and then never reads, like a node stuck
   * in a long pause: the kernel buffers fill up and the sender's writes stop making progress.
   */
  async stalledPeer(id: string, clusterId = 'test'): Promise<{ address: string; accepted: () => number }> {
    let accepted = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on('error', () => {});
      const decoder = new FrameDecoder(4096);
      socket.once('data', (chunk) => {
        decoder.push(chunk, () => {});
        socket.write(encodeHelloOk(clusterId, id));
        socket.pause();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.closers.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`, accepted: () => accepted };
  }

  async cleanup(): Promise<void> {
    const closers = this.closers.splice(0).reverse();
    for (const close of closers) await close();
  }
}
