import { expect } from 'chai';
import { killEveryNode } from './cluster-processes.js';
import { runFaults, type FaultRunOptions, type FaultRunResult } from './fault-run.js';
import type { FaultKind } from './schedule.js';

/**
 * Short fault runs against real raftkv processes (the long version: npm run test:faults). Each run asserts
 * what the long run reports: a linearizable history, no lost acknowledged write, identical node states.
 */
describe('fault injection against a real 3-node raftkv cluster', function () {
  // Generous: the machine is shared; a run is ~26 s of load plus start, settle and check.
  this.timeout(150_000);
  let lines: string[] = [];

  beforeEach(() => {
    lines = [];
  });

  afterEach(function () {
    const killed = killEveryNode();
    if (this.currentTest?.state === 'failed' || killed > 0) {
      console.log(`--- fault run log (${killed} node processes left, killed) ---\n${lines.join('\n')}`);
    }
  });

  const run = (options: Omit<FaultRunOptions, 'nodes' | 'clients' | 'keys' | 'log'>): Promise<FaultRunResult> =>
    runFaults({ nodes: 3, clients: 6, keys: 4, settleTimeoutMs: 60_000, log: (line) => lines.push(line), ...options });

  /** Every kind once (seeded order), then checks: the same seed always draws the same schedule. */
  const runEveryKind = async (kinds: FaultKind[]): Promise<FaultRunResult> => {
    const result = await run({ seed: 101, durationMs: 26_000, kinds, cycleKinds: true });
    expect(new Set(result.schedule.map((e) => e.kind)), 'fault kinds in the schedule').to.deep.equal(new Set(kinds));
    return result;
  };

  const expectCorrect = (result: FaultRunResult): void => {
    expect(result.counts.ok, 'operations that succeeded').to.be.greaterThan(50);
    expect(result.verdict).to.equal('VALID');
    expect(result.lostWrites).to.deep.equal([]);
    expect(result.settled, result.settleDetail).to.equal(true);
    expect(result.states.identical, result.states.difference).to.equal(true);
    expect(result.crashes, 'nodes that exited on their own').to.deep.equal([]);
    expect(result.passed).to.equal(true);
  };

  it('stays linearizable through process faults: kills of a node and of the leader, leader pauses, all nodes killed at once', async () => {
    expectCorrect(await runEveryKind(['kill', 'kill-leader', 'pause-leader', 'kill-all']));
  });

  it('stays linearizable through partitions: leader isolated (and killed while isolated), majority/minority split, a bridge node', async () => {
    expectCorrect(await runEveryKind(['isolate-leader', 'isolate-kill-leader', 'split', 'bridge']));
  });

  it('stays linearizable through message delays past the election timeout, lossy links, pauses and kills', async () => {
    expectCorrect(await runEveryKind(['delay', 'lossy', 'pause', 'kill']));
  });

  it('reports INVALID for a broken client that reads a partitioned follower\'s local state', async () => {
    // A follower cut off for 5 s while the majority keeps writing: its serializable reads must go stale. A write
    // sent to it hangs until the client gives up; with a 1 s timeout every client comes back to read several times
    // during the cut (with the default 5 s, all of them could sit on such writes for the whole of it).
    const result = await run({
      seed: 404,
      durationMs: 12_000,
      requestTimeoutMs: 1000,
      kinds: ['isolate-follower'],
      staleReads: true,
      schedule: [{ at: 2000, kind: 'isolate-follower', holdMs: 5000 }],
    });
    expect(result.verdict).to.equal('INVALID');
    const violation = result.report.keys.find((k) => k.verdict === 'INVALID')?.violation;
    expect(violation?.window.some((op) => op.op.f === 'get'), 'a read in the violation window').to.equal(true);
    // The broken client only misreads; the cluster itself stays consistent.
    expect(result.states.identical, result.states.difference).to.equal(true);
  });
});
