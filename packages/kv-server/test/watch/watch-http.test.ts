import { expect } from 'chai';
import { request } from 'node:http';
import { b64, JsonLineStream, post, startCluster, unb64, until, type TestCluster } from '../support/server-cluster.js';

describe('watch and keepalive streams on one node over HTTP', function () {
  this.timeout(60000);
  let cluster: TestCluster;
  let url: string;
  const streams: JsonLineStream[] = [];
  before(async () => {
    cluster = await startCluster(1, { watchProgressIntervalMs: 100 });
    url = cluster.nodes[0]!.clientUrls[0]!;
  });
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  after(async () => cluster.close());

  it('sends progress notifications (header revision, no events) to a watcher that asked for them', async () => {
    const put = await post(url, '/v3/kv/put', { key: b64('p'), value: b64('1') });
    const stream = await JsonLineStream.open(url, '/v3/watch', { create_request: { key: b64('p'), progress_notify: true } });
    streams.push(stream);
    const [created, progress] = await stream.take(2, 'created and a progress notification');
    expect(created.result.created).to.equal(true);
    expect(progress.result.events).to.equal(undefined);
    expect(progress.result.created).to.equal(undefined);
    expect(progress.result.header.revision).to.equal(put.json.header.revision);
  });

  it('holds back a consumer that does not read, then delivers everything in order once it reads again', async () => {
    const value = 'x'.repeat(10_000);
    // A raw request whose answer is not read: the socket fills and the server must stop writing to it.
    const lines: string[] = [];
    let paused = true;
    let rest = '';
    const req = request(url + '/v3/watch', { method: 'POST' });
    const responded = new Promise<import('node:http').IncomingMessage>((resolve) => req.once('response', resolve));
    req.end(JSON.stringify({ create_request: { key: b64('slow/'), range_end: b64('slow0') } }));
    const res = await responded;
    res.pause();
    const consume = () =>
      res.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop()!;
        lines.push(...parts.filter((p) => p !== ''));
      });
    try {
      const revisions: number[] = [];
      const writeTxn = async (i: number) => {
        const success = Array.from({ length: 5 }, (_, j) => ({ request_put: { key: b64(`slow/${j}`), value: b64(`${i}:${value}`) } }));
        const txn = await post(url, '/v3/kv/txn', { success });
        revisions.push(Number(txn.json.header.revision));
      };
      // Write until the socket and the kernel's buffers are full and the server holds the watcher back.
      const hub = cluster.nodes[0]!.watchHub;
      while (hub.pausedCount === 0 && revisions.length < 400) await writeTxn(revisions.length);
      // The server stopped sending to it and will catch it up from history, instead of buffering every event.
      expect(hub.pausedCount).to.equal(1);
      for (let k = 0; k < 5; k++) await writeTxn(revisions.length);
      expect(paused).to.equal(true);
      paused = false;
      consume();
      res.resume();
      await until(() => (lines.length >= revisions.length + 1 ? true : undefined), 'every transaction on the stream');
      expect(hub.pausedCount).to.equal(0);
      const messages = lines.map((l) => JSON.parse(l));
      expect(messages[0].result.created).to.equal(true);
      const batches = messages.slice(1).map((m) => m.result.events as any[]);
      expect(batches.map((events) => Number(events[0].kv.mod_revision))).to.deep.equal(revisions);
      for (const [i, events] of batches.entries()) {
        expect(events.map((e) => unb64(e.kv.key))).to.deep.equal(['slow/0', 'slow/1', 'slow/2', 'slow/3', 'slow/4']);
        expect(unb64(events[0].kv.value).split(':')[0]).to.equal(String(i));
      }
    } finally {
      req.destroy();
    }
  });

  it('answers each keepalive of a streamed request body as it arrives, and ends with the body', async () => {
    const grant = await post(url, '/v3/lease/grant', { TTL: 30 });
    const id = grant.json.ID as string;
    let send!: (text: string | null) => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        send = (text) => (text === null ? controller.close() : controller.enqueue(new TextEncoder().encode(text)));
      },
    });
    // The first message goes before the answer's headers: the server answers it before it sends any.
    send(JSON.stringify({ ID: id }));
    const res = await fetch(url + '/v3/lease/keepalive', { method: 'POST', body, duplex: 'half' } as RequestInit);
    const reader = res.body!.getReader();
    let text = '';
    const nextLine = async () => {
      while (!text.includes('\n')) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
      const line = text.slice(0, text.indexOf('\n'));
      text = text.slice(text.indexOf('\n') + 1);
      return JSON.parse(line);
    };
    expect((await nextLine()).result).to.include({ ID: id, TTL: '30' });
    send(JSON.stringify({ ID: '12345' }));
    const unknown = (await nextLine()).result;
    expect(unknown.ID).to.equal('12345');
    expect(unknown.TTL).to.equal(undefined);
    send(null);
    const end = await reader.read();
    expect(end.done).to.equal(true);
  });
});
