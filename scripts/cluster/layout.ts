/**
 * Where each node of a local cluster lives: names, ports, directories and the etcd-style flags it is started with.
 *
 * Ports: node i (1-based) listens for clients on base + 2(i-1) and for peers on base + 2(i-1) + 1, so a cluster of
 * N nodes uses base … base+2N-1 (3 nodes from 2379: 2379-2384). A second cluster runs beside it with a --base-port
 * outside that range (e.g. 3379); its files default to .cluster/base-<base-port> so the two never share data.
 */
import path from 'node:path';

export const DEFAULT_BASE_PORT = 2379;
export const CLUSTER_TOKEN = 'raftkv-local';

export interface LayoutOptions {
  nodes: number;
  basePort: number;
  /** Directory holding data/, logs/ and state.json. */
  dir: string;
  enableFaultInjection: boolean;
  heartbeatMs: number;
  electionMs: number;
  /** raftkv only (etcd has no such flag): tell every node all members' client URLs, so member list shows them. */
  memberClientUrls?: boolean;
}

export interface NodeLayout {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  logFile: string;
  /** Flags for the `raftkv` (or etcd) executable. */
  args: string[];
}

/** .cluster for the default base port, .cluster/base-<port> otherwise (relative to `cwd`; git ignores .cluster/). */
export function defaultClusterDir(basePort: number, cwd: string): string {
  return path.resolve(cwd, basePort === DEFAULT_BASE_PORT ? '.cluster' : `.cluster/base-${basePort}`);
}

export function checkLayoutOptions(o: LayoutOptions): void {
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > 15) throw new Error(`--nodes must be an integer from 1 to 15, got ${o.nodes}`);
  if (!Number.isInteger(o.basePort) || o.basePort < 1024 || o.basePort + 2 * o.nodes - 1 > 65535)
    throw new Error(`--base-port must be an integer with all ${2 * o.nodes} ports in 1024-65535, got ${o.basePort}`);
}

export function clusterLayout(o: LayoutOptions): NodeLayout[] {
  checkLayoutOptions(o);
  const names = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`);
  const url = (port: number): string => `http://127.0.0.1:${port}`;
  const peerUrl = (i: number): string => url(o.basePort + 2 * i + 1);
  const initialCluster = names.map((n, i) => `${n}=${peerUrl(i)}`).join(',');
  const clientUrls = names.map((n, i) => `${n}=${url(o.basePort + 2 * i)}`).join(',');
  return names.map((name, i) => {
    const clientUrl = url(o.basePort + 2 * i);
    const dataDir = path.join(o.dir, 'data', name);
    const args = [
      '--name', name,
      '--data-dir', dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl(i),
      '--initial-advertise-peer-urls', peerUrl(i),
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', CLUSTER_TOKEN,
      '--heartbeat-interval', String(o.heartbeatMs),
      '--election-timeout', String(o.electionMs),
    ];
    if (o.enableFaultInjection) args.push('--enable-fault-injection');
    if (o.memberClientUrls === true) args.push('--initial-cluster-client-urls', clientUrls);
    return { name, clientUrl, peerUrl: peerUrl(i), dataDir, logFile: path.join(o.dir, 'logs', `${name}.log`), args };
  });
}
