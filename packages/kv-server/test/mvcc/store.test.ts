import { expect } from 'chai';
import { MvccStore } from '../../src/mvcc/store.js';
import { KvError, type KvError as KvErrorType, type TxnResponse } from '../../src/mvcc/types.js';
import { b, keysOf, show } from './helpers.js';

function expectKvError(fn: () => unknown, code: number, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'expected a KvError').to.be.instanceOf(KvError);
  expect((thrown as KvErrorType).code).to.equal(code);
  expect((thrown as KvErrorType).message).to.equal(message);
}

const COMPACTED = 'etcdserver: mvcc: required revision has been compacted';
const FUTURE = 'etcdserver: mvcc: required revision is a future revision';

describe('MvccStore revisions', () => {
  it('starts at revision 1 and gives the first write revision 2, as etcd does', () => {
    const s = new MvccStore();
    expect(s.currentRevision()).to.equal(1);
    expect(s.put({ key: b('a'), value: b('1') }).revision).to.equal(2);
    expect(s.currentRevision()).to.equal(2);
  });

  it('tracks create_revision, mod_revision and version per key', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') });
    s.put({ key: b('b'), value: b('x') });
    s.put({ key: b('a'), value: b('2') });
    expect(show(s.range({ key: b('a') }).kvs[0])).to.deep.equal({ key: 'a', value: '2', create: 2, mod: 4, version: 2, lease: 0 });
    expect(show(s.range({ key: b('b') }).kvs[0])).to.deep.equal({ key: 'b', value: 'x', create: 3, mod: 3, version: 1, lease: 0 });
  });

  it('restarts version and create_revision after a delete (a new generation)', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') }); // 2
    s.put({ key: b('a'), value: b('2') }); // 3
    s.deleteRange({ key: b('a') }); // 4
    s.put({ key: b('a'), value: b('3') }); // 5
    expect(show(s.range({ key: b('a') }).kvs[0])).to.deep.equal({ key: 'a', value: '3', create: 5, mod: 5, version: 1, lease: 0 });
  });

  it('gives one revision to a txn with several writes, and each key that revision as mod_revision', () => {
    const s = new MvccStore();
    const out = s.txn({
      compare: [],
      success: [
        { requestPut: { key: b('a'), value: b('1') } },
        { requestPut: { key: b('b'), value: b('2') } },
        { requestDeleteRange: { key: b('zz') } },
      ],
      failure: [],
    });
    expect(out.revision).to.equal(2);
    expect(s.currentRevision()).to.equal(2);
    expect(s.range({ key: b('a'), rangeEnd: b('c') }).kvs.map((kv) => kv.modRevision)).to.deep.equal([2, 2]);
  });

  it('does not make a revision for a delete that deletes nothing or a txn without writes', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') });
    const del = s.deleteRange({ key: b('nope') });
    expect(del.revision).to.equal(2);
    expect(del.response.deleted).to.equal(0);
    const txn = s.txn({ compare: [], success: [{ requestRange: { key: b('a') } }], failure: [] });
    expect(txn.revision).to.equal(2);
    expect(s.currentRevision()).to.equal(2);
  });

  it('reads a past revision, including keys deleted since', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') }); // 2
    s.put({ key: b('a'), value: b('2') }); // 3
    s.deleteRange({ key: b('a') }); // 4
    expect(s.range({ key: b('a'), revision: 2 }).kvs[0]!.value.toString()).to.equal('1');
    expect(s.range({ key: b('a'), revision: 3 }).kvs[0]!.value.toString()).to.equal('2');
    expect(s.range({ key: b('a'), revision: 4 }).kvs).to.have.length(0);
    expect(s.range({ key: b('a'), revision: 1 }).count).to.equal(0);
  });

  it('rejects a read at a future revision', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') });
    expectKvError(() => s.range({ key: b('a'), revision: 3 }), 11, FUTURE);
  });

  it('returns prev_kv on put and prev_kvs on delete when asked', () => {
    const s = new MvccStore();
    expect(s.put({ key: b('a'), value: b('1'), prevKv: true }).response.prevKv).to.equal(undefined);
    expect(show(s.put({ key: b('a'), value: b('2'), prevKv: true }).response.prevKv)?.value).to.equal('1');
    s.put({ key: b('b'), value: b('3') });
    const del = s.deleteRange({ key: b('a'), rangeEnd: b('c'), prevKv: true });
    expect(del.response.deleted).to.equal(2);
    expect(del.revision).to.equal(5);
    expect(del.response.prevKvs.map((kv) => kv.value.toString())).to.deep.equal(['2', '3']);
    expect(s.deleteRange({ key: b('x') }).response.prevKvs).to.deep.equal([]);
  });

  it('deletes every key ≥ key with range_end [0]', () => {
    const s = new MvccStore();
    for (const k of ['a', 'b', 'c']) s.put({ key: b(k), value: b('v') });
    expect(s.deleteRange({ key: b('b'), rangeEnd: Buffer.of(0) }).response.deleted).to.equal(2);
    expect(keysOf(s.range({ key: Buffer.of(0), rangeEnd: Buffer.of(0) }).kvs)).to.deep.equal(['a']);
  });
});

describe('MvccStore put flags and leases', () => {
  it('keeps the old value with ignore_value and the old lease with ignore_lease', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') });
    s.put({ key: b('a'), value: Buffer.alloc(0), ignoreValue: true });
    const kv = s.range({ key: b('a') }).kvs[0]!;
    expect(kv.value.toString()).to.equal('1');
    expect(kv.version).to.equal(2);
    s.put({ key: b('a'), value: b('9'), ignoreLease: true });
    expect(s.range({ key: b('a') }).kvs[0]!.value.toString()).to.equal('9');
  });

  it('rejects ignore_value or ignore_lease on a missing key without making a revision', () => {
    const s = new MvccStore();
    expectKvError(() => s.put({ key: b('a'), value: Buffer.alloc(0), ignoreValue: true }), 3, 'etcdserver: key not found');
    expectKvError(() => s.put({ key: b('a'), value: b('x'), ignoreLease: true }), 3, 'etcdserver: key not found');
    expect(s.currentRevision()).to.equal(1);
    expect(s.range({ key: b('a') }).count).to.equal(0);
  });

  it('rejects a value given with ignore_value and a lease given with ignore_lease', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') });
    expectKvError(() => s.put({ key: b('a'), value: b('x'), ignoreValue: true }), 3, 'etcdserver: value is provided');
    expectKvError(() => s.put({ key: b('a'), value: b('x'), lease: 7, ignoreLease: true }), 3, 'etcdserver: lease is provided');
  });

  it('rejects any lease (leases are not implemented) with NotFound', () => {
    const s = new MvccStore();
    expectKvError(() => s.put({ key: b('a'), value: b('1'), lease: 42 }), 5, 'etcdserver: requested lease not found');
    expect(s.currentRevision()).to.equal(1);
  });

  it('rejects an empty key', () => {
    const s = new MvccStore();
    expectKvError(() => s.put({ key: Buffer.alloc(0), value: b('1') }), 3, 'etcdserver: key is not provided');
    expectKvError(() => s.range({ key: Buffer.alloc(0) }), 3, 'etcdserver: key is not provided');
    expectKvError(() => s.deleteRange({ key: Buffer.alloc(0) }), 3, 'etcdserver: key is not provided');
  });
});

describe('MvccStore range options', () => {
  function fixture(): MvccStore {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('3') }); // 2
    s.put({ key: b('b'), value: b('1') }); // 3
    s.put({ key: b('c'), value: b('2') }); // 4
    s.put({ key: b('b'), value: b('4') }); // 5
    s.put({ key: b('d'), value: b('0') }); // 6
    return s;
  }

  it('reads [key, range_end), every key ≥ key with [0], and all keys with key=[0] range_end=[0]', () => {
    const s = fixture();
    expect(keysOf(s.range({ key: b('b'), rangeEnd: b('d') }).kvs)).to.deep.equal(['b', 'c']);
    expect(keysOf(s.range({ key: b('b'), rangeEnd: Buffer.of(0) }).kvs)).to.deep.equal(['b', 'c', 'd']);
    expect(keysOf(s.range({ key: Buffer.of(0), rangeEnd: Buffer.of(0) }).kvs)).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(s.range({ key: b('d'), rangeEnd: b('b') }).count).to.equal(0);
  });

  it('limits, sets more, and counts every key in the range', () => {
    const s = fixture();
    const r = s.range({ key: b('a'), rangeEnd: b('z'), limit: 2 });
    expect(keysOf(r.kvs)).to.deep.equal(['a', 'b']);
    expect(r.more).to.equal(true);
    expect(r.count).to.equal(4);
    const all = s.range({ key: b('a'), rangeEnd: b('z'), limit: 4 });
    expect(all.more).to.equal(false);
    expect(all.kvs).to.have.length(4);
  });

  it('sorts by each target in both orders; NONE with a non-KEY target sorts ascending', () => {
    const s = fixture();
    const all = { key: Buffer.of(0), rangeEnd: Buffer.of(0) };
    expect(keysOf(s.range({ ...all, sortOrder: 'DESCEND', sortTarget: 'KEY' }).kvs)).to.deep.equal(['d', 'c', 'b', 'a']);
    expect(keysOf(s.range({ ...all, sortOrder: 'ASCEND', sortTarget: 'KEY' }).kvs)).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(keysOf(s.range({ ...all, sortOrder: 'ASCEND', sortTarget: 'VALUE' }).kvs)).to.deep.equal(['d', 'c', 'a', 'b']);
    expect(keysOf(s.range({ ...all, sortTarget: 'VALUE' }).kvs)).to.deep.equal(['d', 'c', 'a', 'b']);
    expect(keysOf(s.range({ ...all, sortOrder: 'DESCEND', sortTarget: 'MOD' }).kvs)).to.deep.equal(['d', 'b', 'c', 'a']);
    expect(keysOf(s.range({ ...all, sortOrder: 'DESCEND', sortTarget: 'CREATE' }).kvs)).to.deep.equal(['d', 'c', 'b', 'a']);
    expect(keysOf(s.range({ ...all, sortOrder: 'DESCEND', sortTarget: 'VERSION' }).kvs)[0]).to.equal('b');
  });

  it('applies sort before limit', () => {
    const s = fixture();
    const r = s.range({ key: Buffer.of(0), rangeEnd: Buffer.of(0), sortOrder: 'DESCEND', sortTarget: 'KEY', limit: 1 });
    expect(keysOf(r.kvs)).to.deep.equal(['d']);
    expect(r.more).to.equal(true);
    expect(r.count).to.equal(4);
  });

  it('filters by min/max mod and create revision, keeping count as the unfiltered total (etcd 3.4)', () => {
    const s = fixture();
    const all = { key: Buffer.of(0), rangeEnd: Buffer.of(0) };
    expect(keysOf(s.range({ ...all, minModRevision: 4 }).kvs)).to.deep.equal(['b', 'c', 'd']);
    expect(keysOf(s.range({ ...all, maxModRevision: 4 }).kvs)).to.deep.equal(['a', 'c']);
    expect(keysOf(s.range({ ...all, minCreateRevision: 3, maxCreateRevision: 4 }).kvs)).to.deep.equal(['b', 'c']);
    const limited = s.range({ ...all, minModRevision: 4, limit: 2 });
    expect(keysOf(limited.kvs)).to.deep.equal(['b', 'c']);
    expect(limited.more).to.equal(true);
    expect(limited.count).to.equal(4);
  });

  it('answers keys_only without values and count_only with just the count', () => {
    const s = fixture();
    const keysOnly = s.range({ key: b('a'), rangeEnd: b('c'), keysOnly: true });
    expect(keysOnly.kvs.map((kv) => kv.value.length)).to.deep.equal([0, 0]);
    expect(s.range({ key: b('a') }).kvs[0]!.value.toString()).to.equal('3');
    const countOnly = s.range({ key: b('a'), rangeEnd: b('z'), countOnly: true });
    expect(countOnly).to.deep.equal({ kvs: [], more: false, count: 4 });
  });

  it('rejects an unknown sort option', () => {
    const s = fixture();
    expectKvError(() => s.range({ key: b('a'), sortOrder: 'SIDEWAYS' as never }), 3, 'etcdserver: invalid sort option');
  });
});

describe('MvccStore compaction', () => {
  it('keeps reads at and after the compact revision and refuses older ones', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') }); // 2
    s.put({ key: b('a'), value: b('2') }); // 3
    s.put({ key: b('a'), value: b('3') }); // 4
    s.compact(3);
    expect(s.compactedRevision()).to.equal(3);
    expect(s.range({ key: b('a'), revision: 3 }).kvs[0]!.value.toString()).to.equal('2');
    expect(s.range({ key: b('a'), revision: 4 }).kvs[0]!.value.toString()).to.equal('3');
    expectKvError(() => s.range({ key: b('a'), revision: 2 }), 11, COMPACTED);
  });

  it('frees history older than the compact revision but keeps the latest version of each live key', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') }); // 2
    s.put({ key: b('a'), value: b('2') }); // 3
    s.put({ key: b('gone'), value: b('x') }); // 4
    s.deleteRange({ key: b('gone') }); // 5
    s.put({ key: b('a'), value: b('3') }); // 6
    s.compact(5);
    const { keys, records } = s.records();
    const kept = records.map((r, i) => `${keys[i]!.toString()}@${r.main}${r.isTombstone ? 'x' : ''}`);
    expect(kept).to.deep.equal(['a@3', 'a@6']);
    expect(s.indexedKeys()).to.equal(1);
    expect(s.range({ key: b('gone'), revision: 5 }).count).to.equal(0);
  });

  it('refuses compacting an already compacted revision and a future one', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') });
    s.put({ key: b('a'), value: b('2') });
    s.compact(2);
    expectKvError(() => s.compact(2), 11, COMPACTED);
    expectKvError(() => s.compact(1), 11, COMPACTED);
    expectKvError(() => s.compact(4), 11, FUTURE);
    expect(s.compact(3).revision).to.equal(3);
  });

  it('allows one first compaction at revision 0, as etcd (compactMainRev starts at -1)', () => {
    const s = new MvccStore();
    expect(s.compact(0).revision).to.equal(1);
    expect(s.compactedRevision()).to.equal(0);
    expectKvError(() => s.compact(0), 11, COMPACTED);
    expect(s.compact(1).revision).to.equal(1);
  });

  it('does not make a revision', () => {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') });
    s.compact(2);
    expect(s.currentRevision()).to.equal(2);
    expect(s.put({ key: b('a'), value: b('2') }).revision).to.equal(3);
  });
});

describe('MvccStore txn', () => {
  const put = (k: string, v: string) => ({ requestPut: { key: b(k), value: b(v) } });
  const get = (k: string) => ({ requestRange: { key: b(k) } });

  function store(): MvccStore {
    const s = new MvccStore();
    s.put({ key: b('a'), value: b('1') }); // 2
    s.put({ key: b('a'), value: b('2') }); // 3
    return s;
  }

  it('compares VALUE, VERSION, CREATE, MOD and LEASE with each result', () => {
    const s = store();
    const holds = (c: object): boolean =>
      s.txn({ compare: [{ key: b('a'), ...c } as never], success: [], failure: [] }).response.succeeded;
    expect(holds({ target: 'VALUE', result: 'EQUAL', value: b('2') })).to.equal(true);
    expect(holds({ target: 'VALUE', result: 'GREATER', value: b('1') })).to.equal(true);
    expect(holds({ target: 'VALUE', result: 'LESS', value: b('1') })).to.equal(false);
    expect(holds({ target: 'VALUE', result: 'NOT_EQUAL', value: b('2') })).to.equal(false);
    expect(holds({ target: 'VERSION', result: 'EQUAL', version: 2 })).to.equal(true);
    expect(holds({ target: 'VERSION', result: 'LESS', version: 3 })).to.equal(true);
    expect(holds({ target: 'CREATE', result: 'EQUAL', createRevision: 2 })).to.equal(true);
    expect(holds({ target: 'MOD', result: 'GREATER', modRevision: 2 })).to.equal(true);
    expect(holds({ target: 'MOD', result: 'NOT_EQUAL', modRevision: 3 })).to.equal(false);
    expect(holds({ target: 'LEASE', result: 'EQUAL', lease: 0 })).to.equal(true);
  });

  it('compares a missing key as version/create/mod 0 and always fails a VALUE compare on it', () => {
    const s = store();
    const holds = (c: object): boolean =>
      s.txn({ compare: [{ key: b('missing'), ...c } as never], success: [], failure: [] }).response.succeeded;
    expect(holds({ target: 'VERSION', result: 'EQUAL', version: 0 })).to.equal(true);
    expect(holds({ target: 'CREATE', result: 'EQUAL', createRevision: 0 })).to.equal(true);
    expect(holds({ target: 'MOD', result: 'LESS', modRevision: 1 })).to.equal(true);
    expect(holds({ target: 'VALUE', result: 'EQUAL', value: Buffer.alloc(0) })).to.equal(false);
    expect(holds({ target: 'VALUE', result: 'NOT_EQUAL', value: b('x') })).to.equal(false);
  });

  it('requires a compare over a range to hold for every key in it', () => {
    const s = store();
    s.put({ key: b('b'), value: b('1') });
    const cmp = (result: string) =>
      s.txn({ compare: [{ key: b('a'), rangeEnd: b('c'), target: 'VERSION', result, version: 1 } as never], success: [], failure: [] })
        .response.succeeded;
    expect(cmp('GREATER')).to.equal(false);
    expect(s.txn({ compare: [{ key: b('a'), rangeEnd: b('c'), target: 'VERSION', result: 'GREATER', version: 0 }], success: [], failure: [] }).response.succeeded).to.equal(true);
  });

  it('runs success when every compare holds and failure otherwise', () => {
    const s = store();
    const ok = s.txn({
      compare: [{ key: b('a'), target: 'VALUE', result: 'EQUAL', value: b('2') }],
      success: [put('a', '3')],
      failure: [get('a')],
    });
    expect(ok.response.succeeded).to.equal(true);
    expect(ok.revision).to.equal(4);
    const no = s.txn({
      compare: [
        { key: b('a'), target: 'VALUE', result: 'EQUAL', value: b('3') },
        { key: b('a'), target: 'VERSION', result: 'EQUAL', version: 99 },
      ],
      success: [put('a', 'never')],
      failure: [get('a')],
    });
    expect(no.response.succeeded).to.equal(false);
    expect(no.revision).to.equal(4);
    const resp = no.response.responses[0]!;
    expect('responseRange' in resp && resp.responseRange.kvs[0]!.value.toString()).to.equal('3');
  });

  it('lets a range inside the txn see the txn’s earlier writes', () => {
    const s = store();
    const out = s.txn({ compare: [], success: [get('a'), put('a', 'new'), get('a'), get('b')], failure: [] });
    const values = out.response.responses.map((r) => ('responseRange' in r ? r.responseRange.kvs.map((kv) => kv.value.toString()) : 'put'));
    expect(values).to.deep.equal([['2'], 'put', ['new'], []]);
  });

  it('runs nested txns, whose compares see the state before the outer txn', () => {
    const s = store();
    const out = s.txn({
      compare: [],
      success: [
        put('b', '1'),
        {
          requestTxn: {
            // b does not exist before the outer txn, so version is 0 here even though it was just put.
            compare: [{ key: b('b'), target: 'VERSION', result: 'EQUAL', version: 0 }],
            success: [put('c', 'then')],
            failure: [put('c', 'else')],
          },
        },
      ],
      failure: [],
    });
    const nested = out.response.responses[1]! as { responseTxn: TxnResponse };
    expect(nested.responseTxn.succeeded).to.equal(true);
    expect(s.range({ key: b('c') }).kvs[0]!.value.toString()).to.equal('then');
    expect(s.range({ key: b('c') }).kvs[0]!.modRevision).to.equal(s.range({ key: b('b') }).kvs[0]!.modRevision);
  });

  it('fails as a whole, without a revision, when a chosen put has a lease or ignores a missing key', () => {
    const s = store();
    expectKvError(
      () => s.txn({ compare: [], success: [put('x', '1'), { requestPut: { key: b('y'), value: b('1'), lease: 5 } }], failure: [] }),
      5,
      'etcdserver: requested lease not found',
    );
    expectKvError(
      () =>
        s.txn({ compare: [], success: [put('x', '1'), { requestPut: { key: b('y'), value: Buffer.alloc(0), ignoreValue: true } }], failure: [] }),
      3,
      'etcdserver: key not found',
    );
    expect(s.currentRevision()).to.equal(3);
    expect(s.range({ key: b('x') }).count).to.equal(0);
  });

  it('fails as a whole when a chosen range reads a future or compacted revision', () => {
    const s = store();
    s.compact(3);
    expectKvError(() => s.txn({ compare: [], success: [put('x', '1'), { requestRange: { key: b('a'), revision: 9 } }], failure: [] }), 11, FUTURE);
    expectKvError(() => s.txn({ compare: [], success: [put('x', '1'), { requestRange: { key: b('a'), revision: 2 } }], failure: [] }), 11, COMPACTED);
    expect(s.range({ key: b('x') }).count).to.equal(0);
  });

  it('runs a delete-all then a put in one txn: the put starts a new generation at the txn revision', () => {
    const s = store();
    s.put({ key: b('b'), value: b('1') }); // 4
    const out = s.txn({ compare: [], success: [{ requestDeleteRange: { key: b('a'), rangeEnd: Buffer.of(0) } }, put('b', '9')], failure: [] });
    expect(out.revision).to.equal(5);
    const del = out.response.responses[0]! as { responseDeleteRange: { deleted: number } };
    expect(del.responseDeleteRange.deleted).to.equal(2);
    expect(show(s.range({ key: b('b') }).kvs[0])).to.deep.equal({ key: 'b', value: '9', create: 5, mod: 5, version: 1, lease: 0 });
    expect(s.range({ key: b('a') }).count).to.equal(0);
  });

  it('rejects a key put twice in one txn', () => {
    const s = store();
    expectKvError(() => s.txn({ compare: [], success: [put('x', '1'), put('x', '2')], failure: [] }), 3, 'etcdserver: duplicate key given in txn request');
    expect(s.currentRevision()).to.equal(3);
  });

  it('serves a read-only txn locally and refuses one that writes', () => {
    const s = store();
    const r = s.readTxn({ compare: [{ key: b('a'), target: 'VERSION', result: 'EQUAL', version: 2 }], success: [get('a')], failure: [] });
    expect(r.succeeded).to.equal(true);
    expect(s.currentRevision()).to.equal(3);
    expect(() => s.readTxn({ compare: [], success: [put('a', '1')], failure: [] })).to.throw(/writes/);
  });
});
