import { expect } from 'chai';
import http from 'node:http';
import type { Socket } from 'node:net';
import { startCluster, type TestCluster } from '../support/server-cluster.js';

/** POSTs over `agent`; resolves with the status and the socket the request went out on. */
function postOn(agent: http.Agent, url: string, path: string, body: unknown): Promise<{ status: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, socket: req.socket as Socket }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('client connections', function () {
  this.timeout(30000);
  let cluster: TestCluster;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  after(async () => {
    agent.destroy();
    await cluster?.close();
  });

  it("keeps an idle keep-alive connection open past Node's 5 s default, as etcd does", async () => {
    cluster = await startCluster(1);
    const url = cluster.leader().clientUrls[0]!;
    const first = await postOn(agent, url, '/v3/kv/put', { key: 'aw==', value: 'dg==' });
    expect(first.status).to.equal(200);
    let closed = false;
    first.socket.once('close', () => (closed = true));
    // Idleness is the condition: Node's defaults close an idle socket 6 s after its last answer (keepAliveTimeout
    // 5 s plus a 1 s buffer in Node 20).
    await new Promise((resolve) => setTimeout(resolve, 7000));
    expect(closed).to.equal(false);
    const second = await postOn(agent, url, '/v3/kv/range', { key: 'aw==' });
    expect(second.status).to.equal(200);
    expect(second.socket).to.equal(first.socket);
  });
});
