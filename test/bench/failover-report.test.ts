import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/scripts-module.js';
import { benchModule, type FailoverModule, type ReportModule, type RunSummaryModule } from './bench-modules.js';

type FailoverRun = ReturnType<FailoverModule['emptyFailoverRun']>;

/** What one load generator run returns, with the failover part that matters here. */
function loadResult(recoveredAfterMs: number | null) {
  return {
    ops: 100,
    allOps: 100,
    errors: 0,
    errorSamples: {},
    elapsedMs: 2000,
    throughput: 50,
    latencyMs: { count: 100, mean: 5, p50: 4, p99: 20, max: 30 },
    clientCpuPercent: 10,
    casMisses: 0,
    failover: { recoveredAfterMs, newTerm: recoveredAfterMs === null ? null : 3, errorsAfterKill: 40 },
  };
}

describe('bench failover report (repeated rounds, and result files from before)', () => {
  let failover: FailoverModule;
  let report: ReportModule;
  let summary: RunSummaryModule;
  before(async () => {
    failover = await benchModule<FailoverModule>('failover.js');
    report = await benchModule<ReportModule>('report.js');
    summary = await benchModule<RunSummaryModule>('run-summary.js');
  });

  const repeated = (samples: Array<number | null>): FailoverRun => {
    const run = failover.emptyFailoverRun();
    samples.forEach((ms, i) => failover.addRound(run, { round: i + 1, killed: `n${(i % 3) + 1}`, termBefore: i + 1, ...loadResult(ms) }));
    return run;
  };
  /** The shape bench.ts wrote before failover was repeated: one round, its sample inside `failover`. */
  const single = (ms: number | null) => ({ ...loadResult(ms), killed: 'n1', clients: 16, retryAfterMs: 200 });
  const systemResult = (system: 'raftkv' | 'etcd', run: ReturnType<typeof single> | FailoverRun) => ({ system, command: [system], workloads: [], peakRssMb: {}, failover: run });
  const resultFile = (raftkv: ReturnType<typeof single> | FailoverRun, etcd: ReturnType<typeof single> | FailoverRun) => ({
    startedAt: '2026-11-21T15:00:00.000Z',
    git: { commit: 'abcdef0123456789', dirty: false },
    machine: { cores: 2, cpuModel: 'test cpu', loadAverageBefore: [1, 1, 1], loadAverageAfter: [2, 2, 2] },
    versions: { etcd: '3.4.23' },
    results: [systemResult('raftkv', raftkv), systemResult('etcd', etcd)],
  });

  it('keeps every sample of a repeated run with its min, median and max', () => {
    const run = repeated([1400, 1100, null, 1250]);
    expect(run.rounds.map((r) => r.round)).to.deep.equal([1, 2, 3, 4]);
    expect(run.samplesMs).to.deep.equal([1400, 1100, null, 1250]);
    expect([run.minMs, run.medianMs, run.maxMs]).to.deep.equal([1100, 1325, 1400]);
    expect(failover.failoverSamples(run)).to.deep.equal([1400, 1100, null, 1250]);
    expect(failover.failoverSamples(single(1234))).to.deep.equal([1234]);
    expect(failover.failoverSamples(single(null))).to.deep.equal([null]);
  });

  it('shows the median of the rounds in the table, labelled with their count', () => {
    const model = report.modelOf([systemResult('raftkv', repeated([1500, 1300, 1900])), systemResult('etcd', repeated([1000, 1200, 1100]))]);
    const row = model.others.find((r) => r.name.startsWith('failover'))!;
    expect(row.name).to.equal('failover: kill → new leader ack, median of 3 (ms)');
    expect(row.by).to.deep.equal({ raftkv: 1500, etcd: 1100 });
    expect(report.renderModel(model, 'markdown')).to.contain('| failover: kill → new leader ack, median of 3 (ms) | 1500 | 1100 | 1.36x |');
  });

  it('summarizes repeated runs by the median of their medians, and old single-sample files in a row of their own', () => {
    const runs = [
      resultFile(repeated([1000, 1200, 1400]), repeated([900, 1000, 1100])),
      resultFile(repeated([1300, 1500, 1700]), repeated([800, 900, 1000])),
      resultFile(repeated([900, 1100, 1300]), repeated([1000, 1100, 1200])),
      resultFile(single(1600), single(1000)),
      resultFile(single(1800), single(null)),
    ].map((run, i) => ({ file: `/results/run-${i}.json`, run }));
    const text = summary.summarizeRuns(runs);
    expect(text).to.contain('Medians of 5 run(s):');
    expect(text).to.contain('- run-3.json: abcdef0123, 2 cores, load average 1.00 1.00 1.00 before, 2.00 2.00 2.00 after');
    // Medians 1200, 1500, 1100 → 1200; etcd 1000, 900, 1100 → 1000.
    expect(text).to.contain('| failover: kill → new leader ack, median of 3 (ms) | 1200 | 1000 | 1.20x |');
    // Old files: raftkv 1600 and 1800 → 1700; etcd's run without recovery has no number, leaving 1000.
    expect(text).to.contain('| failover: kill → new leader ack, median of 1 (ms) | 1700 | 1000 | 1.70x |');
    // Run by run: 1200/1000, 1500/900, 1100/1100 → median 1.20, and raftkv as fast in one run.
    expect(text).to.contain('| failover: kill → new leader ack, median of 3 (ms) | 3 | 1.20x (1.00-1.67x) | 1 |');
  });

  it('runs as a command over result files of both formats, and names a file it cannot read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-summary-'));
    try {
      const oldFile = path.join(dir, 'old.json');
      const newFile = path.join(dir, 'new.json');
      fs.writeFileSync(oldFile, JSON.stringify(resultFile(single(1600), single(1000))));
      fs.writeFileSync(newFile, JSON.stringify(resultFile(repeated([1500, 1300]), repeated([1000, 1200]))));
      const cli = path.join(REPO_ROOT, 'scripts/dist/bench/summarize.js');
      const ok = spawnSync(process.execPath, [cli, oldFile, newFile], { encoding: 'utf8', timeout: 15_000 });
      expect(ok.stderr).to.equal('');
      expect(ok.status).to.equal(0);
      expect(ok.stdout).to.contain('| failover: kill → new leader ack, median of 1 (ms) | 1600 | 1000 | 1.60x |');
      expect(ok.stdout).to.contain('| failover: kill → new leader ack, median of 2 (ms) | 1400 | 1100 | 1.27x |');
      const missing = spawnSync(process.execPath, [cli, path.join(dir, 'absent.json')], { encoding: 'utf8', timeout: 15_000 });
      expect(missing.status).to.equal(1);
      expect(missing.stderr).to.match(/^summarize: .*absent\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
