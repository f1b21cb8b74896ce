import { expect } from 'chai';
import { frameSize } from '../src/index.js';
import { numbered, recordingLogger, seqOf, waitFor } from './helpers.js';
import { TcpHarness } from './tcp-harness.js';

describe('TcpTransport delivery', () => {
  const harness = new TcpHarness();
  afterEach(() => harness.cleanup());

  it('delivers messages in order on every link and counts them on both ends', async () => {
    const [a, b, c] = await harness.cluster(['a', 'b', 'c']);
    for (let i = 0; i < 2000; i++) {
      a!.send(numbered('a', 'b', i, 100));
      a!.send(numbered('a', 'c', i, 10));
      b!.send(numbered('b', 'a', i));
    }
    await waitFor(() => harness.inbox(b!).length === 2000 && harness.inbox(c!).length === 2000 && harness.inbox(a!).length === 2000, 'all messages');
    const expected = [...Array(2000).keys()];
    expect(harness.inbox(b!).map(seqOf)).to.deep.equal(expected);
    expect(harness.inbox(c!).map(seqOf)).to.deep.equal(expected);
    expect(harness.inbox(a!).map(seqOf)).to.deep.equal(expected);
    expect(harness.inbox(b!)[0]).to.include({ from: 'a', to: 'b', type: 7 });
    expect(a!.stats().b).to.include({ messagesSent: 2000, bytesSent: 2000 * frameSize(100), messagesDropped: 0, connected: true });
    expect(b!.stats().a).to.include({ messagesReceived: 2000, bytesReceived: 2000 * frameSize(100) });
  });

  it('delivers to a peer that starts after the sender', async () => {
    const book = await harness.addresses(['a', 'b']);
    const logger = recordingLogger();
    const a = harness.node('a', book, { logger });
    await a.start();
    for (let i = 0; i < 10; i++) a.send(numbered('a', 'b', i));
    await waitFor(() => logger.has('debug', 'ECONNREFUSED'), 'a failed dial to b');
    const b = harness.node('b', book);
    await b.start();
    await waitFor(() => harness.inbox(b).length === 10, 'the queued messages at b');
    expect(harness.inbox(b).map(seqOf)).to.deep.equal([...Array(10).keys()]);
    expect(a.stats().b!.reconnects).to.equal(0);
  });

  it('reconnects after a peer restarts and delivers what was queued meanwhile', async () => {
    const book = await harness.addresses(['a', 'b']);
    const a = harness.node('a', book);
    const b1 = harness.node('b', book);
    await Promise.all([a.start(), b1.start()]);
    a.send(numbered('a', 'b', 0));
    await waitFor(() => harness.inbox(b1).length === 1, 'first message');
    await b1.close();
    await waitFor(() => a.stats().b!.connected === false, 'a to notice b is gone');
    for (let i = 1; i <= 5; i++) a.send(numbered('a', 'b', i));
    const b2 = harness.node('b', book);
    await b2.start();
    await waitFor(() => harness.inbox(b2).length === 5, 'messages at the restarted b');
    expect(harness.inbox(b2).map(seqOf)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(a.stats().b).to.include({ reconnects: 1, connected: true });
  });

  it('keeps traffic to a live peer flowing while one peer is down and another stalls', async () => {
    const book = await harness.addresses(['a', 'live', 'down']);
    const stalled = await harness.stalledPeer('stalled');
    book.stalled = stalled.address;
    const a = harness.node('a', book, { maxQueueBytes: 1 << 20, writeTimeoutMs: 60_000 });
    const live = harness.node('live', book);
    await Promise.all([a.start(), live.start()]);
    await waitFor(() => a.stats().stalled!.connected, 'handshake with the stalled peer');
    const payload = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 400; i++) {
      a.send({ from: 'a', to: 'stalled', type: 1, payload });
      a.send({ from: 'a', to: 'down', type: 1, payload });
      a.send(numbered('a', 'live', i));
    }
    await waitFor(() => harness.inbox(live).length === 400, 'all messages at the live peer');
    expect(harness.inbox(live).map(seqOf)).to.deep.equal([...Array(400).keys()]);
    const stats = a.stats();
    // 400 × 64 KiB does not fit the 1 MiB queues: the dead and the stalled peer shed load instead of holding it.
    expect(stats.down!.messagesDropped).to.be.greaterThan(380);
    expect(stats.down!.queuedBytes).to.be.at.most(1 << 20);
    expect(stats.stalled!.messagesDropped).to.be.greaterThan(0);
    expect(stats.stalled!.queuedBytes).to.be.at.most(1 << 20);
  });

  it('bounds the send queue by bytes and counts exactly what it drops', async () => {
    const book = await harness.addresses(['a', 'b']);
    const a = harness.node('a', book, { maxQueueBytes: 10_000 });
    await a.start();
    for (let i = 0; i < 100; i++) a.send(numbered('a', 'b', i, 1000));
    const fits = Math.floor(10_000 / frameSize(1000));
    expect(a.stats().b).to.include({ queuedBytes: fits * frameSize(1000), messagesDropped: 100 - fits, bytesDropped: (100 - fits) * frameSize(1000) });
    const b = harness.node('b', book);
    await b.start();
    await waitFor(() => harness.inbox(b).length === fits, 'the queued messages');
    expect(harness.inbox(b).map(seqOf)).to.deep.equal([...Array(fits).keys()]);
  });

  it('delays messages by at least the planned delay, and no longer once the plan is removed', async () => {
    const [a, b] = await harness.cluster(['a', 'b']);
    await waitFor(() => a!.stats().b!.connected, 'connection');
    const sentAt = new Map<number, number>();
    const latency: number[] = [];
    b!.onMessage((m) => latency.push(performance.now() - sentAt.get(seqOf(m))!));
    a!.setFaultPlan({ seed: 1, default: { delayMs: 300, jitterMs: 50 } });
    for (let i = 0; i < 20; i++) {
      sentAt.set(i, performance.now());
      a!.send(numbered('a', 'b', i));
    }
    await waitFor(() => latency.length === 20, 'delayed messages');
    expect(Math.min(...latency)).to.be.at.least(299);
    expect(Math.max(...latency)).to.be.below(300 + 50 + 2000); // generous: the machine is shared
    a!.setFaultPlan(null);
    sentAt.set(20, performance.now());
    a!.send(numbered('a', 'b', 20));
    await waitFor(() => latency.length === 21, 'undelayed message');
    expect(latency[20]).to.be.below(300);
  });

  it('blocks a partitioned link both ways, leaves others alone, and heals', async () => {
    const [a, b, c] = await harness.cluster(['a', 'b', 'c']);
    a!.setFaultPlan({ seed: 1, partitions: [['a', 'b']] });
    a!.send(numbered('a', 'b', 1));
    b!.send(numbered('b', 'a', 2));
    a!.send(numbered('a', 'c', 3));
    b!.send(numbered('b', 'c', 4));
    await waitFor(() => harness.inbox(c!).length === 2, 'messages across healthy links');
    // b has no plan, so its message crosses the wire and a drops it on arrival.
    await waitFor(() => a!.stats().b!.messagesDropped === 2, 'both directions dropped at a');
    expect(harness.inbox(a!)).to.have.length(0);
    expect(harness.inbox(b!)).to.have.length(0);
    a!.setFaultPlan(null);
    a!.send(numbered('a', 'b', 5));
    b!.send(numbered('b', 'a', 6));
    await waitFor(() => harness.inbox(a!).length === 1 && harness.inbox(b!).length === 1, 'messages after healing');
    expect(seqOf(harness.inbox(b!)[0]!)).to.equal(5);
    expect(seqOf(harness.inbox(a!)[0]!)).to.equal(6);
  });

  it('drops and duplicates reproducibly per seed over TCP', async () => {
    const [a, b] = await harness.cluster(['a', 'b']);
    const run = async (expectedTotal: number | null) => {
      harness.inbox(b!).length = 0;
      a!.setFaultPlan({ seed: 77, default: { dropRate: 0.2, duplicateRate: 0.2 } });
      for (let i = 0; i < 500; i++) a!.send(numbered('a', 'b', i));
      const dropped = a!.stats().b!.messagesDropped;
      a!.setFaultPlan(null);
      a!.send(numbered('a', 'b', 9999)); // end marker
      await waitFor(() => harness.inbox(b!).some((m) => seqOf(m) === 9999), 'end marker');
      if (expectedTotal !== null) expect(harness.inbox(b!).length).to.equal(expectedTotal);
      return { seqs: harness.inbox(b!).map(seqOf), dropped };
    };
    const first = await run(null);
    const second = await run(first.seqs.length);
    expect(second.seqs).to.deep.equal(first.seqs);
    expect(first.dropped).to.be.within(50, 150);
    expect(first.seqs.length - 1).to.not.equal(500 - first.dropped); // duplicates arrived
  });
});

describe('TcpTransport: a peer that comes back', () => {
  const harness = new TcpHarness();
  afterEach(() => harness.cleanup());

  it('is dialed as soon as it connects to us, not when a long backoff runs out', async () => {
    const book = await harness.addresses(['a', 'b']);
    const logger = recordingLogger();
    // A backoff far longer than the test: only the redial on b's own connection can deliver in time.
    const a = harness.node('a', book, { logger, backoffMinMs: 120_000, backoffMaxMs: 120_000 });
    await a.start();
    for (let i = 0; i < 3; i++) a.send(numbered('a', 'b', i));
    await waitFor(() => logger.has('debug', 'ECONNREFUSED'), 'a failed dial to b');
    const b = harness.node('b', book);
    await b.start();
    await waitFor(() => harness.inbox(b).length === 3, 'the queued messages at b');
    expect(harness.inbox(b).map(seqOf)).to.deep.equal([0, 1, 2]);
  });
});

describe('TcpTransport: a peer found gone', () => {
  const harness = new TcpHarness();
  afterEach(() => harness.cleanup());

  it('reports a peer whose redial is refused after it was connected, and not one that was never up', async () => {
    const book = await harness.addresses(['a', 'b', 'never']);
    const a = harness.node('a', book);
    const b = harness.node('b', book);
    const gone: string[] = [];
    a.onPeerUnreachable((peer) => gone.push(peer));
    await Promise.all([a.start(), b.start()]);
    a.send(numbered('a', 'b', 0));
    a.send(numbered('a', 'never', 0));
    await waitFor(() => harness.inbox(b).length === 1, 'first message');
    expect(gone).to.deep.equal([]);
    await b.close();
    await waitFor(() => gone.includes('b'), 'b reported unreachable');
    expect(gone.every((peer) => peer === 'b')).to.equal(true);
  });

  it('does not report a peer that is connected but silent (a stopped process keeps its socket)', async () => {
    const book = await harness.addresses(['a']);
    const stalled = await harness.stalledPeer('stalled');
    book.stalled = stalled.address;
    const a = harness.node('a', book);
    const gone: string[] = [];
    a.onPeerUnreachable((peer) => gone.push(peer));
    await a.start();
    await waitFor(() => a.stats().stalled!.connected, 'handshake with the stalled peer');
    for (let i = 0; i < 50; i++) a.send(numbered('a', 'stalled', i, 1000));
    await waitFor(() => a.stats().stalled!.messagesSent >= 50, 'messages handed to the socket');
    expect(gone).to.deep.equal([]);
  });
});
