import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { benchModule, type DiskSyncsModule } from './bench-modules.js';

/** A node's /metrics text with the WAL histogram as etcd 3.4 writes it, between other metrics. */
function etcdMetrics(counts: number[]): string {
  const bounds = ['0.001', '0.002', '0.004', '0.008', '0.016', '0.032', '0.064', '0.128', '0.256', '0.512', '1.024', '2.048', '4.096', '8.192', '+Inf'];
  const lines = ['# HELP etcd_disk_backend_commit_duration_seconds x', 'etcd_disk_backend_commit_duration_seconds_bucket{le="0.001"} 999'];
  lines.push('# TYPE etcd_disk_wal_fsync_duration_seconds histogram');
  bounds.forEach((le, i) => lines.push(`etcd_disk_wal_fsync_duration_seconds_bucket{le="${le}"} ${counts[Math.min(i, counts.length - 1)]}`));
  lines.push(`etcd_disk_wal_fsync_duration_seconds_count ${counts.at(-1)}`, 'etcd_server_has_leader 1', '');
  return lines.join('\n');
}

describe('bench: synced log writes from the nodes’ histograms', () => {
  let d: DiskSyncsModule;
  before(async () => {
    d = await benchModule<DiskSyncsModule>('disk-syncs.js');
  });

  it('reads only the named histogram’s buckets, +Inf included', () => {
    const b = d.parseBuckets(etcdMetrics([90, 97, 99, 100]), d.SYNC_HISTOGRAM.etcd);
    expect(b.get(0.001)).to.equal(90);
    expect(b.get(0.004)).to.equal(99);
    expect(b.get(Infinity)).to.equal(100);
    expect(b.size).to.equal(15);
    expect(d.parseBuckets(etcdMetrics([1]), d.SYNC_HISTOGRAM.raftkv).size).to.equal(0);
  });

  it('sums nodes, subtracts the counts before the workload, and gives the share within each shared bound', () => {
    const before = d.addBuckets(d.parseBuckets(etcdMetrics([10, 10, 10, 10]), 'etcd_disk_wal_fsync_duration_seconds'), new Map());
    const after = d.addBuckets(
      d.parseBuckets(etcdMetrics([60, 80, 90, 100]), 'etcd_disk_wal_fsync_duration_seconds'),
      d.parseBuckets(etcdMetrics([50, 50, 60, 100]), 'etcd_disk_wal_fsync_duration_seconds'),
    );
    const s = d.summarizeSyncs(d.subtractBuckets(after, before))!;
    expect(s.count).to.equal(190);
    expect(s.shareWithinMs['1']).to.equal(100 / 190);
    expect(s.shareWithinMs['2']).to.equal(120 / 190);
    expect(s.shareWithinMs['4']).to.equal(140 / 190);
    expect(s.shareWithinMs['16']).to.equal(1);
    expect(d.describeSyncs(s)).to.equal('190 synced writes, ≤1 ms 53 %, ≤4 ms 74 %');
    expect(d.summarizeSyncs(new Map())).to.equal(undefined);
    // A node missing from the second scrape (or restarted) makes some counts go down: no figures rather than wrong ones.
    const oneNodeLess = d.parseBuckets(etcdMetrics([60, 80, 90, 100]), 'etcd_disk_wal_fsync_duration_seconds');
    expect(d.summarizeSyncs(d.subtractBuckets(oneNodeLess, after))).to.equal(undefined);
    expect(d.summarizeSyncs(d.subtractBuckets(new Map([[0.001, 5], [Infinity, 20]]), new Map([[0.001, 9], [Infinity, 10]])))).to.equal(undefined);
    expect(d.describeSyncs(undefined)).to.equal('no synced writes seen');
  });

  describe('over HTTP', () => {
    let server: Server | undefined;
    after(() => server?.close());

    it('scrapes every node that answers and leaves out one that does not', async () => {
      server = createServer((_req, res) => res.end(etcdMetrics([5, 6, 7, 8])));
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const down = 'http://127.0.0.1:1';
      const b = await d.scrapeSyncBuckets([url, url, down], 'etcd');
      expect(b.get(0.001)).to.equal(10);
      expect(b.get(Infinity)).to.equal(16);
    });
  });
});
