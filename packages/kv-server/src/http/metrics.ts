import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, exponentialBuckets } from 'prom-client';
import type { RaftHandle } from '@raftkv/raft';

/** Prometheus metrics of one node: its own registry, so several nodes in one process do not collide. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route' | 'method'>;
  readonly proposalsApplied: Counter;
  readonly proposalsFailed: Counter;
  readonly leaderChanges: Counter;
  readonly logSaves: Histogram;

  constructor(raft: RaftHandle, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'raftkv_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'raftkv_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['route', 'method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.proposalsApplied = new Counter({
      name: 'raftkv_proposals_applied_total',
      help: 'Writes proposed by this node and answered once applied',
      registers,
    });
    this.proposalsFailed = new Counter({
      name: 'raftkv_proposals_failed_total',
      help: 'Writes proposed by this node that failed (timeout, no leader, rejected)',
      registers,
    });
    this.leaderChanges = new Counter({
      name: 'raftkv_leader_changes_seen_total',
      help: 'Leader changes seen by this node',
      registers,
    });
    // etcd_disk_wal_fsync_duration_seconds' buckets (1 ms doubling to 8 s), with two below them: a save here is
    // often under a millisecond, and at the shared bounds the two histograms compare directly.
    this.logSaves = new Histogram({
      name: 'raftkv_disk_log_save_duration_seconds',
      help: 'Synced writes of the Raft log: from the call to the storage until durable (etcd: wal_fsync_duration)',
      buckets: [0.00025, 0.0005, ...exponentialBuckets(0.001, 2, 14)],
      registers,
    });
    const fromStatus = (name: string, help: string, read: (s: ReturnType<RaftHandle['status']>) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(raft.status()));
        },
      });
    fromStatus('raftkv_raft_term', 'Current Raft term', (s) => s.term);
    fromStatus('raftkv_proposals_committed_total', 'Raft commit index (entries committed)', (s) => s.commitIndex);
    fromStatus('raftkv_raft_applied_index', 'Index of the last applied entry', (s) => s.appliedIndex);
    fromStatus('raftkv_raft_log_entries', 'Entries kept in the Raft log', (s) => Math.max(0, s.lastIndex - s.firstIndex + 1));
    fromStatus('raftkv_snapshots_taken_total', 'Log compactions by this node (state machine synced, log dropped; etcd: snapshots)', (s) => s.snapshotsTaken);
    fromStatus('raftkv_has_leader', '1 when a leader is known', (s) => (s.leader === null ? 0 : 1));
    fromStatus('raftkv_is_leader', '1 when this node leads', (s) => (s.leader === s.id ? 1 : 0));
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    raft.on('leader', () => this.leaderChanges.inc());
    raft.on('logSaved', (seconds) => this.logSaves.observe(seconds));
  }
}
