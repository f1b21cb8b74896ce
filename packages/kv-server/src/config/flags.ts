import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseGoDuration } from './duration.js';
import { DEFAULT_MAX_REQUEST_BYTES, LOG_LEVELS, type LogLevel, type ServerConfig } from './server-config.js';

/** A flag problem: main prints it and exits with code 2, as a usage error. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

function positiveInt(flag: string) {
  return (text: string): number => {
    if (!/^\d+$/.test(text.trim()) || Number(text) <= 0 || !Number.isSafeInteger(Number(text))) {
      throw new InvalidArgumentError(`${flag} needs a positive integer, got "${text}"`);
    }
    return Number(text);
  };
}

function duration(flag: string) {
  return (text: string): number => {
    const ms = parseGoDuration(text);
    if (ms === null) throw new InvalidArgumentError(`${flag} needs a positive duration such as 100ms or 1s, got "${text}"`);
    return ms;
  };
}

function urlList(flag: string, text: string): URL[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) throw new FlagError(`${flag}: empty URL in "${text}"`);
  return parts.map((p) => {
    let url: URL;
    try {
      url = new URL(p);
    } catch {
      throw new FlagError(`${flag}: "${p}" is not a URL`);
    }
    if (url.protocol !== 'http:') throw new FlagError(`${flag}: only http:// URLs are supported, got "${p}"`);
    if (url.port === '') throw new FlagError(`${flag}: "${p}" needs an explicit port`);
    if (url.pathname !== '/' && url.pathname !== '') throw new FlagError(`${flag}: "${p}" must not have a path`);
    return url;
  });
}

/** Formats a URL the way it was meant (new URL adds a trailing slash). */
function plain(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** Parses "n1=http://a:2380,n2=http://b:2380" (a name may repeat to give it several URLs). */
function memberUrls(flag: string, text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of text.split(',').map((s) => s.trim())) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FlagError(`${flag}: expected name=URL, got "${part}"`);
    const name = part.slice(0, eq);
    const [url] = urlList(flag, part.slice(eq + 1));
    out.set(name, [...(out.get(name) ?? []), plain(url!)]);
  }
  return out;
}

function buildProgram(): Command {
  return new Command('raftkv')
    .description('A raftkv node: etcd v3 JSON API over Raft.')
    .option('--name <name>', 'human-readable name for this member', 'default')
    .option('--data-dir <path>', 'path to the data directory (default: <name>.etcd)')
    .option('--listen-client-urls <urls>', 'URLs to listen on for client traffic', 'http://localhost:2379')
    .option('--advertise-client-urls <urls>', 'client URLs of this member to advertise to the cluster', 'http://localhost:2379')
    .option('--listen-peer-urls <urls>', 'URLs to listen on for peer traffic', 'http://localhost:2380')
    .option('--initial-advertise-peer-urls <urls>', "this member's peer URLs to advertise to the cluster", 'http://localhost:2380')
    .option('--initial-cluster <members>', 'initial cluster configuration for bootstrapping (name=peerURL,…)')
    .option('--initial-cluster-client-urls <members>', 'raftkv: client URLs of every member (name=clientURL,…)')
    .addOption(new Option('--initial-cluster-state <state>', 'initial cluster state').choices(['new', 'existing']).default('new'))
    .option('--initial-cluster-token <token>', 'initial cluster token for the cluster during bootstrap', 'etcd-cluster')
    .option('--heartbeat-interval <ms>', 'time (in milliseconds) of a heartbeat interval', positiveInt('--heartbeat-interval'), 100)
    .option('--election-timeout <ms>', 'time (in milliseconds) for an election to timeout', positiveInt('--election-timeout'), 1000)
    .option('--snapshot-count <n>', 'number of committed transactions to trigger a snapshot', positiveInt('--snapshot-count'), 100000)
    .addOption(
      new Option('--backend-batch-interval <duration>', 'maximum time before writing applied changes to the backend')
        .argParser(duration('--backend-batch-interval'))
        .default(100, '100ms'),
    )
    .option('--backend-batch-limit <n>', 'maximum operations before writing applied changes to the backend', positiveInt('--backend-batch-limit'), 10000)
    .option('--max-request-bytes <n>', 'maximum client request size in bytes', positiveInt('--max-request-bytes'), DEFAULT_MAX_REQUEST_BYTES)
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .option('--enable-fault-injection', 'accept cnet fault plans on POST /raftkv/fault', false)
    .option('--version', 'print the version and exit')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

interface RawFlags {
  name: string;
  dataDir?: string;
  listenClientUrls: string;
  advertiseClientUrls: string;
  listenPeerUrls: string;
  initialAdvertisePeerUrls: string;
  initialCluster?: string;
  initialClusterClientUrls?: string;
  initialClusterState: 'new' | 'existing';
  initialClusterToken: string;
  heartbeatInterval: number;
  electionTimeout: number;
  snapshotCount: number;
  backendBatchInterval: number;
  backendBatchLimit: number;
  maxRequestBytes: number;
  logLevel: LogLevel;
  enableFaultInjection: boolean;
}

/** The help text, for --help. */
export function helpText(): string {
  return buildProgram().helpInformation();
}

/**
 * Parses etcd-style flags (argv without node and script). Throws FlagError on an unknown or invalid flag;
 * returns 'help' / 'version' when those were asked for.
 */
export function parseFlags(argv: string[]): ServerConfig | 'help' | 'version' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  if (argv.includes('--version')) return 'version';
  const program = buildProgram();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) throw new FlagError(err.message.replace(/^error: /, ''));
    throw err;
  }
  return toConfig(program.opts<RawFlags>());
}

function toConfig(raw: RawFlags): ServerConfig {
  if (raw.name.trim() === '') throw new FlagError('--name must not be empty');
  const listenClientUrls = urlList('--listen-client-urls', raw.listenClientUrls);
  const advertiseClientUrls = urlList('--advertise-client-urls', raw.advertiseClientUrls).map(plain);
  const listenPeerUrls = urlList('--listen-peer-urls', raw.listenPeerUrls);
  const initialAdvertisePeerUrls = urlList('--initial-advertise-peer-urls', raw.initialAdvertisePeerUrls).map(plain);
  const initialCluster = memberUrls(
    '--initial-cluster',
    raw.initialCluster ?? initialAdvertisePeerUrls.map((u) => `${raw.name}=${u}`).join(','),
  );
  const mine = initialCluster.get(raw.name);
  if (!mine) throw new FlagError(`--initial-cluster has no member named "${raw.name}" (--name)`);
  if ([...initialAdvertisePeerUrls].sort().join(',') !== [...mine].sort().join(',')) {
    throw new FlagError(
      `--initial-cluster has ${raw.name}=${mine.join(',')} but --initial-advertise-peer-urls is ${initialAdvertisePeerUrls.join(',')}`,
    );
  }
  const initialClusterClientUrls =
    raw.initialClusterClientUrls === undefined ? new Map<string, string[]>() : memberUrls('--initial-cluster-client-urls', raw.initialClusterClientUrls);
  for (const name of initialClusterClientUrls.keys()) {
    if (!initialCluster.has(name)) throw new FlagError(`--initial-cluster-client-urls names "${name}", which is not in --initial-cluster`);
  }
  initialClusterClientUrls.set(raw.name, advertiseClientUrls);
  if (raw.electionTimeout < 5 * raw.heartbeatInterval) {
    throw new FlagError(
      `--election-timeout[${raw.electionTimeout}ms] should be at least as 5 times as --heartbeat-interval[${raw.heartbeatInterval}ms]`,
    );
  }
  return {
    name: raw.name,
    dataDir: raw.dataDir ?? `${raw.name}.etcd`,
    listenClientUrls,
    advertiseClientUrls,
    listenPeerUrls,
    initialAdvertisePeerUrls,
    initialCluster,
    initialClusterClientUrls,
    initialClusterState: raw.initialClusterState,
    initialClusterToken: raw.initialClusterToken,
    heartbeatIntervalMs: raw.heartbeatInterval,
    electionTimeoutMs: raw.electionTimeout,
    snapshotCount: raw.snapshotCount,
    backendBatchIntervalMs: raw.backendBatchInterval,
    backendBatchLimit: raw.backendBatchLimit,
    maxRequestBytes: raw.maxRequestBytes,
    logLevel: raw.logLevel,
    enableFaultInjection: raw.enableFaultInjection,
  };
}
