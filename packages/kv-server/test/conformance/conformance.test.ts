import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryType } from '@raftkv/raft';
import { KvStateMachine } from '../../src/apply/state-machine.js';
import { isTxnReadOnly } from '../../src/mvcc/validate.js';
import { FakeRaft } from '../http/fake-raft.js';
import { startApiOver, type TestApi } from '../http/harness.js';

interface RecordedStep {
  name: string;
  path: string;
  request: string;
  compare: 'full' | 'error-code';
  status: number;
  response: any;
}

// Recorded from a real etcd by scripts/record-etcd-fixtures.ts; the test itself needs no etcd.
const fixture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/etcd-conformance.json', import.meta.url), 'utf8'),
) as { recordedFrom: string; steps: RecordedStep[] };

/** Drops what legitimately differs between two clusters: ids and the Raft term. */
function withoutIdentity(body: any): any {
  if (body && typeof body === 'object' && body.header) {
    const { cluster_id: _c, member_id: _m, raft_term: _t, ...header } = body.header;
    return { ...body, header };
  }
  return body;
}

describe(`conformance: replaying ${fixture.steps.length} requests recorded from ${fixture.recordedFrom}`, () => {
  let dir: string;
  let sm: KvStateMachine;
  let t: TestApi<KvStateMachine>;
  const answers: Array<{ status: number; body: any }> = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftkv-conformance-'));
    sm = await KvStateMachine.open(join(dir, 'kv'));
    const raft = new FakeRaft((data, index) => sm.apply([{ term: 1, index, type: EntryType.Normal, data }]));
    const backend = Object.assign(sm, { isTxnReadOnly });
    t = await startApiOver(raft, backend);
    // The steps build on each other (revisions, compaction), so they run once, in order.
    for (const step of fixture.steps) {
      const res = await fetch(t.url + step.path, { method: 'POST', body: step.request });
      const text = await res.text();
      answers.push({ status: res.status, body: JSON.parse(text) });
    }
  });

  after(async () => {
    await t.close();
    await sm.close();
    await rm(dir, { recursive: true, force: true });
  });

  fixture.steps.forEach((step, i) => {
    it(`${step.name}: ${step.path} answers as etcd does`, () => {
      const ours = answers[i]!;
      if (step.compare === 'error-code') {
        expect({ status: ours.status, code: ours.body.code }).to.deep.equal({ status: step.status, code: step.response.code });
        expect(ours.body.error).to.be.a('string');
        return;
      }
      expect({ status: ours.status, body: withoutIdentity(ours.body) }).to.deep.equal({
        status: step.status,
        body: withoutIdentity(step.response),
      });
    });
  });
});
