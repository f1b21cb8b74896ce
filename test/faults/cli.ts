// The long fault run: npm run test:faults -- --time 300 --seed S [--nodes 5] [--clients 8] [--keys 5]
//   [--request-timeout MS] [--snapshot-count N] [--faults kill,pause,...] [--stale-reads] [--save-dir .faults]
// Prints the seed, the fault schedule, the counts, and VALID / INVALID / UNKNOWN as the last line.
// Exit status: 0 VALID, 1 INVALID (or a failed check), 2 UNKNOWN, 3 bad arguments.
import { parseArgs } from 'node:util';
import { formatCounts, runFaults } from './fault-run.js';
import { FAULT_KINDS, isFaultKind, type FaultKind } from './schedule.js';

const USAGE =
  'usage: cli.js [--time SECONDS] [--seed N] [--nodes 3|5] [--clients N] [--keys N] [--request-timeout MS] [--snapshot-count N]\n  [--election-timeout MS] [--heartbeat-interval MS] [--faults kind,…] [--stale-reads] [--save-dir DIR]\n' +
  `fault kinds: ${FAULT_KINDS.join(', ')}`;

/** Faults the default run draws from (isolate-follower is there for the stale-read check). */
const DEFAULT_KINDS: FaultKind[] = FAULT_KINDS.filter((k) => k !== 'isolate-follower');

interface CliOptions {
  seconds: number;
  seed: number;
  nodes: number;
  clients: number;
  keys: number;
  requestTimeoutMs: number;
  snapshotCount: number;
  electionMs: number;
  heartbeatMs: number;
  kinds: FaultKind[];
  staleReads: boolean;
  saveDir: string;
}

function parse(argv: string[]): CliOptions | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        time: { type: 'string' },
        seed: { type: 'string' },
        nodes: { type: 'string' },
        clients: { type: 'string' },
        keys: { type: 'string' },
        'request-timeout': { type: 'string' },
        'snapshot-count': { type: 'string' },
        'election-timeout': { type: 'string' },
        'heartbeat-interval': { type: 'string' },
        faults: { type: 'string' },
        'stale-reads': { type: 'boolean' },
        'save-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    return (err as Error).message;
  }
  if (values.help) return '';
  const int = (text: string | undefined, fallback: number, flag: string, min: number, max: number): number | string => {
    if (text === undefined) return fallback;
    const n = Number(text);
    return Number.isInteger(n) && n >= min && n <= max ? n : `${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`;
  };
  const seconds = int(values.time, 60, '--time', 5, 86_400);
  const seed = int(values.seed, Math.floor(Math.random() * 2 ** 31), '--seed', 0, 2 ** 32 - 1);
  const nodes = int(values.nodes, 3, '--nodes', 3, 7);
  const clients = int(values.clients, 8, '--clients', 1, 64);
  const keys = int(values.keys, 5, '--keys', 1, 100);
  const requestTimeoutMs = int(values['request-timeout'], 5000, '--request-timeout', 100, 600_000);
  const snapshotCount = int(values['snapshot-count'], 500, '--snapshot-count', 1, 10_000_000);
  const electionMs = int(values['election-timeout'], 500, '--election-timeout', 10, 60_000);
  const heartbeatMs = int(values['heartbeat-interval'], 50, '--heartbeat-interval', 1, 10_000);
  for (const v of [seconds, seed, nodes, clients, keys, requestTimeoutMs, snapshotCount, electionMs, heartbeatMs]) if (typeof v === 'string') return v;
  const kinds = values.faults === undefined ? DEFAULT_KINDS : values.faults.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !isFaultKind(k));
  if (unknown.length > 0) return `unknown fault kind ${unknown.join(', ')}`;
  return {
    seconds: seconds as number,
    seed: seed as number,
    nodes: nodes as number,
    clients: clients as number,
    keys: keys as number,
    requestTimeoutMs: requestTimeoutMs as number,
    snapshotCount: snapshotCount as number,
    electionMs: electionMs as number,
    heartbeatMs: heartbeatMs as number,
    kinds: kinds as FaultKind[],
    staleReads: values['stale-reads'] ?? false,
    saveDir: values['save-dir'] ?? '.faults',
  };
}

async function main(argv: string[]): Promise<number> {
  const options = parse(argv);
  if (typeof options === 'string') {
    console.error(options === '' ? USAGE : `${options}\n${USAGE}`);
    return options === '' ? 0 : 3;
  }
  const result = await runFaults({
    seed: options.seed,
    nodes: options.nodes,
    durationMs: options.seconds * 1000,
    clients: options.clients,
    keys: options.keys,
    requestTimeoutMs: options.requestTimeoutMs,
    snapshotCount: options.snapshotCount,
    electionMs: options.electionMs,
    heartbeatMs: options.heartbeatMs,
    kinds: options.kinds,
    staleReads: options.staleReads,
    saveDir: options.saveDir,
    log: (line) => console.log(line),
  });
  console.log(`seed ${result.seed}`);
  console.log(formatCounts(result.counts));
  const a = result.availability;
  console.log(`availability while a majority was up: ${a.share === null ? 'n/a' : `${(100 * a.share).toFixed(1)}%`} (${a.ok}/${a.invoked} ops ok)`);
  console.log(`linearizability: ${result.verdict}; lost writes: ${result.lostWrites.length}; settled: ${result.settled}; identical states: ${result.states.identical}`);
  if (result.crashes.length > 0) console.log(`node crashes: ${result.crashes.join('; ')}`);
  if (result.savedTo) console.log(`history: ${result.savedTo}`);
  const verdict = result.passed ? 'VALID' : result.verdict === 'UNKNOWN' && result.lostWrites.length === 0 && result.states.identical ? 'UNKNOWN' : 'INVALID';
  console.log(verdict);
  return verdict === 'VALID' ? 0 : verdict === 'UNKNOWN' ? 2 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  },
);
