import { expect } from 'chai';
import { benchModule, type OptionsModule, type WorkloadsModule } from './bench-modules.js';

describe('bench command line', () => {
  let options: OptionsModule;
  let workloads: WorkloadsModule;
  before(async () => {
    options = await benchModule<OptionsModule>('options.js');
    workloads = await benchModule<WorkloadsModule>('workloads.js');
  });

  const parse = (...argv: string[]) => {
    const parsed = options.parseBenchArgs(argv);
    if (parsed === 'help') throw new Error('unexpected help');
    return parsed;
  };

  it('runs every workload on both systems with the full defaults', () => {
    const o = parse();
    expect(o.systems).to.deep.equal(['raftkv', 'etcd']);
    expect(o.systemsExplicit).to.equal(false);
    expect(o.workloads).to.deep.equal(workloads.ALL_WORKLOAD_NAMES);
    expect(o.durationMs).to.equal(options.FULL_DEFAULTS.durationMs);
    expect(o.restartKeys).to.equal(100_000);
    expect(o.failoverRounds).to.equal(7);
    expect(o.quick).to.equal(false);
  });

  it('shortens everything with --quick, and an explicit --duration still wins', () => {
    expect(parse('--quick').durationMs).to.equal(options.QUICK_DEFAULTS.durationMs);
    expect(parse('--quick').restartKeys).to.equal(options.QUICK_DEFAULTS.restartKeys);
    expect(parse('--quick', '--duration', '3s').durationMs).to.equal(3000);
  });

  it('repeats failover --failover-rounds times, 2 by default with --quick', () => {
    expect(parse('--quick').failoverRounds).to.equal(options.QUICK_DEFAULTS.failoverRounds);
    expect(options.QUICK_DEFAULTS.failoverRounds).to.equal(2);
    expect(parse('--only', 'failover', '--failover-rounds', '5').failoverRounds).to.equal(5);
    expect(parse('--quick', '--failover-rounds', '1').failoverRounds).to.equal(1);
    for (const bad of ['0', '-3', '2.5', 'many']) expect(() => parse('--failover-rounds', bad), bad).to.throw(options.BenchArgError, /positive integer/);
    expect(options.benchHelp()).to.contain('--failover-rounds');
  });

  it('warms each fresh cluster up once before its first workload, for --cluster-warmup (0 for none)', () => {
    expect(parse().clusterWarmupMs).to.equal(options.FULL_DEFAULTS.clusterWarmupMs);
    expect(parse('--quick').clusterWarmupMs).to.equal(options.QUICK_DEFAULTS.clusterWarmupMs);
    expect(parse('--cluster-warmup', '4s').clusterWarmupMs).to.equal(4000);
    for (const none of ['0', '0s', '0ms']) expect(parse('--cluster-warmup', none).clusterWarmupMs, none).to.equal(0);
    for (const bad of ['-1', 'later', '5m']) expect(() => parse('--cluster-warmup', bad), bad).to.throw(options.BenchArgError, /duration/);
    expect(options.benchHelp()).to.contain('--cluster-warmup');
  });

  it('reads durations in seconds by default, or with s/ms units', () => {
    expect(options.parseDuration('10')).to.equal(10_000);
    expect(options.parseDuration('1.5s')).to.equal(1500);
    expect(options.parseDuration('250ms')).to.equal(250);
    for (const bad of ['0', '-1', 'ten', '5m', '']) expect(() => options.parseDuration(bad), bad).to.throw(/duration/);
  });

  it('selects workloads by name or dash-separated prefix, in catalogue order', () => {
    expect(parse('--only', 'failover,put-64').workloads).to.deep.equal(['put-64-leader', 'put-64-all', 'failover']);
    expect(parse('--only', 'range-serializable').workloads).to.deep.equal(['range-serializable-1', 'range-serializable-64']);
    expect(parse('--only', 'put').workloads).to.have.length(8);
    // "put-6" is not a prefix of put-64 at a dash boundary.
    expect(() => parse('--only', 'put-6')).to.throw(options.BenchArgError, /unknown workload "put-6"/);
  });

  it('picks one system with --system and remembers that it was asked for', () => {
    const o = parse('--system', 'etcd');
    expect(o.systems).to.deep.equal(['etcd']);
    expect(o.systemsExplicit).to.equal(true);
    expect(parse('--system', 'both').systems).to.deep.equal(['raftkv', 'etcd']);
  });

  it('runs once by default, or --rounds times', () => {
    expect(parse().rounds).to.equal(1);
    expect(parse('--rounds', '5').rounds).to.equal(5);
    for (const bad of ['0', '-2', '1.5', 'few']) expect(() => parse('--rounds', bad), bad).to.throw(options.BenchArgError, /positive integer/);
    expect(options.benchHelp()).to.contain('--rounds');
    expect([1, 2, 3, 4].map((r) => options.systemsInRound(['raftkv', 'etcd'], r))).to.deep.equal([
      ['raftkv', 'etcd'],
      ['etcd', 'raftkv'],
      ['raftkv', 'etcd'],
      ['etcd', 'raftkv'],
    ]);
  });

  it('splits --node-args on whitespace', () => {
    expect(parse('--node-args', ' --cpu-prof  --cpu-prof-dir=/tmp/p ').nodeArgs).to.deep.equal(['--cpu-prof', '--cpu-prof-dir=/tmp/p']);
    expect(parse().nodeArgs).to.deep.equal([]);
  });

  it('rejects bad input with a clear error', () => {
    expect(() => parse('--system', 'consul')).to.throw(options.BenchArgError, /consul/);
    expect(() => parse('--duration', 'soon')).to.throw(options.BenchArgError, /duration/);
    expect(() => parse('--restart-keys', '0')).to.throw(options.BenchArgError, /positive integer/);
    expect(() => parse('--frobnicate')).to.throw(options.BenchArgError, /unknown option/);
    expect(() => parse('extra')).to.throw(options.BenchArgError);
    expect(() => parse('--heartbeat-interval', '500', '--election-timeout', '400')).to.throw(options.BenchArgError, /election-timeout/);
  });

  it('answers help for --help', () => {
    expect(options.parseBenchArgs(['--help'])).to.equal('help');
    expect(options.benchHelp()).to.contain('--only');
  });
});
