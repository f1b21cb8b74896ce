import { expect } from 'chai';
import { numbered, recordingLogger, seqOf, waitFor } from './helpers.js';
import { TcpHarness } from './tcp-harness.js';

describe('TcpTransport peers and backpressure', () => {
  const harness = new TcpHarness();
  afterEach(() => harness.cleanup());

  it('connects to a peer added at run time', async () => {
    const a = harness.node('a', { a: '127.0.0.1:0' });
    const b = harness.node('b', { b: '127.0.0.1:0' });
    await Promise.all([a.start(), b.start()]);
    a.addPeer('b', b.address);
    b.addPeer('a', a.address);
    a.send(numbered('a', 'b', 1));
    await waitFor(() => harness.inbox(b).length === 1, 'the message to the added peer');
    expect(harness.inbox(b)[0]).to.include({ from: 'a', to: 'b' });
  });

  it('refuses a removed peer and stops sending to it', async () => {
    const logger = recordingLogger();
    const [a, b] = await harness.cluster(['a', 'b'], { logger });
    a!.send(numbered('a', 'b', 1));
    await waitFor(() => harness.inbox(b!).length === 1, 'first message');
    b!.removePeer('a');
    expect(b!.stats().a).to.equal(undefined);
    await waitFor(() => logger.has('warn', 'unknown node \\"a\\"'), 'b to refuse a when it redials');
    a!.send(numbered('a', 'b', 2));
    b!.send(numbered('b', 'a', 3));
    await waitFor(() => a!.stats().b!.queuedBytes > 0, 'a to hold the message while refused');
    expect(harness.inbox(b!).map(seqOf)).to.deep.equal([1]);
    expect(harness.inbox(a!)).to.have.length(0);
  });

  it('moves a peer to a new address', async () => {
    const book = await harness.addresses(['a', 'b']);
    const a = harness.node('a', book);
    await a.start();
    const b = harness.node('b', { a: book.a!, b: '127.0.0.1:0' });
    await b.start();
    a.addPeer('b', b.address);
    a.send(numbered('a', 'b', 1));
    await waitFor(() => harness.inbox(b).length === 1, 'the message at the new address');
  });

  it('tells a sender when the queue has room again', async () => {
    const book = await harness.addresses(['a', 'b']);
    const a = harness.node('a', book);
    await a.start();
    for (let i = 0; i < 10; i++) a.send(numbered('a', 'b', i, 1000));
    let resolved = false;
    const room = a.whenQueueBelow('b', 2000).then(() => (resolved = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).to.equal(false);
    const b = harness.node('b', book);
    await b.start();
    await room;
    expect(a.stats().b!.queuedBytes).to.be.below(2000);
    await a.whenQueueBelow('nobody', 1); // an unknown peer never blocks
  });
});
