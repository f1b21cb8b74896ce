import { expect } from 'chai';
import type { Entry } from '@raftkv/raft';
import { KvStateMachine } from '../../src/apply/state-machine.js';
import type { LeaseChange } from '../../src/lease/lease-table.js';
import type { CommandOp, CommandResult } from '../../src/mvcc/types.js';
import { b, tempDir } from '../mvcc/helpers.js';
import { LogBuilder } from '../apply/helpers.js';

/** A log exercising leases: grants, puts attaching keys, a key moved off its lease, keepalives, a revoke. */
function leaseLog(): Entry[] {
  const log = new LogBuilder();
  const ops: CommandOp[] = [
    { leaseGrant: { id: 10, ttl: 5 } },
    { leaseGrant: { id: 20, ttl: 60 } },
    { put: { key: b('a'), value: b('1'), lease: 10 } },
    { put: { key: b('b'), value: b('1'), lease: 10 } },
    { put: { key: b('c'), value: b('1'), lease: 10 } },
    { put: { key: b('c'), value: b('2') } }, // c leaves lease 10
    { put: { key: b('b'), value: b('2'), ignoreLease: true } }, // b stays on lease 10
    { put: { key: b('d'), value: b('1'), lease: 20 } },
    { leaseKeepAlive: { id: 10 } },
    { leaseRevoke: { id: 10 } },
  ];
  return ops.map((op, i) => log.command({ id: `cmd-${i}`, op }));
}

function stateOf(sm: KvStateMachine) {
  return {
    revision: sm.currentRevision(),
    kvs: sm.range({ key: Buffer.of(0), rangeEnd: Buffer.of(0) }).kvs.map((kv) => `${kv.key}=${kv.value}@${kv.modRevision}/lease${kv.lease}`),
    leases: sm.leases().list().map((l) => ({ id: l.id, ttl: l.ttl, keys: [...l.keys.keys()].sort() })),
  };
}

describe('leases in the apply loop', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const open: KvStateMachine[] = [];
  beforeEach(async () => ({ dir, cleanup } = await tempDir('lease-apply')));
  afterEach(async () => {
    for (const sm of open.splice(0)) await sm.close();
    await cleanup();
  });
  const openSm = async (name: string) => {
    const sm = await KvStateMachine.open(`${dir}/${name}`);
    open.push(sm);
    return sm;
  };

  it('is deterministic: two nodes applying the same log hold the same keys, revisions and leases', async () => {
    const [x, y] = [await openSm('x'), await openSm('y')];
    const entries = leaseLog();
    await x.apply(entries);
    for (const e of entries) await y.apply([e]); // other batch boundaries, same result
    expect(stateOf(x)).to.deep.equal(stateOf(y));
    expect(stateOf(x)).to.deep.equal({
      revision: 8,
      kvs: ['c=2@5/lease0', 'd=1@7/lease20'],
      leases: [{ id: 20, ttl: 60, keys: ['d'] }],
    });
  });

  it("deletes a revoked lease's keys in one revision, reporting a DELETE for each", async () => {
    const sm = await openSm('x');
    const entries = leaseLog();
    await sm.apply(entries.slice(0, -1));
    const changes: Array<{ revision: number; events: Array<{ type: string; key: string }> }> = [];
    sm.on('changes', (cs) => cs.forEach((c) => changes.push({ revision: c.revision, events: c.events.map((e) => ({ type: e.type, key: e.kv.key.toString() })) })));
    const leaseEvents: LeaseChange[] = [];
    sm.on('leases', (ls) => leaseEvents.push(...ls));
    const revoked = sm.waitForResult('cmd-9');
    await sm.apply(entries.slice(-1));
    expect(changes).to.deep.equal([{ revision: 8, events: [{ type: 'DELETE', key: 'a' }, { type: 'DELETE', key: 'b' }] }]);
    expect(leaseEvents).to.deep.equal([{ kind: 'revoked', id: 10 }]);
    expect(await revoked).to.have.nested.property('ok.revision', 8);
  });

  it('answers the errors etcd gives: an unknown lease on put, a granted id again, a revoke of nothing; a keepalive of nothing has TTL 0', async () => {
    const sm = await openSm('x');
    const log = new LogBuilder();
    const ops: CommandOp[] = [
      { put: { key: b('a'), value: b('1'), lease: 99 } },
      { leaseGrant: { id: 5, ttl: 10 } },
      { leaseGrant: { id: 5, ttl: 10 } },
      { leaseRevoke: { id: 6 } },
      { leaseKeepAlive: { id: 6 } },
      { txn: { compare: [], success: [{ requestPut: { key: b('t'), value: b('1'), lease: 98 } }], failure: [] } },
    ];
    const results = ops.map((_, i) => sm.waitForResult(`e-${i}`));
    await sm.apply(ops.map((op, i) => log.command({ id: `e-${i}`, op })));
    const summary = (r: CommandResult) => ('error' in r ? r.error.code : r.ok.response);
    expect((await Promise.all(results)).map(summary)).to.deep.equal([5, { id: 5, ttl: 10 }, 9, 5, { id: 6, ttl: 0 }, 5]);
    expect(sm.currentRevision()).to.equal(1);
  });

  it('keeps leases and their keys across a restart', async () => {
    const sm = await openSm('x');
    await sm.apply(leaseLog().slice(0, 8));
    const before = stateOf(sm);
    await sm.close();
    open.splice(open.indexOf(sm), 1);
    const reopened = await openSm('x');
    expect(stateOf(reopened)).to.deep.equal(before);
    expect(before.leases.map((l) => l.keys)).to.deep.equal([['a', 'b'], ['d']]);
  });

  it('carries leases in snapshots: a restored node revokes the same keys', async () => {
    const [x, y] = [await openSm('x'), await openSm('y')];
    const entries = leaseLog();
    await x.apply(entries.slice(0, 8));
    const data = await x.takeSnapshot();
    await y.restoreSnapshot({ meta: { index: 8, term: 1, config: { voters: ['n1'] } }, data } as never);
    expect(stateOf(y)).to.deep.equal(stateOf(x));
    await x.apply(entries.slice(8));
    await y.apply(entries.slice(8));
    expect(stateOf(y)).to.deep.equal(stateOf(x));
  });
});
