/** Everything a raftkv node needs to start, after flags are parsed and checked. */
export interface ServerConfig {
  name: string;
  dataDir: string;
  listenClientUrls: URL[];
  advertiseClientUrls: string[];
  listenPeerUrls: URL[];
  initialAdvertisePeerUrls: string[];
  /** member name → its peer URLs, in flag order. */
  initialCluster: Map<string, string[]>;
  /** raftkv extension: member name → client URLs, so member/list can name every member's endpoint. */
  initialClusterClientUrls: Map<string, string[]>;
  initialClusterState: 'new' | 'existing';
  initialClusterToken: string;
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
  snapshotCount: number;
  /** Applied changes wait at most this long, or until this many operations, before their level batch is written. */
  backendBatchIntervalMs: number;
  backendBatchLimit: number;
  maxRequestBytes: number;
  logLevel: LogLevel;
  enableFaultInjection: boolean;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
