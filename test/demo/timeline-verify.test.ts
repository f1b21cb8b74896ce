import { expect } from 'chai';
import { demoModule, type TimelineModule, type VerifyModule, type WorkloadModule } from './demo-modules.js';
import type { SecondSample } from '../../scripts/dist/demo/window-stats.js';

function second(scene: number, leader: string | undefined, p99: number, acked = 10, elections = 0, failed = 0): SecondSample {
  const s: SecondSample = { scene, elections, acked, failed, p99 };
  if (leader !== undefined) s.leader = leader;
  return s;
}

describe('demo timeline and final check', () => {
  let timeline: TimelineModule;
  let verify: VerifyModule;
  let workload: WorkloadModule;
  before(async () => {
    timeline = await demoModule<TimelineModule>('timeline.js');
    verify = await demoModule<VerifyModule>('verify.js');
    workload = await demoModule<WorkloadModule>('workload.js');
  });

  it('draws a sparkline from lowest to highest bar, blank for no value', () => {
    expect(timeline.sparkline([0, 7, 14, NaN, 3.5], 0, 14)).to.equal('▁▅█ ▃');
    expect(timeline.sparkline([1, 10, 100], 1, 100, Math.log)).to.equal('▁▅█');
    expect(timeline.sparkline([5, 5], 5, 5)).to.equal('▁▁');
  });

  it('shows one column per second with scene, leader, elections and failures when the width allows', () => {
    const samples = [second(1, 'n1', 5), second(1, 'n1', 6), second(2, 'n1', 300), second(3, undefined, 2000, 0, 0, 3), second(3, 'n2', 10, 10, 1)];
    const lines = timeline.renderTimeline(samples, 80);
    const cells = (label: string): string => lines.find((l) => l.startsWith(label))!.split('│')[1]!;
    expect(cells('scene')).to.equal('11233');
    expect(cells('leader')).to.equal('111-2');
    expect(cells('elections')).to.equal('    1');
    expect(cells('failures')).to.equal('   ! ');
    expect(cells('p99 write')).to.have.length(5);
    expect(cells('p99 write')[3]).to.equal('█');
    expect(lines.join('\n')).to.contain('one column = 1 s');
    for (const line of lines) expect([...line].length).to.be.at.most(80);
  });

  it('merges seconds into columns so a long run fits the width, keeping elections and the worst latency', () => {
    const samples = Array.from({ length: 300 }, (_, i) => second(1 + Math.floor(i / 60), i < 150 ? 'n1' : 'n3', i === 200 ? 900 : 10, 10, i === 150 ? 1 : 0));
    const lines = timeline.renderTimeline(samples, 60);
    for (const line of lines) expect([...line].length).to.be.at.most(60);
    const per = Math.ceil(300 / (60 - 11));
    expect(lines.join('\n')).to.contain(`one column = ${per} s`);
    const merged = timeline.mergeColumns(samples, per);
    expect(merged.reduce((n, c) => n + c.elections, 0)).to.equal(1);
    expect(Math.max(...merged.map((c) => c.p99))).to.equal(900);
    expect(merged.reduce((n, c) => n + c.acked, 0)).to.equal(3000);
  });

  it('wraps the legend at spaces', () => {
    expect(timeline.wrap('aa bb cc dd', 5)).to.deep.equal(['aa bb', 'cc dd']);
  });

  it('finds acknowledged writes missing or different on a node, and keys the nodes disagree on', () => {
    const acked = new Map([
      ['demo/1', 'a'],
      ['demo/2', 'b'],
    ]);
    const good = new Map([['demo/1', 'a'], ['demo/2', 'b'], ['demo/9', 'x']]);
    const ok = verify.checkContents(acked, ['demo/9', 'demo/8'], [
      { name: 'n1', kvs: good },
      { name: 'n2', kvs: new Map(good) },
    ]);
    expect(ok).to.deep.equal({ acked: 2, missing: [], divergent: [], indeterminateApplied: 1, indeterminateAbsent: 1 });
    expect(verify.verdictLines(ok, 2)).to.deep.equal(['demo: 2 acknowledged writes, all present on all nodes']);

    const bad = verify.checkContents(acked, [], [
      { name: 'n1', kvs: good },
      { name: 'n2', kvs: new Map([['demo/1', 'a'], ['demo/2', 'B']]) },
    ]);
    expect(bad.missing).to.deep.equal(['demo/2 on n2: expected b, found B']);
    expect(bad.divergent).to.deep.equal(['demo/2', 'demo/9']);
    const lines = verify.verdictLines(bad, 2);
    expect(lines[0]).to.match(/^demo: 2 acknowledged writes; 1 missing/);
    expect(lines.join('\n')).to.not.contain('all present');
  });

  it('writes unique keys that sort in write order, and values naming the node', () => {
    expect(workload.demoKey(9) < workload.demoKey(10)).to.equal(true);
    expect(workload.demoKey(9).startsWith(workload.KEY_PREFIX)).to.equal(true);
    expect(workload.demoValue(3, 'n2')).to.not.equal(workload.demoValue(3, 'n1'));
  });
});
