import { expect } from 'chai';
import { benchModule, type KvBodiesModule, type NodeCpuModule, type ReportModule, type RssModule } from './bench-modules.js';

describe('bench helpers', () => {
  let bodies: KvBodiesModule;
  let rss: RssModule;
  let report: ReportModule;
  let nodeCpu: NodeCpuModule;
  before(async () => {
    nodeCpu = await benchModule<NodeCpuModule>('node-cpu.js');
    bodies = await benchModule<KvBodiesModule>('kv-bodies.js');
    rss = await benchModule<RssModule>('rss-sampler.js');
    report = await benchModule<ReportModule>('report.js');
  });

  it('makes 8-byte keys and 256-byte values, base64 in valid JSON bodies', () => {
    expect(bodies.keyName('k', 42)).to.equal('k0000042');
    expect(Buffer.from(bodies.dataKey(99_999), 'base64').toString()).to.equal('k0099999');
    expect(Buffer.from(bodies.VALUE_B64, 'base64')).to.have.length(bodies.VALUE_BYTES);
    expect(() => bodies.keyName('k', 10_000_000)).to.throw(RangeError);
    const put = JSON.parse(bodies.putBody(bodies.dataKey(1))) as { key: string; value: string };
    expect(Buffer.from(put.key, 'base64')).to.have.length(bodies.KEY_BYTES);
    const cas = JSON.parse(bodies.casTxnBody(bodies.casKey(3), 17)) as { compare: Array<{ mod_revision: string }> };
    expect(cas.compare[0]!.mod_revision).to.equal('17');
    const fill = JSON.parse(bodies.fillTxnBody([bodies.dataKey(0), bodies.dataKey(1)])) as { success: unknown[] };
    expect(fill.success).to.have.length(2);
  });

  it('reads VmHWM and VmRSS from /proc/<pid>/status text', () => {
    const status = 'Name:\tnode\nVmPeak:\t  900 kB\nVmHWM:\t   123456 kB\nVmRSS:\t 1000 kB\n';
    expect(rss.parseStatusKb(status, 'VmHWM')).to.equal(123456);
    expect(rss.parseStatusKb(status, 'VmRSS')).to.equal(1000);
    expect(rss.parseStatusKb('Name:\tnode\n', 'VmHWM')).to.equal(undefined);
  });

  it('reads utime + stime from /proc/<pid>/stat text, even with spaces and parentheses in the command name', () => {
    const fields = ['S', '1', '2', '3', '0', '-1', '4194560', '100', '0', '0', '0', '250', '50', '0', '0', '20', '0', '9'];
    expect(nodeCpu.parseProcStatCpuMs(`1234 (node) ${fields.join(' ')}`)).to.equal(3000);
    expect(nodeCpu.parseProcStatCpuMs(`1234 (a (b) c) ${fields.join(' ')}`)).to.equal(3000);
    expect(nodeCpu.parseProcStatCpuMs('1234 (node) S 1 2')).to.equal(undefined);
  });

  it('formats ratios and milliseconds, with "-" for what is missing', () => {
    expect(report.formatRatio(1, 4)).to.equal('0.25x');
    expect(report.formatRatio(1, 0)).to.equal('-');
    expect(report.formatRatio(null, 2)).to.equal('-');
    expect(report.formatMs(1.234)).to.equal('1.23');
    expect(report.formatMs(12.34)).to.equal('12.3');
    expect(report.formatMs(1234.5)).to.equal('1235');
    expect(report.formatMs(Number.NaN)).to.equal('-');
  });

  it('takes field-by-field medians over runs and renders the ratio columns', () => {
    const run = (ops: number, p99: number, failover: number | null) => ({
      systems: ['raftkv' as const, 'etcd' as const],
      loads: [
        {
          name: 'put-1-leader',
          by: { raftkv: { throughput: ops, p50: 1, p99, max: 9, errors: 0, cpuUs: 300 }, etcd: { throughput: 2 * ops, p50: 1, p99: 2, max: 3, errors: 0, cpuUs: 100 } },
        },
      ],
      others: [{ name: 'failover', by: { raftkv: failover, etcd: 1000 } }],
    });
    const m = report.medianModel([run(100, 4, 2000), run(300, 8, null), run(200, 6, 3000)]);
    expect(m.loads[0]!.by.raftkv!.throughput).to.equal(200);
    expect(m.loads[0]!.by.raftkv!.p99).to.equal(6);
    expect(m.others[0]!.by.raftkv).to.equal(2500);
    const table = report.renderModel(m, 'markdown');
    expect(table).to.contain('| put-1-leader | 200 |');
    expect(table).to.contain('| 0.50x | 3.00x | 3.00x |');
    expect(table).to.contain('| failover | 2500 | 1000 | 2.50x |');
  });

  it("pairs each run's raftkv/etcd ratio: median, range, and the runs where raftkv did as well", () => {
    const run = (ops: number, p99: number, etcdP99: number, restart: number | null) => ({
      systems: ['raftkv' as const, 'etcd' as const],
      loads: [
        {
          name: 'put-1-leader',
          by: { raftkv: { throughput: ops, p50: 1, p99, max: 9, errors: 0, cpuUs: 300 }, etcd: { throughput: 100, p50: 1, p99: etcdP99, max: 3, errors: 0, cpuUs: 100 } },
        },
        { name: 'put-16-leader', by: { raftkv: { throughput: ops, p50: 1, p99, max: 9, errors: 0, cpuUs: 300 } } },
      ],
      others: [{ name: 'restart', by: { raftkv: restart, etcd: 1000 } }],
    });
    // p99 ratios 1.5, 0.5, 1.0; the medians of each system alone (p99 4 against 4) would hide that spread.
    const paired = report.pairedModel([run(120, 6, 4, 1200), run(80, 2, 4, null), run(100, 4, 4, 900)]);
    expect(paired.loads).to.have.length(1);
    expect(paired.loads[0]!.name).to.equal('put-1-leader');
    expect(paired.loads[0]!.p99).to.deep.equal([1.5, 0.5, 1]);
    expect(paired.loads[0]!.throughput).to.deep.equal([1.2, 0.8, 1]);
    expect(paired.others).to.deep.equal([{ name: 'restart', ratios: [1.2, 0.9] }]);
    const text = report.renderPaired(paired);
    expect(text).to.contain('| put-1-leader | 3 | 1.00x (0.80-1.20x) | 1.00x (0.50-1.50x) | 2 |');
    expect(text).to.contain('| restart | 2 | 1.05x (0.90-1.20x) | 1 |');
  });
});
