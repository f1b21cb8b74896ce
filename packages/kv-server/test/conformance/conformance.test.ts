import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPorts } from '@raftkv/cnet';
import { EntryType } from '@raftkv/raft';
import { KvStateMachine } from '../../src/apply/state-machine.js';
import { isTxnReadOnly } from '../../src/mvcc/validate.js';
import { FakeRaft } from '../http/fake-raft.js';
import { startApiOver } from '../http/harness.js';
import { parseFlags } from '../../src/config/flags.js';
import type { ServerConfig } from '../../src/config/server-config.js';
import { startServer } from '../../src/server.js';

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

interface Target {
  url: string;
  close(): Promise<void>;
}

/** The API over the real KvStateMachine with a fake raft that commits at once. */
async function overFakeRaft(dir: string): Promise<Target> {
  const sm = await KvStateMachine.open(join(dir, 'kv'));
  const raft = new FakeRaft((data, index) => sm.apply([{ term: 1, index, type: EntryType.Normal, data }]));
  const t = await startApiOver(raft, Object.assign(sm, { isTxnReadOnly }));
  return {
    url: t.url,
    async close() {
      await t.close();
      await sm.close();
    },
  };
}

/** A whole single-member node: startServer with a real RaftNode over TCP. */
async function overRealNode(dir: string): Promise<Target> {
  const [client, peer] = await freeLoopbackPorts(2);
  const config = parseFlags([
    '--name', 'c1',
    '--data-dir', join(dir, 'c1'),
    '--listen-client-urls', `http://127.0.0.1:${client}`,
    '--advertise-client-urls', `http://127.0.0.1:${client}`,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `c1=http://127.0.0.1:${peer}`,
    '--heartbeat-interval', '50',
    '--election-timeout', '500',
  ]) as ServerConfig;
  const node = await startServer(config);
  const deadline = Date.now() + 15000;
  while (node.raft.status().leader === null) {
    if (Date.now() > deadline) throw new Error('single node never elected itself');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url: node.clientUrls[0]!, close: () => node.close() };
}

for (const [label, start] of [
  ['fake raft', overFakeRaft],
  ['a real single-member node', overRealNode],
] as const) {
  describe(`conformance (${label}): replaying ${fixture.steps.length} requests recorded from ${fixture.recordedFrom}`, function () {
    this.timeout(60000);
    let dir: string;
    let target: Target;
    const answers: Array<{ status: number; body: any }> = [];

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'raftkv-conformance-'));
      target = await start(dir);
      // The steps build on each other (revisions, compaction), so they run once, in order.
      for (const step of fixture.steps) {
        const res = await fetch(target.url + step.path, { method: 'POST', body: step.request });
        answers.push({ status: res.status, body: JSON.parse(await res.text()) });
      }
    });

    after(async () => {
      await target.close();
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
}
