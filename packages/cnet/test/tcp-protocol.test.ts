import { expect } from 'chai';
import type net from 'node:net';
import { FrameKind, TcpTransport, encodeFrame, seededRandom } from '../src/index.js';
import { encodeHello } from '../src/handshake.js';
import { numbered, recordingLogger, seqOf, waitFor } from './helpers.js';
import { TcpHarness } from './tcp-harness.js';

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

describe('TcpTransport protocol', () => {
  const harness = new TcpHarness();
  afterEach(() => harness.cleanup());

  /** b listens with a recording logger; a is b's only peer. */
  async function server() {
    const logger = recordingLogger();
    const book = await harness.addresses(['a', 'b']);
    const b = harness.node('b', book, { logger, maxFrameBytes: 64 * 1024 });
    await b.start();
    return { book, b, logger };
  }

  /** Proves b still serves: its real peer a connects and delivers. */
  async function expectServing(book: Record<string, string>, b: TcpTransport) {
    const a = harness.node('a', book);
    await a.start();
    a.send(numbered('a', 'b', 42));
    await waitFor(() => harness.inbox(b).some((m) => seqOf(m) === 42), 'a message from the real peer');
  }

  it('refuses a node it does not know, and both sides log why', async () => {
    const { book, b, logger } = await server();
    const strangerLog = recordingLogger();
    const stranger = harness.node('x', { x: '127.0.0.1:0', b: book.b! }, { logger: strangerLog });
    await stranger.start();
    stranger.send(numbered('x', 'b', 1));
    await waitFor(() => logger.has('warn', 'unknown node \\"x\\"'), 'b to log the refusal');
    await waitFor(() => strangerLog.has('warn', 'peer refused the connection'), 'x to log the refusal');
    expect(stranger.stats().b!.connected).to.equal(false);
    expect(harness.inbox(b)).to.have.length(0);
  });

  it('refuses a node from another cluster', async () => {
    const { book, b, logger } = await server();
    const other = harness.node('a', book, { clusterId: 'other' });
    await other.start();
    other.send(numbered('a', 'b', 1));
    await waitFor(() => logger.has('warn', 'wrong cluster'), 'b to log the refusal');
    expect(other.stats().b!.connected).to.equal(false);
    expect(harness.inbox(b)).to.have.length(0);
  });

  it('does not use a connection when the address answers as a different node', async () => {
    const book = await harness.addresses(['a', 'b']);
    const impostor = harness.node('c', { c: book.b!, a: book.a! });
    await impostor.start();
    const logger = recordingLogger();
    const a = harness.node('a', book, { logger });
    await a.start();
    a.send(numbered('a', 'b', 1));
    await waitFor(() => logger.has('warn', 'wrong node'), 'a to log the refusal');
    expect(a.stats().b!.connected).to.equal(false);
    expect(harness.inbox(impostor)).to.have.length(0);
  });

  it('closes a connection sending random bytes and keeps serving', async () => {
    const { book, b, logger } = await server();
    const random = seededRandom(2024);
    for (let i = 0; i < 20; i++) {
      const socket = await harness.rawConnection(book.b!);
      socket.write(Buffer.from(Array.from({ length: 1 + Math.floor(random() * 3000) }, () => Math.floor(random() * 256))));
      await closed(socket);
    }
    expect(logger.entries.filter((e) => e.msg === 'cnet: closing inbound connection').length).to.equal(20);
    await expectServing(book, b);
  });

  it('closes a connection announcing an oversized frame, before and after the handshake', async () => {
    const { book, b, logger } = await server();
    const beforeHandshake = await harness.rawConnection(book.b!);
    beforeHandshake.write(Buffer.from([0, 0, 0x20, 0, 1, FrameKind.Hello, 0]));
    await closed(beforeHandshake);
    expect(logger.has('warn', 'exceeds the limit of 4096')).to.equal(true);

    const afterHandshake = await harness.rawConnection(book.b!);
    afterHandshake.write(encodeHello({ clusterId: 'test', from: 'a', to: 'b' }));
    const header = Buffer.from([0, 0x10, 0, 0, 1, FrameKind.Message, 0]);
    afterHandshake.write(header);
    await closed(afterHandshake);
    expect(logger.has('warn', `exceeds the limit of ${64 * 1024}`)).to.equal(true);
    await expectServing(book, b);
  });

  it('closes a connection with an unknown frame version', async () => {
    const { book, b, logger } = await server();
    const socket = await harness.rawConnection(book.b!);
    const frame = encodeHello({ clusterId: 'test', from: 'a', to: 'b' });
    frame[4] = 2;
    socket.write(frame);
    await closed(socket);
    expect(logger.has('warn', 'unknown frame version 2')).to.equal(true);
    await expectServing(book, b);
  });

  it('closes a connection that sends a message before the handshake', async () => {
    const { book, b, logger } = await server();
    const socket = await harness.rawConnection(book.b!);
    socket.write(encodeFrame(FrameKind.Message, 1, Buffer.from('sneaky')));
    await closed(socket);
    expect(logger.has('warn', 'expected a hello frame')).to.equal(true);
    expect(harness.inbox(b)).to.have.length(0);
  });

  it('closes a connection that never completes the handshake', async () => {
    const logger = recordingLogger();
    const book = await harness.addresses(['a', 'b']);
    const b = harness.node('b', book, { logger, connectTimeoutMs: 200 });
    await b.start();
    const socket = await harness.rawConnection(book.b!);
    await closed(socket);
    expect(logger.has('warn', 'no handshake in time')).to.equal(true);
  });

  it('closes a connection whose writes stall and dials again', async () => {
    const book = await harness.addresses(['a']);
    const stalled = await harness.stalledPeer('s');
    book.s = stalled.address;
    const logger = recordingLogger();
    const a = harness.node('a', book, { logger, writeTimeoutMs: 300, maxQueueBytes: 64 << 20 });
    await a.start();
    await waitFor(() => a.stats().s!.connected, 'handshake with the stalled peer');
    const payload = Buffer.alloc(64 * 1024);
    // Enough to fill the loopback socket buffers of both ends.
    for (let i = 0; i < 512; i++) a.send({ from: 'a', to: 's', type: 1, payload });
    await waitFor(() => logger.has('warn', 'write timed out'), 'the write timeout');
    await waitFor(() => stalled.accepted() >= 2 && a.stats().s!.reconnects >= 1, 'a second connection');
  });

  it('never throws from send, dropping malformed and oversized messages', async () => {
    const logger = recordingLogger();
    const [a] = await harness.cluster(['a', 'b'], { logger, maxFrameBytes: 1024 });
    a!.send({ from: 'a', to: 'b', type: 300, payload: Buffer.alloc(1) });
    a!.send({ from: 'a', to: 'b', type: 1, payload: Buffer.alloc(2000) });
    a!.send({ from: 'a', to: 'b', type: 1, payload: 'text' as unknown as Uint8Array });
    a!.send({ from: 'a', to: 'nobody', type: 1, payload: Buffer.alloc(1) });
    expect(a!.stats().b!.messagesDropped).to.equal(3);
    expect(logger.entries.filter((e) => e.msg.includes('malformed or oversized')).length).to.equal(3);
  });

  it('rejects bad options at construction with a clear error', () => {
    const base = { id: 'a', clusterId: 'c', listen: '127.0.0.1:0', peers: {} };
    expect(() => new TcpTransport({ ...base, listen: 'localhost' })).to.throw(TypeError, /expected 'host:port'/);
    expect(() => new TcpTransport({ ...base, peers: { b: 'nowhere' } })).to.throw(TypeError, /nowhere/);
    expect(() => new TcpTransport({ ...base, maxQueueBytes: -1 })).to.throw(RangeError, /maxQueueBytes/);
    expect(() => new TcpTransport({ ...base, id: '' })).to.throw(TypeError, /id/);
  });

  it('fails start() clearly when the port is taken, and can start once it is free', async () => {
    const [a] = await harness.cluster(['a']);
    const address = a!.address;
    const clash = harness.node('z', { z: address });
    let error: unknown;
    await clash.start().catch((err: unknown) => (error = err));
    expect(String(error)).to.match(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    await a!.close();
    await clash.start();
    expect(clash.address).to.equal(address);
  });
});
