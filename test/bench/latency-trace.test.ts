import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MessageType, READY_TRACE_CHANNEL, RECEIVE_TRACE_CHANNEL } from '@raftkv/raft';
import { KV_REQUEST_TRACE_CHANNEL } from '@raftkv/kv-server';
import { REPO_ROOT } from '../support/scripts-module.js';
import { benchModule, type LatencySummaryModule } from './bench-modules.js';

type NodeTrace = Parameters<LatencySummaryModule['summarizeTraces']>[0][number];

describe('bench latency traces', () => {
  let latency: LatencySummaryModule;
  before(async () => {
    latency = await benchModule<LatencySummaryModule>('latency-summary.js');
  });

  /** Requests of 1..100 ms, one a second; body read 0.1 ms in, answered 0.2 ms before the end. */
  function traceOf(node: string, gcs: NodeTrace['gcs']): NodeTrace {
    const requests = Array.from({ length: 100 }, (_, i) => {
      const startedAt = i * 1000;
      const total = i + 1;
      return { url: '/v3/kv/put', status: 200, startedAt, bodyReadAt: startedAt + 0.1, handledAt: startedAt + total - 0.2, finishedAt: startedAt + total };
    });
    return { node, requests, readies: [], acks: [], gcs };
  }

  it('gives the stages of the faster half and the slowest 1 %, and how many of those overlapped a GC pause', () => {
    // n1 pauses during its 100 ms request; n2 pauses during its 99 ms one.
    const n1 = traceOf('n1', [{ startedAt: 99_010, durationMs: 5 }]);
    const n2 = traceOf('n2', [{ startedAt: 98_010, durationMs: 5 }]);
    const text = latency.summarizeTraces([n1, n2]);
    const n1Text = text.split('n2:')[0]!;
    expect(n1Text).to.contain('n1: 100 KV requests, 0 Readies, 1 GC pauses');
    expect(n1Text).to.contain('arrival to response written: p50 50.00 p99 99.00 max 100.00 ms');
    // The faster half are the 1..50 ms requests (median 25.5 ms total); the slowest 1 % are the 99 and 100 ms ones.
    expect(n1Text).to.contain('faster half: body 0.10, handler 25.20, respond 0.20');
    expect(n1Text).to.contain('slowest 1 % (2): body 0.10, handler 99.20, respond 0.20');
    expect(n1Text).to.contain('overlapping a GC pause here: 50 %, in any traced process: 100 %');
  });

  it("times a leader's Readies to durable and to the first acknowledgement of their last entry", () => {
    const t: NodeTrace = {
      node: 'n3',
      requests: [],
      readies: [
        { startedAt: 0, persistedAt: 1, finishedAt: 1.5, entries: 2, lastEntryIndex: 5, committedTo: 0 },
        { startedAt: 3, persistedAt: 3, finishedAt: 3.1, entries: 0, lastEntryIndex: 0, committedTo: 5 },
        { startedAt: 10, persistedAt: 13, finishedAt: 13.2, entries: 1, lastEntryIndex: 6, committedTo: 0 },
      ],
      // The ack at 15 is for an older entry than the second write's; the one at 16 covers it.
      acks: [
        { at: 2, from: 'n1', index: 5 },
        { at: 15, from: 'n2', index: 5 },
        { at: 16, from: 'n1', index: 6 },
      ],
      gcs: [],
    };
    expect(latency.acknowledgementTimes(t)).to.deep.equal([2, 6]);
    const text = latency.summarizeTraces([t]);
    expect(text).to.contain('Readies with entries (2), start to durable: p50 1.00 p99 3.00 max 3.00 ms');
    expect(text).to.contain('first acknowledgement of their last entry (2): p50 2.00 p99 6.00 max 6.00 ms');
  });

  it('records what a process named by --name publishes, in epoch milliseconds, also when it exits inside the window', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latency-trace-'));
    try {
      const script = path.join(dir, 'publish.mjs');
      // Publishes once the preload subscribed (its window starts at 0 ms), then allocates enough for a GC pause and
      // exits once its own observer saw one. Node reports a GC to observers from an unref'd immediate, so a process
      // that exits right after the allocation may leave before any observer hears of it.
      fs.writeFileSync(
        script,
        [
          "import { channel } from 'node:diagnostics_channel';",
          "import { PerformanceObserver } from 'node:perf_hooks';",
          'setTimeout(() => {',
          "  const bound = setTimeout(() => { console.error('no GC observed'); process.exit(3); }, 20_000);",
          '  const gcSeen = new PerformanceObserver(() => { gcSeen.disconnect(); clearTimeout(bound); });',
          "  gcSeen.observe({ entryTypes: ['gc'] });",
          `  channel('${KV_REQUEST_TRACE_CHANNEL}').publish({ url: '/v3/kv/put', status: 400, startedAt: 10, bodyReadAt: 11, handledAt: 0, finishedAt: 12 });`,
          `  channel('${READY_TRACE_CHANNEL}').publish({ node: 'probe', startedAt: 20, persistedAt: 21, finishedAt: 22, entries: 1, lastEntryIndex: 7, committedTo: 6 });`,
          // Only accepting AppendResponses are kept.
          `  channel('${RECEIVE_TRACE_CHANNEL}').publish({ node: 'probe', at: 30, from: 'n2', type: ${MessageType.AppendResponse}, index: 7, reject: false });`,
          `  channel('${RECEIVE_TRACE_CHANNEL}').publish({ node: 'probe', at: 31, from: 'n2', type: ${MessageType.AppendResponse}, index: 3, reject: true });`,
          `  channel('${RECEIVE_TRACE_CHANNEL}').publish({ node: 'probe', at: 32, from: 'n2', type: ${MessageType.Vote}, index: 9, reject: false });`,
          '  let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 1000) keep = []; }',
          '}, 50);',
        ].join('\n'),
      );
      const preload = path.join(REPO_ROOT, 'scripts/dist/bench/latency-trace.js');
      const run = spawnSync(process.execPath, ['--import', preload, script, '--name', 'probe'], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, RAFTKV_LATENCY_TRACE: `${dir},0,60000` },
      });
      expect(run.stderr).to.equal('');
      expect(run.status).to.equal(0);
      const trace = JSON.parse(fs.readFileSync(path.join(dir, 'trace-probe.json'), 'utf8')) as NodeTrace;
      expect(trace.node).to.equal('probe');
      const request = trace.requests[0]!;
      // Converted to epoch milliseconds; a stage never reached stays 0.
      expect(request.startedAt).to.be.greaterThan(1.6e12);
      expect(request.bodyReadAt - request.startedAt).to.be.closeTo(1, 1e-6);
      expect(request.handledAt).to.equal(0);
      expect(trace.readies.map((r) => [r.entries, r.lastEntryIndex, r.persistedAt - r.startedAt])).to.deep.equal([[1, 7, 1]]);
      expect(trace.acks.map((a) => [a.from, a.index])).to.deep.equal([['n2', 7]]);
      expect(trace.gcs.length).to.be.greaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
