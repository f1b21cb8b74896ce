/** A tiny HTTP server on 127.0.0.1:0 standing in for an etcd/raftkv node in client tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

/** Answers a request: [HTTP status, JSON body]; undefined means never answer (a hung node). */
export type FakeHandler = (req: RecordedRequest) => [number, unknown] | undefined;

export interface FakeEtcd {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeEtcd(handler: FakeHandler): Promise<FakeEtcd> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded = { method: req.method ?? '', path: req.url ?? '', body: text === '' ? undefined : (JSON.parse(text) as unknown) };
      requests.push(recorded);
      const answer = handler(recorded);
      if (!answer) return;
      res.writeHead(answer[0], { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer[1]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL nothing listens on: a port that was bound and released. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export const HEADER = { cluster_id: '14841639068965178418', member_id: '10276657743932975437', revision: '7', raft_term: '2' };

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
