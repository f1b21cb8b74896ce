import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { FaultPlan } from '@raftkv/cnet';
import { ClusterIdentity } from '../../src/config/cluster-identity.js';
import { createRequestListener } from '../../src/http/request-listener.js';
import type { ApiContext } from '../../src/http/api-context.js';
import { ServerMetrics } from '../../src/http/metrics.js';
import { Proposer, type KvBackend } from '../../src/proposals.js';
import { FakeRaft } from './fake-raft.js';
import { StubKvBackend } from './stub-kv-backend.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export interface TestApi<B extends KvBackend = StubKvBackend> {
  url: string;
  raft: FakeRaft;
  backend: B;
  api: ApiContext;
  faultPlans: Array<FaultPlan | null>;
  post(path: string, body: unknown): Promise<{ status: number; json: any; text: string }>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  maxRequestBytes?: number;
  requestTimeoutMs?: number;
  retryIntervalMs?: number;
  faultInjection?: boolean;
}

/** The HTTP app over a fake raft and a stub store, listening on a free loopback port. */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const backend = new StubKvBackend();
  const raft = new FakeRaft((data) => backend.applyEntry(data));
  return startApiOver(raft, backend, options);
}

/** The HTTP app over the given fake raft and store. */
export async function startApiOver<B extends KvBackend>(raft: FakeRaft, backend: B, options: TestApiOptions = {}): Promise<TestApi<B>> {
  const identity = new ClusterIdentity('n1', [{ name: 'n1', peerUrls: ['http://127.0.0.1:2380'], clientUrls: ['http://127.0.0.1:2379'] }], 'test-token');
  const metrics = new ServerMetrics(raft);
  const proposer = new Proposer(raft, backend, {
    requestTimeoutMs: options.requestTimeoutMs ?? 2000,
    retryIntervalMs: options.retryIntervalMs ?? 50,
    onOutcome: (o) => (o === 'applied' ? metrics.proposalsApplied : metrics.proposalsFailed).inc(),
  });
  const faultPlans: Array<FaultPlan | null> = [];
  const api: ApiContext = {
    raft,
    backend,
    proposer,
    identity,
    metrics,
    maxRequestBytes: options.maxRequestBytes ?? 1.5 * 1024 * 1024,
    logger: silent,
  };
  if (options.faultInjection) api.setFaultPlan = (plan) => faultPlans.push(plan);
  const server: Server = createHttpServer(createRequestListener(api)).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    raft,
    backend,
    api,
    faultPlans,
    async post(path, body) {
      const res = await fetch(url + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async close() {
      proposer.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const b64 = (s: string) => Buffer.from(s).toString('base64');
