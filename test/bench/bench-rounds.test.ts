import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/scripts-module.js';

describe('bench: --rounds', function () {
  this.timeout(120_000);
  const cli = path.join(REPO_ROOT, 'scripts/dist/bench/bench.js');
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rounds-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the systems on fresh clusters once per round, writes a result file per round, and ends with their medians', () => {
    const args = ['--system', 'raftkv', '--only', 'put-1-leader', '--duration', '300ms', '--warmup', '100ms', '--cluster-warmup', '0'];
    const run = spawnSync(process.execPath, [cli, ...args, '--rounds', '2', '--results-dir', dir], { encoding: 'utf8', timeout: 100_000 });
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.contain('round 1 of 2: raftkv');
    expect(run.stdout).to.contain('round 2 of 2: raftkv');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).to.have.length(2);
    for (const f of files) {
      const record = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { options: { rounds: number }; results: Array<{ system: string; workloads: Array<{ name: string; ops: number }> }> };
      expect(record.options.rounds).to.equal(2);
      expect(record.results.map((r) => r.system)).to.deep.equal(['raftkv']);
      expect(record.results[0]!.workloads[0]!.name).to.equal('put-1-leader');
      expect(record.results[0]!.workloads[0]!.ops).to.be.greaterThan(0);
    }
    const summaryAt = run.stdout.indexOf('Medians of 2 run(s):');
    expect(summaryAt, run.stdout).to.be.greaterThan(run.stdout.indexOf('round 2 of 2'));
    const summary = run.stdout.slice(summaryAt);
    for (const f of files) expect(summary).to.contain(`- ${f}:`);
    expect(summary).to.match(/\| put-1-leader \| \d+ \|/);
  });
});
