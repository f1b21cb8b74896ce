/** Command line of `npm run bench` (commander), parsed into plain options so it can be tested without running anything. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { selectWorkloads } from './workloads.js';

export type SystemName = 'raftkv' | 'etcd';

export interface BenchOptions {
  quick: boolean;
  /** Workload names in run order. */
  workloads: string[];
  systems: SystemName[];
  /** True when --system was given: a missing etcd is then an error rather than a note. */
  systemsExplicit: boolean;
  /** Measured time of each load workload. */
  durationMs: number;
  /** Unmeasured load before each measurement (connections, JIT, leader caches). */
  warmupMs: number;
  /**
   * Unmeasured puts once after each cluster starts, before its first workload (0: none). Both systems start cold (a
   * fresh Node process compiles its hot code in its first seconds of load, a fresh etcd grows its bbolt file), and
   * without it the first workloads measure that rather than the steady state.
   */
  clusterWarmupMs: number;
  /** Keys the restarted node holds. */
  restartKeys: number;
  /** Leader kills of the failover workload, each followed by a restart of the killed node. */
  failoverRounds: number;
  heartbeatMs: number;
  electionMs: number;
  snapshotCount: number;
  /** Extra node arguments for raftkv processes, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof. */
  nodeArgs: string[];
  /** The raftkv executable (default: this checkout's packages/kv-server/bin/raftkv.js). */
  raftkvBin?: string;
  /**
   * Times to run every system, on fresh clusters each time, alternating which goes first: a result file per round,
   * then the medians and each round's raftkv/etcd ratios.
   */
  rounds: number;
  /** Keep the temp data dirs and logs after the run. */
  keep: boolean;
  resultsDir: string;
}

export const FULL_DEFAULTS = { durationMs: 10_000, warmupMs: 2_000, clusterWarmupMs: 10_000, restartKeys: 100_000, failoverRounds: 7 };
export const QUICK_DEFAULTS = { durationMs: 1_500, warmupMs: 300, clusterWarmupMs: 1_000, restartKeys: 10_000, failoverRounds: 2 };

/** "10" and "10s" are seconds, "500ms" milliseconds; a positive amount. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : 1000) : NaN;
  if (!(ms > 0)) throw new InvalidArgumentError(`expected a duration like 10, 10s or 500ms, got "${text}"`);
  return Math.round(ms);
}

/** As parseDuration, and "0" for none. */
export function parseDurationOrZero(text: string): number {
  return /^\s*0+(\.0*)?\s*(ms|s)?\s*$/.test(text) ? 0 : parseDuration(text);
}

export function positiveInt(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) <= 0 || !Number.isSafeInteger(Number(text)))
    throw new InvalidArgumentError(`expected a positive integer, got "${text}"`);
  return Number(text);
}

/** The order the systems run in round `round` (from 1): as given in odd rounds, reversed in even ones, so drift in the machine's load falls on both. */
export function systemsInRound(systems: SystemName[], round: number): SystemName[] {
  return round % 2 === 1 ? [...systems] : [...systems].reverse();
}

function program(): Command {
  return new Command('bench')
    .description('benchmark a 3-node raftkv cluster against a 3-node etcd cluster over the v3 JSON API')
    .option('--quick', `short run for validation (${QUICK_DEFAULTS.durationMs / 1000}s per workload, ${QUICK_DEFAULTS.restartKeys} keys for restart)`, false)
    .option('--only <workloads>', 'comma-separated workloads or prefixes (put, put-64, range, txn, restart, failover …)')
    .addOption(new Option('--system <system>', 'which system(s) to run').choices(['raftkv', 'etcd', 'both']))
    .option('--duration <time>', 'measured time per load workload (10, 10s, 500ms)', parseDuration)
    .option('--warmup <time>', 'unmeasured load before each measurement', parseDuration)
    .option(
      '--cluster-warmup <time>',
      `unmeasured puts (16 clients, all members) once after each cluster starts, 0 for none (default ${FULL_DEFAULTS.clusterWarmupMs / 1000}s, ${QUICK_DEFAULTS.clusterWarmupMs / 1000}s with --quick)`,
      parseDurationOrZero,
    )
    .option('--restart-keys <n>', 'keys written before the restart measurement', positiveInt)
    .option('--failover-rounds <n>', `leader kills measured by failover (default ${FULL_DEFAULTS.failoverRounds}, ${QUICK_DEFAULTS.failoverRounds} with --quick)`, positiveInt)
    .option('--heartbeat-interval <ms>', 'raft heartbeat interval of both systems', positiveInt, 100)
    .option('--election-timeout <ms>', 'raft election timeout of both systems', positiveInt, 1000)
    .option('--snapshot-count <n>', 'entries between snapshots, both systems', positiveInt, 100_000)
    .option('--node-args <args>', 'extra node arguments for raftkv processes (space-separated, e.g. "--cpu-prof --cpu-prof-dir=prof")')
    .option('--raftkv-bin <path>', "raftkv executable to run, e.g. a clean checkout's packages/kv-server/bin/raftkv.js")
    .option('--rounds <n>', 'run the systems this many times, alternating which goes first; then medians and each round\'s ratios', positiveInt, 1)
    .option('--keep', 'keep data dirs and node logs', false)
    .option('--results-dir <dir>', 'where the JSON result goes', 'bench/results')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

export class BenchArgError extends Error {}

export function benchHelp(): string {
  return program().helpInformation();
}

/** Parses argv (without node and script); 'help' for --help; throws BenchArgError for bad input. */
export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const cmd = program();
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') return 'help';
      throw new BenchArgError(err.message.replace(/^error: /, ''));
    }
    throw err;
  }
  const o = cmd.opts<{
    quick: boolean;
    only?: string;
    system?: 'raftkv' | 'etcd' | 'both';
    duration?: number;
    warmup?: number;
    clusterWarmup?: number;
    restartKeys?: number;
    failoverRounds?: number;
    heartbeatInterval: number;
    electionTimeout: number;
    snapshotCount: number;
    nodeArgs?: string;
    raftkvBin?: string;
    rounds: number;
    keep: boolean;
    resultsDir: string;
  }>();
  const defaults = o.quick ? QUICK_DEFAULTS : FULL_DEFAULTS;
  let workloads: string[];
  try {
    workloads = selectWorkloads(o.only?.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  } catch (err) {
    throw new BenchArgError((err as Error).message);
  }
  if (workloads.length === 0) throw new BenchArgError('--only selected no workload');
  if (o.electionTimeout <= o.heartbeatInterval) throw new BenchArgError('--election-timeout must be larger than --heartbeat-interval');
  return {
    quick: o.quick,
    workloads,
    systems: o.system === undefined || o.system === 'both' ? ['raftkv', 'etcd'] : [o.system],
    systemsExplicit: o.system !== undefined,
    durationMs: o.duration ?? defaults.durationMs,
    warmupMs: o.warmup ?? defaults.warmupMs,
    clusterWarmupMs: o.clusterWarmup ?? defaults.clusterWarmupMs,
    restartKeys: o.restartKeys ?? defaults.restartKeys,
    failoverRounds: o.failoverRounds ?? defaults.failoverRounds,
    heartbeatMs: o.heartbeatInterval,
    electionMs: o.electionTimeout,
    snapshotCount: o.snapshotCount,
    nodeArgs: (o.nodeArgs ?? '').split(/\s+/).filter((s) => s !== ''),
    raftkvBin: o.raftkvBin,
    rounds: o.rounds,
    keep: o.keep,
    resultsDir: o.resultsDir,
  };
}
