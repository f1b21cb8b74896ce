import { expect } from 'chai';
import { demoModule, type MonitorModule, type RecordsModule, type WindowStatsModule } from './demo-modules.js';
import type { OpRecord } from '../../scripts/dist/demo/records.js';

function write(startMs: number, latencyMs: number, outcome: OpRecord['outcome'] = 'ok', node = 'n1'): OpRecord {
  return { kind: 'write', node, startMs, endMs: startMs + latencyMs, outcome };
}

describe('demo measurements (elections, windows, per-second samples, leader views)', () => {
  let records: RecordsModule;
  let stats: WindowStatsModule;
  let monitor: MonitorModule;
  before(async () => {
    records = await demoModule<RecordsModule>('records.js');
    stats = await demoModule<WindowStatsModule>('window-stats.js');
    monitor = await demoModule<MonitorModule>('monitor.js');
  });

  it('counts an election at each rise of the term under a known leader, not the first leader seen', () => {
    const elections = records.electionsIn([
      { atMs: 0, leader: 'n1', term: 2 },
      { atMs: 100, leader: 'n1', term: 2 },
      { atMs: 200, term: 3 },
      { atMs: 300, leader: 'n2', term: 3 },
      { atMs: 400, leader: 'n2', term: 3 },
      { atMs: 500, leader: 'n3', term: 5 },
    ]);
    expect(elections).to.deep.equal([
      { atMs: 300, leader: 'n2', term: 3 },
      { atMs: 500, leader: 'n3', term: 5 },
    ]);
  });

  it('summarizes the operations that ended inside a window: nearest-rank p50/p99 of acknowledged writes only', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    const ops: OpRecord[] = [
      ...latencies.map((l, i) => write(i, l)),
      write(10, 5000, 'timeout'),
      write(20, 3, 'error'),
      { kind: 'read', node: 'n2', startMs: 0, endMs: 50, outcome: 'ok' },
      { kind: 'read', node: 'n2', startMs: 0, endMs: 60, outcome: 'error' },
      write(3000, 1),
    ];
    const w = stats.windowStats(ops, 0, 2000);
    expect(w.acked).to.equal(100);
    expect(w.failedWrites).to.equal(1); // the timeout ended at 5010, outside
    expect(w.okReads).to.equal(1);
    expect(w.failedReads).to.equal(1);
    expect(w.p50).to.equal(50);
    expect(w.p99).to.equal(99);
    expect(w.throughput).to.equal(50);
    expect(Number.isNaN(stats.windowStats(ops, 5000, 5005).p50)).to.equal(true);
  });

  it('samples each second: scene running, last leader, elections, acknowledged and failed writes, p99', () => {
    const ops = [write(100, 10), write(200, 30), write(1500, 400), write(1600, 2000, 'timeout')];
    const observations = [
      { atMs: 0, leader: 'n1', term: 1 },
      { atMs: 1200, leader: 'n2', term: 2 },
      { atMs: 2500, leader: 'n2', term: 2 },
    ];
    const samples = stats.perSecond(ops, observations, [0, 1100], 0, 3000);
    expect(samples).to.have.length(3);
    expect(samples.map((s) => s.scene)).to.deep.equal([1, 2, 2]);
    expect(samples.map((s) => s.leader)).to.deep.equal(['n1', 'n2', 'n2']);
    expect(samples.map((s) => s.elections)).to.deep.equal([0, 1, 0]);
    expect(samples.map((s) => s.acked)).to.deep.equal([2, 1, 0]);
    expect(samples.map((s) => s.failed)).to.deep.equal([0, 0, 0]);
    expect(samples[0]!.p99).to.equal(30);
    expect(samples[1]!.p99).to.equal(400);
  });

  it('names the leader of the highest term: a cut-off old leader that still thinks it leads is outvoted', () => {
    const views = [
      { name: 'n1', leader: 'n1', term: 2, raftIndex: 9, appliedIndex: 9, answered: true },
      { name: 'n2', leader: 'n3', term: 3, raftIndex: 12, appliedIndex: 12, answered: true },
      { name: 'n3', leader: 'n3', term: 3, raftIndex: 12, appliedIndex: 11, answered: true },
    ];
    expect(monitor.observe(42, views)).to.deep.equal({ atMs: 42, leader: 'n3', term: 3 });
    expect(monitor.observe(43, views.map((v) => ({ name: v.name, term: v.term + 1, raftIndex: 0, appliedIndex: 0, answered: true })))).to.deep.equal({ atMs: 43, term: 4 });
  });
});
