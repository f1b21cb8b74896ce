import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/scripts-module.js';

describe('bench: load-cost', () => {
  const cli = path.join(REPO_ROOT, 'scripts/dist/bench/load-cost.js');

  it('builds a store of the puts asked for and times each open in a fresh process', () => {
    const run = spawnSync(process.execPath, [cli, '--puts', '1600', '--keys', '300', '--opens', '3'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).to.equal('');
    expect(run.status).to.equal(0);
    const m = /^1600 puts to 300 keys: open (\d+) ms at the median \((\d+), (\d+), (\d+)\), CPU (\d+) ms \(all threads\)\n$/.exec(run.stdout);
    expect(m, run.stdout).to.not.equal(null);
    const [median, ...opens] = [m![1], m![2], m![3], m![4]].map(Number);
    expect(opens).to.include(median);
    expect(opens.filter((ms) => ms < median!)).to.have.length.at.most(1);
    expect(opens.filter((ms) => ms > median!)).to.have.length.at.most(1);
    expect(Number(m![5])).to.be.greaterThan(0);
  });

  it('refuses a count that is not a positive integer', () => {
    const run = spawnSync(process.execPath, [cli, '--opens', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.match(/--opens.*positive integer/);
  });
});
