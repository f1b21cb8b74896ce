import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/scripts-module.js';

describe('bench: apply-cost', () => {
  const cli = path.join(REPO_ROOT, 'scripts/dist/bench/apply-cost.js');

  it('applies the puts it is asked for and reports the CPU and wall time per put', () => {
    const run = spawnSync(process.execPath, [cli, '--puts', '800', '--batch', '16'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).to.equal('');
    expect(run.status).to.equal(0);
    const m = /^(\d+) puts in batches of 16: ([\d.]+) µs CPU per put .*, ([\d.]+) µs wall\n$/.exec(run.stdout);
    expect(m, run.stdout).to.not.equal(null);
    expect(Number(m![1])).to.equal(800);
    expect(Number(m![2])).to.be.greaterThan(0);
    expect(Number(m![3])).to.be.greaterThan(0);
  });

  it('refuses a batch size that is not a positive integer', () => {
    const run = spawnSync(process.execPath, [cli, '--batch', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.match(/--batch.*positive integer/);
  });
});
