/** Runs the demo: cluster, load, five scenes with their measurements, timeline, convergence and the final check. */
import { DemoCluster } from './cluster.js';
import { StatusMonitor, memberNames, type NodeView } from './monitor.js';
import type { DemoOptions } from './options.js';
import { electionsIn } from './records.js';
import { scenePlan, scenePlanFaults, type Scene } from './scenes.js';
import { renderTimeline } from './timeline.js';
import { checkContents, presence, readNodeContents, verdictLines, type NodeContents, type Verdict } from './verify.js';
import { perSecond, windowStats } from './window-stats.js';
import { Workload } from './workload.js';

const STATUS_POLL_MS = 150;
const START_TIMEOUT_MS = 30_000;
const CONVERGE_TIMEOUT_MS = 30_000;

export interface RunContext {
  options: DemoOptions;
  binary: string;
  dir: string;
  print: (line?: string) => void;
  /** Learns the cluster as soon as it exists, so an interrupt can stop it. */
  onCluster: (cluster: DemoCluster) => void;
  /** True once the user interrupted: stop as soon as possible. */
  aborted: () => boolean;
}

class Aborted extends Error {}

/** The node scene 4 cut off, when, and the majority's leader and term just before the heal. */
interface CutOff {
  name: string;
  fromMs: number;
  toMs: number;
  majorityTerm?: number;
  majorityLeader?: string;
  /** The cut-off node's own term just before the heal. */
  aloneTerm?: number;
}

function ms(v: number): string {
  return Number.isFinite(v) ? `${Math.round(v)} ms` : '-';
}

/** Sleeps `durationMs`, checking every few ms that no node crashed and the user did not interrupt. */
async function hold(durationMs: number, cluster: DemoCluster, aborted: () => boolean): Promise<void> {
  const until = performance.now() + durationMs;
  while (performance.now() < until) {
    if (aborted()) throw new Aborted();
    const crash = cluster.crashed();
    if (crash !== undefined) throw new Error(crash);
    await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, until - performance.now()))));
  }
}

function viewLine(views: NodeView[]): string {
  return views
    .map((v) => (v.answered ? `${v.name}: ${v.leader === v.name ? 'leader' : v.leader ? `follows ${v.leader}` : 'no leader'}, term ${v.term}, applied ${v.appliedIndex}` : `${v.name}: no answer`))
    .join(' | ');
}

function mark(ok: boolean, text: string): string {
  return `  ${ok ? '✓' : '✗'} ${text}`;
}

/** Returns the exit code: 0 when every acknowledged write is on every node and no read saw a wrong value. */
export async function runDemo(ctx: RunContext): Promise<number> {
  const { options: o, print } = ctx;
  print(`starting a 3-node raftkv cluster in ${ctx.dir} (heartbeat ${o.heartbeatMs} ms, election timeout ${o.electionMs} ms) …`);
  const cluster = await DemoCluster.start({ binary: ctx.binary, dir: ctx.dir, heartbeatMs: o.heartbeatMs, electionMs: o.electionMs }, ctx.onCluster);
  const firstLeader = await cluster.waitForLeader(START_TIMEOUT_MS);
  print(`cluster up: ${cluster.nodes.map((n) => `${n.name} ${n.clientUrl}`).join(', ')}; leader ${firstLeader}`);

  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const monitor = new StatusMonitor(() => cluster.statuses(1000), memberNames(await cluster.statuses()), now, STATUS_POLL_MS);
  await monitor.poll();
  monitor.start();
  // Long enough for a write through a node whose messages are delayed past the election timeout.
  const opTimeoutMs = Math.max(3000, o.longDelayMs + 2 * o.electionMs);
  const workload = new Workload(cluster.nodes, o.clientsPerNode, opTimeoutMs, now);
  workload.start();
  print(`load: ${o.clientsPerNode} writer(s) and ${o.clientsPerNode} reader(s) per node, unique keys, client timeout ${opTimeoutMs} ms; ${o.sceneSeconds} s per scene`);

  const sceneStarts: number[] = [];
  let cutOff: CutOff | undefined;
  try {
    for (let number = 1; number <= 5; number++) {
      const leader = monitor.current()?.leader ?? (await cluster.waitForLeader(START_TIMEOUT_MS));
      const scene: Scene = scenePlan(o, leader)[number - 1]!;
      const termBefore = monitor.current()?.term ?? 0;
      if (scene.kind === 'heal' && cutOff) {
        const majority = monitor.current();
        const alone = (await monitor.poll()).find((v) => v.name === cutOff!.name);
        if (alone?.answered) cutOff.aloneTerm = alone.term;
        if (majority?.leader !== undefined) {
          cutOff.majorityLeader = majority.leader;
          cutOff.majorityTerm = majority.term;
        }
      }
      await cluster.setFaults(scenePlanFaults(scene, cluster.names, o.seed));
      const startMs = now();
      sceneStarts.push(startMs);
      print();
      print(`scene ${number}/5: ${scene.title}`);
      print(`  expect: ${scene.expect}`);
      await hold(scene.durationMs, cluster, ctx.aborted);
      const endMs = now();
      const views = await monitor.poll();
      const stats = windowStats(workload.ops, startMs, endMs);
      const elections = electionsIn(monitor.observations).filter((e) => e.atMs >= startMs && e.atMs < endMs && e.term > termBefore);
      const current = monitor.current();
      print(
        `  writes: p50 ${ms(stats.p50)}, p99 ${ms(stats.p99)}, ${stats.throughput.toFixed(0)}/s acknowledged, ${stats.failedWrites} failed or timed out; ` +
          `reads: ${stats.okReads} ok, ${stats.failedReads} failed`,
      );
      print(`  elections: ${elections.length}${elections.length > 0 ? ` (${elections.map((e) => `${e.leader} at term ${e.term}`).join(', ')})` : ''}; leader ${current?.leader ?? 'none'}, term ${current?.term ?? '-'}`);
      print(`  nodes: ${viewLine(views)}`);
      const old = views.find((v) => v.name === leader);
      switch (scene.kind) {
        case 'baseline':
          print(mark(stats.failedWrites === 0, `${stats.acked} writes acknowledged, none failed`));
          break;
        case 'delay':
          print(mark(elections.length === 0, elections.length === 0 ? `no election: ${leader} kept leading while slow` : `${elections.length} election(s) although the delay stayed below the election timeout`));
          break;
        case 'long-delay':
          print(mark(elections.length > 0 && current?.leader !== leader, elections.length > 0 ? `new leader ${current?.leader} elected` : 'no new leader was elected in this scene'));
          print(mark(old !== undefined && old.leader !== leader, `old leader ${leader} ${old?.leader !== leader ? `stepped down (${old?.leader ? `follows ${old.leader}` : 'knows no leader'})` : 'still leads'}`));
          break;
        case 'partition': {
          const perNode = cluster.names.map((name) => ({ name, ...windowStats(workload.ops.filter((op) => op.node === name), startMs, endMs) }));
          for (const p of perNode)
            if (p.name !== leader) print(`    clients of ${p.name}: ${p.acked} writes acknowledged, ${p.failedWrites} failed or timed out, ${p.failedReads} reads failed`);
          // Only operations sent after the cut (the plan was on every node before startMs): none of them can commit.
          const sentAlone = workload.ops.filter((op) => op.node === leader && op.startMs >= startMs && op.endMs < endMs);
          const ackedAlone = sentAlone.filter((op) => op.kind === 'write' && op.outcome === 'ok').length;
          const failedAlone = sentAlone.filter((op) => op.outcome !== 'ok');
          const waiting = workload.inFlight(leader);
          const errors = [...new Set(failedAlone.map((op) => op.error))].slice(0, 3).join('; ');
          print(`    clients of ${leader} (cut off): ${ackedAlone} writes sent after the cut acknowledged, ${failedAlone.length} operations failed${errors ? ` (${errors})` : ''}, ${waiting} still waiting`);
          const majorityAcked = perNode.filter((p) => p.name !== leader).reduce((n, p) => n + p.acked, 0);
          print(mark(ackedAlone === 0 && failedAlone.length + waiting > 0, `${leader} could not commit alone: its clients got errors or no answer`));
          print(mark(current?.leader !== leader && majorityAcked > 0, `the majority ${current?.leader !== leader ? `elected ${current?.leader}` : 'has no new leader'} and kept serving (${majorityAcked} writes)`));
          cutOff = { name: leader, fromMs: startMs, toMs: endMs };
          break;
        }
        case 'heal': {
          if (!cutOff) break;
          const back = views.find((v) => v.name === cutOff!.name);
          print(mark(back?.leader === cutOff.majorityLeader, `${cutOff.name} rejoined, following ${back?.leader ?? 'nobody'}`));
          if (cutOff.aloneTerm !== undefined && cutOff.majorityTerm !== undefined)
            print(mark(cutOff.aloneTerm <= cutOff.majorityTerm, `while cut off, ${cutOff.name} stayed at term ${cutOff.aloneTerm} (majority: ${cutOff.majorityTerm}): its failed pre-votes raised no term`));
          const termKept = current?.term === cutOff.majorityTerm && current?.leader === cutOff.majorityLeader;
          print(mark(termKept, termKept ? `no disruption: ${cutOff.majorityLeader} still leads at term ${cutOff.majorityTerm} (pre-vote kept ${cutOff.name} from forcing a new term)` : `leadership changed on heal: term ${cutOff.majorityTerm} → ${current?.term}, leader ${current?.leader}`));
          break;
        }
      }
    }
  } catch (err) {
    await workload.stop();
    await monitor.stop();
    throw err;
  }

  const loadEndMs = now();
  await workload.stop();
  await monitor.stop();
  const loadStoppedAt = performance.now();

  print();
  print('timeline:');
  const width = Math.min(200, Math.max(40, o.width ?? process.stdout.columns ?? 100));
  for (const line of renderTimeline(perSecond(workload.ops, monitor.observations, sceneStarts, 0, loadEndMs), width)) print(line);

  print();
  // A write whose client gave up may still be retried by its node until the server's request timeout
  // (5 s + 2 election timeouts): until then nodes can differ on such keys for a moment, so re-check until it has passed.
  const settleBy = performance.now() + 5000 + 2 * o.electionMs + 2000;
  let converged: Convergence;
  let verdict: Verdict;
  let contents: NodeContents[];
  for (;;) {
    converged = await waitForConvergence(cluster, ctx.aborted);
    contents = await Promise.all(cluster.nodes.map((n) => readNodeContents(n.name, n.clientUrl)));
    verdict = checkContents(workload.acked, workload.indeterminate.keys(), contents);
    const clean = converged.ok && verdict.missing.length === 0 && verdict.divergent.length === 0;
    if (clean || performance.now() >= settleBy) break;
    await hold(500, cluster, ctx.aborted);
  }
  print(converged.ok ? `converged: every node at applied index ${converged.applied} (${Math.round(performance.now() - loadStoppedAt)} ms after the load stopped)` : `not converged within ${CONVERGE_TIMEOUT_MS} ms: ${converged.detail}`);
  const total = workload.ops.filter((op) => op.kind === 'write').length;
  print(`writes: ${total} sent, ${verdict.acked} acknowledged, ${workload.indeterminate.size} failed or timed out (outcome unknown: ${verdict.indeterminateApplied} applied, ${verdict.indeterminateAbsent} not)`);
  print(`reads: ${workload.ops.filter((op) => op.kind === 'read' && op.outcome === 'ok').length} answered, ${workload.readMismatches.length} returned a value other than the acknowledged one`);
  for (const m of workload.readMismatches.slice(0, 20)) print(`  wrong read: ${m}`);
  if (cutOff) {
    const c = cutOff;
    const sent = workload.ops.filter((op) => op.kind === 'write' && op.node === c.name && op.startMs >= c.fromMs && op.startMs < c.toMs);
    const ackedBefore = sent.filter((op) => op.outcome === 'ok' && op.endMs < c.toMs).length;
    const ackedAfter = sent.filter((op) => op.outcome === 'ok' && op.endMs >= c.toMs).length;
    const unknown = sent.filter((op) => op.outcome !== 'ok');
    const { applied, absent } = presence(unknown.map((op) => op.key!), contents);
    print(
      `writes sent to ${c.name} while it was cut off: ${sent.length}; ${ackedBefore} acknowledged before the heal, ${ackedAfter} after it ` +
        `(${c.name} proposed them again through the new leader, same request id, applied once); ${unknown.length} failed or timed out: ${applied} applied anyway, ${absent} dropped`,
    );
  }
  const lines = verdictLines(verdict, cluster.nodes.length);
  for (const line of lines) print(line);
  return verdict.missing.length === 0 && verdict.divergent.length === 0 && workload.readMismatches.length === 0 && converged.ok ? 0 : 1;
}

interface Convergence {
  ok: boolean;
  applied?: number;
  detail?: string;
}

async function waitForConvergence(cluster: DemoCluster, aborted: () => boolean): Promise<Convergence> {
  const started = performance.now();
  let detail = '';
  while (performance.now() - started < CONVERGE_TIMEOUT_MS) {
    if (aborted()) throw new Aborted();
    const statuses = await cluster.statuses();
    const applied = new Set(statuses.map((s) => (s.status ? Number(s.status.raftAppliedIndex) : -1)));
    detail = statuses.map((s) => `${s.node.name} ${s.status ? `applied ${s.status.raftAppliedIndex}` : s.error}`).join(', ');
    if (applied.size === 1 && !applied.has(-1)) return { ok: true, applied: [...applied][0]! };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ok: false, detail };
}

export { Aborted };
