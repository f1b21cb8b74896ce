import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/scripts-module.js';
import { benchModule, type BenchClusterModule, type FailoverModule, type RssModule } from './bench-modules.js';

type BenchCluster = Awaited<ReturnType<BenchClusterModule['BenchCluster']['start']>>;

describe('bench failover rounds (a real 3-node raftkv cluster)', function () {
  // Two kills, one restart and catch-up on a shared 2-core machine: bounded generously, no timing asserted.
  this.timeout(180_000);
  let dir: string;
  let cluster: BenchCluster | undefined;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-failover-'));
  });

  after(async () => {
    await cluster?.stop(5000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('kills the leader twice, restarting the first killed node with its data in between, and keeps both samples', async () => {
    const { BenchCluster } = await benchModule<BenchClusterModule>('bench-cluster.js');
    const { RssSampler } = await benchModule<RssModule>('rss-sampler.js');
    const failover = await benchModule<FailoverModule>('failover.js');
    cluster = await BenchCluster.start({
      command: [process.execPath, path.join(REPO_ROOT, 'packages/kv-server/bin/raftkv.js')],
      dir,
      heartbeatMs: 100,
      electionMs: 1000,
      snapshotCount: 100_000,
      startTimeoutMs: 60_000,
    });
    const pidsBefore = new Map(cluster.nodes.map((n) => [n.name, n.pid]));
    const run = failover.emptyFailoverRun();
    const lines: string[] = [];
    await failover.measureFailover(cluster, new RssSampler(() => cluster!.nodes), 2, run, (l) => lines.push(l));

    expect(run.rounds.map((r) => r.round)).to.deep.equal([1, 2]);
    expect(run.samplesMs).to.have.length(2);
    for (const r of run.rounds) {
      expect(r.failover?.recoveredAfterMs, `round ${r.round}`).to.be.a('number').and.above(0);
      expect(r.failover!.newTerm!, `round ${r.round}`).to.be.above(r.termBefore);
    }
    expect(run.samplesMs).to.deep.equal(run.rounds.map((r) => r.failover!.recoveredAfterMs));
    expect(run.medianMs).to.equal((run.samplesMs[0]! + run.samplesMs[1]!) / 2);
    expect(run.minMs).to.equal(Math.min(run.samplesMs[0]!, run.samplesMs[1]!));

    // The first victim came back as a new process with its data; the last one stays down.
    const first = cluster.nodes.find((n) => n.name === run.rounds[0]!.killed)!;
    expect(run.rounds[0]!.catchUpMs).to.be.a('number');
    expect(run.rounds[1]!.catchUpMs).to.equal(undefined);
    const last = cluster.nodes.find((n) => n.name === run.rounds[1]!.killed)!;
    expect(last.running).to.equal(false);
    expect(first.pid).to.not.equal(pidsBefore.get(first.name));
    // Unless it won a later election and became the second victim.
    if (first !== last) expect(first.running).to.equal(true);
    // The two survivors still agree on a leader.
    expect(cluster.running()).to.have.length(2);
    await cluster.leader(30_000);

    expect(lines.filter((l) => /failover [12]\/2 SIGKILL n\d/.test(l))).to.have.length(2);
    expect(lines.filter((l) => /failover 1\/2 n\d restarted, caught up after \d+ ms/.test(l))).to.have.length(1);
    expect(lines.at(-1)).to.match(/median \d+ ms of 2 rounds/);
  });
});
