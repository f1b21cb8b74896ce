import { expect } from 'chai';
import { validateTxn } from '../../src/mvcc/validate.js';
import { KvError, type RequestOp, type TxnRequest } from '../../src/mvcc/types.js';
import { b } from './helpers.js';

const DUPLICATE = 'etcdserver: duplicate key given in txn request';
const TOO_MANY = 'etcdserver: too many operations in txn request';

const put = (k: string): RequestOp => ({ requestPut: { key: b(k), value: b('v') } });
const del = (k: string, end?: Buffer): RequestOp => ({ requestDeleteRange: end ? { key: b(k), rangeEnd: end } : { key: b(k) } });
const get = (k: string): RequestOp => ({ requestRange: { key: b(k) } });
const txn = (success: RequestOp[], failure: RequestOp[] = []): TxnRequest => ({ compare: [], success, failure });
const nested = (success: RequestOp[], failure: RequestOp[] = []): RequestOp => ({ requestTxn: txn(success, failure) });

function rejection(req: TxnRequest, maxOps?: number): string | undefined {
  try {
    validateTxn(req, maxOps);
    return undefined;
  } catch (err) {
    expect(err).to.be.instanceOf(KvError);
    expect((err as KvError).code).to.equal(3);
    return (err as KvError).message;
  }
}

describe('validateTxn', () => {
  it('accepts distinct puts, reads, and deletes that no put touches', () => {
    expect(rejection(txn([put('a'), put('b'), get('a'), del('c'), del('c')]))).to.equal(undefined);
  });

  it('rejects a key put twice on one path', () => {
    expect(rejection(txn([put('a'), put('a')]))).to.equal(DUPLICATE);
    expect(rejection(txn([], [put('a'), put('a')]))).to.equal(DUPLICATE);
  });

  it('accepts the same key put in success and in failure (they exclude each other)', () => {
    expect(rejection(txn([put('a')], [put('a')]))).to.equal(undefined);
    expect(rejection(txn([nested([put('a')], [put('a')])]))).to.equal(undefined);
  });

  it('rejects a put of a key a delete of the same path covers', () => {
    expect(rejection(txn([del('a'), put('a')]))).to.equal(DUPLICATE);
    expect(rejection(txn([put('b'), del('a', b('c'))]))).to.equal(DUPLICATE);
    expect(rejection(txn([put('c'), del('a', b('c'))]))).to.equal(undefined);
  });

  it('does not check a delete with range_end [0] against puts, as etcd 3.4 does not', () => {
    expect(rejection(txn([put('z'), del('a', Buffer.of(0))]))).to.equal(undefined);
    expect(rejection(txn([del('a', Buffer.of(0)), nested([put('b')])]))).to.equal(undefined);
  });

  it('rejects a nested txn putting a key the outer txn puts or deletes', () => {
    expect(rejection(txn([put('a'), nested([put('a')])]))).to.equal(DUPLICATE);
    expect(rejection(txn([del('a'), nested([], [put('a')])]))).to.equal(DUPLICATE);
    expect(rejection(txn([nested([del('a')]), put('a')]))).to.equal(DUPLICATE);
    expect(rejection(txn([nested([put('a')]), nested([put('a')])]))).to.equal(DUPLICATE);
  });

  it('rejects more operations than allowed, counting nested txns against what is left', () => {
    const ops = (n: number) => Array.from({ length: n }, (_, i) => get(`k${i}`));
    expect(rejection(txn(ops(128)))).to.equal(undefined);
    expect(rejection(txn(ops(129)))).to.equal(TOO_MANY);
    expect(rejection(txn(ops(3)), 2)).to.equal(TOO_MANY);
    expect(rejection(txn([get('a'), nested(ops(127))]))).to.equal(TOO_MANY);
    expect(rejection(txn([get('a'), nested(ops(126))]))).to.equal(undefined);
  });

  it('rejects an empty op, an empty compare key, and a put with ignore_value and a value', () => {
    expect(rejection(txn([{} as RequestOp]))).to.equal('etcdserver: key not found');
    expect(rejection({ compare: [{ key: Buffer.alloc(0), target: 'VERSION', result: 'EQUAL' }], success: [], failure: [] })).to.equal(
      'etcdserver: key is not provided',
    );
    expect(rejection(txn([{ requestPut: { key: b('a'), value: b('x'), ignoreValue: true } }]))).to.equal('etcdserver: value is provided');
  });

  it('rejects malformed shapes with a clear error instead of crashing', () => {
    expect(rejection({ compare: [], success: 'nope', failure: [] } as never)).to.match(/malformed request: txn success must be a list/);
    expect(rejection(txn([{ requestPut: { key: 'a', value: b('v') } } as never]))).to.match(/key must be bytes/);
  });
});
