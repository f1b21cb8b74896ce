/**
 * `npm run bench`: the same workloads against a fresh 3-node raftkv cluster and (when `etcd` is on the PATH) a
 * 3-node etcd cluster, one after the other; prints the comparison and writes bench/results/<time>.json. With
 * --rounds N it does that N times, alternating which system goes first, and ends with the rounds' medians and ratios.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BINARY } from '../cluster/cli.js';
import { describeMachine, etcdVersion, gitInfo, type FsyncProbe } from './machine.js';
import { BenchArgError, benchHelp, parseBenchArgs, systemsInRound, type BenchOptions, type SystemName } from './options.js';
import { modelOf, renderModel } from './report.js';
import { summarizeRuns, type ResultFile } from './run-summary.js';
import { activeClusters, runSystem, type SystemResult } from './system-run.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function raftkvBinary(opts: BenchOptions): string {
  return opts.raftkvBin === undefined ? DEFAULT_BINARY : path.resolve(opts.raftkvBin);
}

function commandOf(system: SystemName, opts: BenchOptions): string[] {
  return system === 'etcd' ? ['etcd'] : [process.execPath, ...opts.nodeArgs, raftkvBinary(opts)];
}

/** Ctrl-C: stop every node we started (they run detached, so the signal does not reach them), then exit. */
function stopClustersOnSignal(): void {
  const onSignal = (): void => {
    log('\ninterrupted: stopping the clusters …');
    void Promise.all([...activeClusters].map((c) => c.stop(2000))).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    const parsed = parseBenchArgs(argv);
    if (parsed === 'help') {
      process.stdout.write(benchHelp());
      return 0;
    }
    opts = parsed;
  } catch (err) {
    if (!(err instanceof BenchArgError)) throw err;
    process.stderr.write(`bench: ${err.message}\n${benchHelp()}`);
    return 2;
  }

  const etcd = etcdVersion();
  if (etcd === undefined && opts.systems.includes('etcd')) {
    if (opts.systemsExplicit) {
      process.stderr.write('bench: --system etcd needs an `etcd` executable on the PATH\n');
      return 2;
    }
    log('note: no `etcd` on the PATH: benchmarking raftkv only');
    opts.systems = opts.systems.filter((s) => s !== 'etcd');
  }
  const raftkvRoot = path.resolve(path.dirname(raftkvBinary(opts)), '../../..');
  if (opts.systems.includes('raftkv') && !fs.existsSync(path.join(raftkvRoot, 'packages/kv-server/dist/src/main.js'))) {
    process.stderr.write(`bench: raftkv is not built in ${raftkvRoot}: run \`npm run build\` there\n`);
    return 2;
  }

  stopClustersOnSignal();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'raftkv-bench-'));
  log(
    `workloads: ${opts.workloads.join(', ')}; ${opts.durationMs} ms each after ${opts.warmupMs} ms warm-up` +
      (opts.clusterWarmupMs > 0 ? `, the first after a ${opts.clusterWarmupMs} ms warm-up of the fresh cluster` : ''),
  );
  const runs: Array<{ file: string; run: ResultFile }> = [];
  let failed = false;
  for (let round = 1; round <= opts.rounds; round++) {
    const systems = systemsInRound(opts.systems, round);
    if (opts.rounds > 1) log(`\nround ${round} of ${opts.rounds}: ${systems.join(', then ')}`);
    const dir = opts.rounds > 1 ? path.join(tmp, `round-${round}`) : tmp;
    const outcome = await runRound(opts, systems, dir, argv, raftkvRoot, etcd);
    failed ||= outcome.failed;
    runs.push({ file: outcome.file, run: outcome.record });
  }
  if (opts.rounds > 1) log(`\n${summarizeRuns(runs).trimEnd()}`);

  if (opts.keep || failed) log(`data dirs and node logs kept in ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
  return failed ? 1 : 0;
}

/** Runs each system once on fresh clusters under `dir`, prints the comparison and writes the result file. */
async function runRound(
  opts: BenchOptions,
  systems: SystemName[],
  dir: string,
  argv: string[],
  raftkvRoot: string,
  etcd: string | undefined,
): Promise<{ file: string; record: ResultFile; failed: boolean }> {
  fs.mkdirSync(dir, { recursive: true });
  const startedAt = new Date();
  log(`measuring fsync latency in ${dir} …`);
  const machine = describeMachine(dir, opts.quick ? 100 : 300);
  const sync = (p: FsyncProbe): string => `${p.call} p50 ${p.latencyMs.p50.toFixed(2)} ms p99 ${p.latencyMs.p99.toFixed(2)} ms`;
  log(`machine: ${machine.cores} cores (${machine.cpuModel}), load average ${machine.loadAverageBefore.map((l) => l.toFixed(2)).join(' ')}`);
  log(`data disk, 4 KiB appends: ${sync(machine.fsync)}; ${sync(machine.fdatasync)}`);

  const results: SystemResult[] = [];
  let failed = false;
  for (const system of systems) {
    try {
      const r = await runSystem(opts, { system, command: commandOf(system, opts), dir: path.join(dir, system), log });
      if (r.failure !== undefined) failed = true;
      results.push(r);
    } catch (err) {
      failed = true;
      log(`${system}: could not run: ${(err as Error).message}`);
      results.push({ system, command: commandOf(system, opts), workloads: [], peakRssMb: {}, failure: (err as Error).message });
    }
  }
  machine.loadAverageAfter = os.loadavg();
  // Tables and files list the systems in the usual order, whichever ran first.
  results.sort((a, b) => opts.systems.indexOf(a.system) - opts.systems.indexOf(b.system));

  log('');
  log(renderModel(modelOf(results), 'ascii').trimEnd());
  log(`load average before ${machine.loadAverageBefore.map((l) => l.toFixed(2)).join(' ')}, after ${machine.loadAverageAfter.map((l) => l.toFixed(2)).join(' ')}`);

  const record = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    argv,
    options: opts,
    /** The checkout whose raftkv ran (the harness's own unless --raftkv-bin). */
    git: gitInfo(raftkvRoot),
    machine,
    versions: { node: process.version, etcd },
    results,
  };
  const resultsDir = path.resolve(REPO_ROOT, opts.resultsDir);
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}${opts.quick ? '-quick' : ''}.json`);
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  log(`results: ${path.relative(process.cwd(), file)}`);
  return { file, record, failed };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
