import { mkdir, readdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LevelRaftStorage, RaftNode } from '@raftkv/raft';
import type { Logger } from '@raftkv/cnet';
import { KvStateMachine } from './apply/state-machine.js';
import { ClusterIdentity } from './config/cluster-identity.js';
import type { ServerConfig } from './config/server-config.js';
import type { ApiContext } from './http/api-context.js';
import { createRequestListener } from './http/request-listener.js';
import { ServerMetrics } from './http/metrics.js';
import { isTxnReadOnly } from './mvcc/validate.js';
import { Proposer } from './proposals.js';
import { WatchHub } from './watch/watch-hub.js';
import { Lessor } from './lease/lessor.js';
import { LeaseService, minLeaseTtlSeconds } from './lease/lease-service.js';

export interface ServerHandle {
  readonly config: ServerConfig;
  readonly identity: ClusterIdentity;
  /** The client URLs actually listened on (a port 0 in the config is replaced by the bound port). */
  readonly clientUrls: string[];
  readonly raft: RaftNode;
  readonly stateMachine: KvStateMachine;
  /** This node's watchers (served from its own applied state). */
  readonly watchHub: WatchHub;
  /** Stops taking requests, stops raft (handing leadership over if leading), closes storage. Idempotent. */
  close(): Promise<void>;
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** host:port of a peer URL, the address form the transport dials. */
function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port}`;
}

/** Opens the KV state machine and the Raft node from `config`, then serves the client API. */
export interface StartServerOptions {
  logger?: Logger;
  /** How often progress_notify watchers hear the revision (etcd: 10 minutes). */
  watchProgressIntervalMs?: number;
}

export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<ServerHandle> {
  const logger = options.logger ?? silentLogger;
  const identity = new ClusterIdentity(
    config.name,
    [...config.initialCluster].map(([name, peerUrls]) => ({
      name,
      peerUrls,
      clientUrls: config.initialClusterClientUrls.get(name) ?? [],
    })),
    config.initialClusterToken,
  );
  await mkdir(config.dataDir, { recursive: true });
  // The two stores load side by side (level reads on its own threads while the other one decodes).
  const [kvOpened, raftStorage] = await Promise.allSettled([
    KvStateMachine.open(join(config.dataDir, 'kv'), {
      logger,
      writeBehind: { intervalMs: config.backendBatchIntervalMs, maxOps: config.backendBatchLimit },
    }),
    LevelRaftStorage.open(join(config.dataDir, 'raft')),
  ]);
  if (kvOpened.status === 'rejected' || raftStorage.status === 'rejected') {
    if (kvOpened.status === 'fulfilled') await kvOpened.value.close();
    if (raftStorage.status === 'fulfilled') await raftStorage.value.close();
    throw kvOpened.status === 'rejected' ? kvOpened.reason : (raftStorage as PromiseRejectedResult).reason;
  }
  const stateMachine = kvOpened.value;
  let raft: RaftNode;
  try {
    raft = await RaftNode.open({
      storage: raftStorage.value,
      id: config.name,
      clusterId: identity.clusterId.toString(),
      peers: Object.fromEntries([...config.initialCluster].map(([name, urls]) => [name, hostPort(urls[0]!)])),
      listen: config.listenPeerUrls[0]!.host,
      stateMachine,
      heartbeatMs: config.heartbeatIntervalMs,
      electionMs: config.electionTimeoutMs,
      snapshotCount: config.snapshotCount,
      logger,
    });
  } catch (err) {
    await stateMachine.close();
    throw err;
  }
  raft.on('fatal', (err: Error) => logger.error({ err: err.message }, 'raft node halted'));

  const metrics = new ServerMetrics(raft, { defaultMetrics: true });
  // etcd's request timeout: 5 s plus two election timeouts.
  const proposer = new Proposer(raft, stateMachine, {
    requestTimeoutMs: 5000 + 2 * config.electionTimeoutMs,
    retryIntervalMs: config.electionTimeoutMs,
    logger,
    onOutcome: (outcome) => (outcome === 'applied' ? metrics.proposalsApplied : metrics.proposalsFailed).inc(),
  });
  const api: ApiContext = {
    raft,
    backend: {
      encodeWrite: (command) => stateMachine.encodeWrite(command),
      waitApplied: (id) => stateMachine.waitApplied(id),
      forget: (id) => stateMachine.forget(id),
      range: (req) => stateMachine.range(req),
      revision: () => stateMachine.revision(),
      isTxnReadOnly,
      readTxn: (req) => stateMachine.readTxn(req),
    },
    proposer,
    identity,
    metrics,
    maxRequestBytes: config.maxRequestBytes,
    logger,
    dbSizeBytes: () => directoryBytes(join(config.dataDir, 'kv')),
  };
  if (config.enableFaultInjection) api.setFaultPlan = (plan) => raft.setFaultPlan(plan);

  // Watchers hear each applied transaction from this node's own apply loop; the lessor's revokes go through raft.
  const store = stateMachine.mvcc.bind(stateMachine);
  const watchHub = new WatchHub(
    {
      currentRevision: () => store().currentRevision(),
      compactedRevision: () => store().compactedRevision(),
      changesIn: (span, from, to) => store().changesIn(span, from, to),
    },
    { progressIntervalMs: options.watchProgressIntervalMs },
  );
  stateMachine.on('changes', (changes) => watchHub.publish(changes));
  stateMachine.on('restored', () => watchHub.restored());
  const lessor = new Lessor(stateMachine, raft, { revoke: (id) => proposer.write({ leaseRevoke: { id } }), logger });
  const leases = new LeaseService(
    proposer,
    () => stateMachine.leases(),
    () => stateMachine.revision(),
    lessor,
    minLeaseTtlSeconds(config.electionTimeoutMs),
  );

  const listener = createRequestListener(api, { watchHub, leases });
  const servers: Server[] = [];
  const clientUrls: string[] = [];
  try {
    for (const url of config.listenClientUrls) {
      const server = createServer(listener);
      // As etcd's Go server: an idle keep-alive connection stays open. Node's default closes it 5-6 s after its
      // last answer, and a client reusing it as it closes gets ECONNRESET (21 in one put-256-all benchmark run).
      server.keepAliveTimeout = 0;
      server.listen(Number(url.port), url.hostname);
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
      clientUrls.push(`http://${url.hostname}:${(server.address() as AddressInfo).port}`);
    }
  } catch (err) {
    for (const s of servers) s.close();
    lessor.stop();
    watchHub.close();
    await raft.stop();
    await stateMachine.close();
    throw err;
  }
  logger.info({ name: config.name, clientUrls, memberId: identity.memberId.toString() }, 'raftkv: serving clients');

  let closing: Promise<void> | null = null;
  const close = async () => {
    const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    proposer.stop();
    lessor.stop();
    watchHub.close();
    for (const s of servers) s.closeAllConnections();
    await closed;
    await raft.stop();
    await stateMachine.close();
    logger.info({ name: config.name }, 'raftkv: stopped');
  };
  return {
    config,
    identity,
    clientUrls,
    raft,
    stateMachine,
    watchHub,
    close: () => (closing ??= close()),
  };
}

/** Total size of the files directly in `dir` (LevelDB keeps its tables flat), 0 when it cannot be read. */
async function directoryBytes(dir: string): Promise<number> {
  try {
    const names = await readdir(dir);
    const sizes = await Promise.all(names.map((n) => stat(join(dir, n)).then((s) => (s.isFile() ? s.size : 0), () => 0)));
    return sizes.reduce((a, b) => a + b, 0);
  } catch {
    return 0;
  }
}
