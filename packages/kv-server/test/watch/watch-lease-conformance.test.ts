import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { JsonLineStream, startCluster, type TestCluster } from '../support/server-cluster.js';

interface RecordedStep {
  kind: 'post' | 'open' | 'read' | 'exchange';
  name: string;
  stream?: string;
  path?: string;
  request?: string;
  status?: number;
  response?: unknown;
  lines?: unknown[];
  ignore?: string[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/etcd-watch-lease.json', import.meta.url), 'utf8'),
) as { recordedFrom: string; steps: RecordedStep[] };

/** Drops what differs between any two clusters (ids, term) and the step's ignored fields, at any depth. */
function normalize(value: unknown, ignore: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v, ignore));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (['cluster_id', 'member_id', 'raft_term', ...ignore].includes(k)) continue;
    out[k] = normalize(v, ignore);
  }
  return out;
}

describe(`watch and lease streams match ${fixture.recordedFrom} (recorded by scripts/record-etcd-watch-lease-fixtures.ts)`, function () {
  this.timeout(60000);
  let cluster: TestCluster;
  const streams = new Map<string, { stream: JsonLineStream; read: number }>();
  // etcd's default election timeout, so the minimum lease TTL is the same (2 s).
  before(async () => (cluster = await startCluster(1, { electionTimeoutMs: 1000 })));
  after(async () => {
    for (const s of streams.values()) s.stream.close();
    await cluster?.close();
  });

  it('answers every recorded step as etcd did, in order', async () => {
    const url = cluster.nodes[0]!.clientUrls[0]!;
    for (const step of fixture.steps) {
      const ignore = step.ignore ?? [];
      const expectSame = (got: unknown, want: unknown) =>
        expect(normalize(got, ignore), step.name).to.deep.equal(normalize(want, ignore));
      if (step.kind === 'post') {
        const res = await fetch(url + step.path, { method: 'POST', body: step.request });
        expect(res.status, step.name).to.equal(step.status);
        expectSame(JSON.parse(await res.text()), step.response);
      } else if (step.kind === 'open') {
        const stream = await JsonLineStream.open(url, step.path!, step.request!);
        expect(stream.status, step.name).to.equal(step.status);
        streams.set(step.stream!, { stream, read: 0 });
      } else if (step.kind === 'read') {
        const s = streams.get(step.stream!)!;
        const lines = await s.stream.take(s.read + step.lines!.length, step.name);
        expectSame(lines.slice(s.read), step.lines);
        s.read += step.lines!.length;
      } else {
        const stream = await JsonLineStream.open(url, step.path!, step.request!);
        try {
          expect(stream.status, step.name).to.equal(step.status);
          expectSame(await stream.take(step.lines!.length, step.name), step.lines);
        } finally {
          stream.close();
        }
      }
    }
  });
});
