/**
 * One fault-injection run: start a real cluster, run clients against it while a seeded schedule of faults
 * plays out, heal, let it settle, read every key, then check the history and the nodes' states.
 */
import { HistoryRecorder, checkHistory, formatReport, type CheckReport, type HistoryEvent } from '../linearizability/index.js';
import { availability, compareNodeStates, findLostWrites, waitForSettled, type Availability, type StateComparison } from './checks.js';
import { ClusterProcesses } from './cluster-processes.js';
import { KvHttpClient } from './kv-http.js';
import { Nemesis } from './nemesis.js';
import { Rng } from './random.js';
import { describeEpisode, drawSchedule, type FaultEpisode, type FaultKind } from './schedule.js';
import { saveViolation } from './save-violation.js';
import { runWorkload, type WorkloadCounts } from './workload.js';

export interface FaultRunOptions {
  seed: number;
  nodes: number;
  /** How long the clients run, ms. */
  durationMs: number;
  clients: number;
  keys: number;
  kinds: readonly FaultKind[];
  /** The deliberately broken client: reads served from a node's local state. */
  staleReads?: boolean;
  heartbeatMs?: number;
  electionMs?: number;
  /** A client request is abandoned (recorded `info`) after this, ms. */
  requestTimeoutMs?: number;
  /** Entries between a node's snapshots (default 500: every run snapshots, and restarted nodes may need one). */
  snapshotCount?: number;
  /** Pause between one client's operations, ms. */
  thinkMs?: number;
  /** Bound on settling after the heal and on the state comparison, ms. */
  settleTimeoutMs?: number;
  /** Bound on the linearizability check, ms. */
  checkTimeoutMs?: number;
  /** Where an INVALID history is saved (absent: not saved). */
  saveDir?: string;
  /** Draw each kind once before repeating any (default: independent draws). */
  cycleKinds?: boolean;
  /** A fixed schedule instead of one drawn from the seed. */
  schedule?: FaultEpisode[];
  log?: (line: string) => void;
}

export interface FaultRunResult {
  seed: number;
  schedule: FaultEpisode[];
  counts: WorkloadCounts;
  verdict: CheckReport['verdict'];
  report: CheckReport;
  finalValues: Map<string, string | null>;
  lostWrites: string[];
  settled: boolean;
  settleDetail: string;
  states: StateComparison;
  /** Node processes that exited on their own during the run. */
  crashes: string[];
  availability: Availability;
  history: HistoryEvent[];
  savedTo?: string;
  /** The run passed every check: VALID, nothing lost, settled with identical states. */
  passed: boolean;
}

export async function runFaults(o: FaultRunOptions): Promise<FaultRunResult> {
  const log = o.log ?? (() => undefined);
  const electionMs = o.electionMs ?? 500;
  const heartbeatMs = o.heartbeatMs ?? 50;
  const settleTimeoutMs = o.settleTimeoutMs ?? 60_000;
  const schedule = o.schedule ?? drawSchedule({ seed: o.seed, nodes: o.nodes, durationMs: o.durationMs, kinds: o.kinds, electionMs, cycleKinds: o.cycleKinds });
  log(`seed ${o.seed}: ${o.nodes} nodes, ${o.clients} clients, ${o.keys} keys, ${(o.durationMs / 1000).toFixed(0)} s${o.staleReads ? ', STALE READS (broken client)' : ''}`);
  log(`fault schedule (${schedule.length} episodes):`);
  for (const e of schedule) log(`  ${describeEpisode(e)}`);

  const cluster = await ClusterProcesses.create({ nodes: o.nodes, heartbeatMs, electionMs, snapshotCount: o.snapshotCount ?? 500 });
  const clock = () => performance.now();
  const admin = new KvHttpClient(3000);
  const client = new KvHttpClient(o.requestTimeoutMs ?? 5000);
  const recorder = new HistoryRecorder(clock);
  const keys = Array.from({ length: o.keys }, (_, i) => `key${i}`);
  const nemesis = new Nemesis(cluster, admin, { seed: o.seed, electionMs, clock, onLog: (line) => log(`  nemesis: ${line}`) });
  let keepDir = false;
  try {
    cluster.startAll();
    const leader = await nemesis.findLeader(60_000);
    if (leader === undefined) throw new Error(`no leader within 60 s\n${cluster.nodes.map((n) => `${n.name}:\n${cluster.logTail(n.name)}`).join('\n')}`);
    log(`cluster up in ${cluster.dir}, leader ${leader}`);

    const stop = new AbortController();
    const start = clock();
    const timer = setTimeout(() => stop.abort(), o.durationMs);
    let counts: WorkloadCounts;
    try {
      const workload = runWorkload(
        { seed: o.seed, clients: o.clients, keys, endpoints: cluster.nodes.map((n) => n.clientUrl), staleReads: o.staleReads ?? false, thinkMs: o.thinkMs ?? 5 },
        client,
        recorder,
        stop.signal,
      );
      const faults = nemesis.run(schedule, start, stop.signal);
      [counts] = await Promise.all([workload, faults]);
    } finally {
      clearTimeout(timer);
      stop.abort();
    }
    log(`workload stopped after ${((clock() - start) / 1000).toFixed(1)} s: ${counts.invoked} ops (${counts.ok} ok, ${counts.fail} fail, ${counts.info} info)`);

    await nemesis.healAll(20_000);
    const settle = await waitForSettled(cluster, admin, settleTimeoutMs);
    log(settle.settled ? `settled: ${settle.detail}` : `NOT settled within ${settleTimeoutMs} ms: ${settle.detail}`);
    const finalValues = await finalReads(keys, cluster, client, recorder, o.clients + counts.info + 1000, settleTimeoutMs);
    nemesis.finish();
    const states = await compareNodeStates(cluster, admin, settleTimeoutMs);
    log(states.identical ? `identical state on every node (${states.summary})` : `STATES DIFFER: ${states.difference} (${states.summary})`);

    for (const exit of cluster.unexpectedExits) log(`NODE CRASHED: ${exit}`);
    const history = recorder.history();
    const report = checkHistory(history, { timeoutMs: o.checkTimeoutMs ?? 120_000 });
    const lostWrites = findLostWrites(history, finalValues);
    const available = availability(history, nemesis.spans);
    const result: FaultRunResult = {
      seed: o.seed,
      schedule,
      counts,
      verdict: report.verdict,
      report,
      finalValues,
      lostWrites,
      settled: settle.settled,
      settleDetail: settle.detail,
      states,
      crashes: cluster.unexpectedExits.slice(),
      availability: available,
      history,
      passed: report.verdict === 'VALID' && lostWrites.length === 0 && settle.settled && states.identical && finalValues.size === keys.length && cluster.unexpectedExits.length === 0,
    };
    log(formatReport(report));
    for (const lost of lostWrites) log(`LOST WRITE: ${lost}`);
    if (report.verdict === 'INVALID' && o.saveDir !== undefined) {
      result.savedTo = saveViolation(o.saveDir, o.seed, history, report);
      log(`history saved to ${result.savedTo}`);
    }
    keepDir = !result.passed && !o.staleReads && o.saveDir !== undefined;
    if (keepDir) log(`node data and logs kept in ${cluster.dir}`);
    return result;
  } finally {
    await cluster.destroy({ keepDir });
  }
}

/** A linearizable read of every key, retried on other nodes until it succeeds; recorded in the history too. */
async function finalReads(
  keys: string[],
  cluster: ClusterProcesses,
  client: KvHttpClient,
  recorder: HistoryRecorder,
  firstProcess: number,
  timeoutMs: number,
): Promise<Map<string, string | null>> {
  const values = new Map<string, string | null>();
  const rng = new Rng(firstProcess);
  const deadline = performance.now() + timeoutMs;
  let process = firstProcess;
  for (const key of keys) {
    while (!values.has(key) && performance.now() < deadline) {
      const endpoint = rng.pick(cluster.nodes).clientUrl;
      const opId = recorder.invoke(process, { f: 'get', key });
      const read = await client.get(endpoint, key);
      if (read.kind === 'ok') {
        recorder.ok(opId, { f: 'get', value: read.value });
        values.set(key, read.value);
      } else {
        (read.kind === 'fail' ? recorder.fail : recorder.info).call(recorder, opId, read.error);
        process++;
      }
    }
  }
  return values;
}

export function formatCounts(c: WorkloadCounts): string {
  const ops = (['put', 'get', 'cas'] as const).map((f) => `${f} ${c.byOp[f].ok}/${c.byOp[f].fail}/${c.byOp[f].info}`).join(', ');
  return `${c.invoked} ops: ${c.ok} ok, ${c.fail} fail, ${c.info} info (ok/fail/info: ${ops})`;
}

