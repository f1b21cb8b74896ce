import { expect } from 'chai';
import { HistoryRecorder, type HistoryEvent } from '../faults/history.js';
import { checkHistory } from './checker.js';
import { HistoryError, pairHistory } from './operations.js';

describe('history records', () => {
  it('records invoke and completion events with fresh op ids and clock times', () => {
    let now = 0;
    const recorder = new HistoryRecorder(() => now++);
    const write = recorder.invoke(1, { f: 'put', key: 'k', value: 'a' });
    const read = recorder.invoke(2, { f: 'get', key: 'k' });
    recorder.ok(write, { f: 'put' });
    recorder.info(read, 'timeout');
    expect(recorder.history()).to.deep.equal([
      { type: 'invoke', process: 1, opId: 0, time: 0, op: { f: 'put', key: 'k', value: 'a' } },
      { type: 'invoke', process: 2, opId: 1, time: 1, op: { f: 'get', key: 'k' } },
      { type: 'ok', process: 1, opId: 0, time: 2, result: { f: 'put' } },
      { type: 'info', process: 2, opId: 1, time: 3, error: 'timeout' },
    ]);
  });

  it('refuses to complete an op twice or one never invoked', () => {
    const recorder = new HistoryRecorder();
    const id = recorder.invoke(1, { f: 'get', key: 'k' });
    recorder.fail(id, 'refused');
    expect(() => recorder.ok(id, { f: 'get', value: null })).to.throw(/not open/);
    expect(() => recorder.info(99)).to.throw(/not open/);
  });

  it('records a whole async operation as ok, fail or info depending on how it ends', async () => {
    let now = 0;
    const recorder = new HistoryRecorder(() => now++);
    const refused = new Error('not leader');
    const definitelyNotApplied = (error: unknown): boolean => error === refused;
    const read = { f: 'get', key: 'k' } as const;
    expect(await recorder.record(1, read, async () => ({ f: 'get', value: 'a' }), definitelyNotApplied)).to.deep.equal({ f: 'get', value: 'a' });
    expect(await recorder.record(1, read, () => Promise.reject(refused), definitelyNotApplied)).to.equal(undefined);
    expect(await recorder.record(1, read, () => Promise.reject(new Error('timeout')), definitelyNotApplied)).to.equal(undefined);
    expect(recorder.history().filter((e) => e.type !== 'invoke')).to.deep.equal([
      { type: 'ok', process: 1, opId: 0, time: 1, result: { f: 'get', value: 'a' } },
      { type: 'fail', process: 1, opId: 1, time: 3, error: 'not leader' },
      { type: 'info', process: 1, opId: 2, time: 5, error: 'timeout' },
    ]);
  });

  it('produces a history the checker reads, with the default monotonic clock', () => {
    const recorder = new HistoryRecorder();
    recorder.ok(recorder.invoke(1, { f: 'put', key: 'k', value: 'a' }), { f: 'put' });
    recorder.ok(recorder.invoke(1, { f: 'get', key: 'k' }), { f: 'get', value: 'a' });
    expect(checkHistory(recorder.history()).verdict).to.equal('VALID');
  });
});

describe('pairing events into operations', () => {
  const invoke = (opId: number, time: number): HistoryEvent => ({ type: 'invoke', process: 1, opId, time, op: { f: 'get', key: 'k' } });
  const ok = (opId: number, time: number): HistoryEvent => ({ type: 'ok', process: 1, opId, time, result: { f: 'get', value: null } });

  it('treats an invoke without completion as indeterminate', () => {
    const events: HistoryEvent[] = [{ type: 'invoke', process: 1, opId: 0, time: 5, op: { f: 'put', key: 'k', value: 'a' } }];
    const [operation] = pairHistory(events).operations;
    expect(operation!.status).to.equal('indeterminate');
    expect(operation!.ret).to.equal(Infinity);
  });

  const malformed: [string, HistoryEvent[], RegExp][] = [
    ['a completion before any invoke', [ok(0, 1)], /before any invoke/],
    ['an op invoked twice', [invoke(0, 1), invoke(0, 2)], /invoked twice/],
    ['an op completed twice', [invoke(0, 1), ok(0, 2), ok(0, 3)], /completes twice/],
    ['a completion earlier than its invoke', [invoke(0, 5), ok(0, 2)], /before its invoke/],
    ['a result of another kind of op', [invoke(0, 1), { type: 'ok', process: 1, opId: 0, time: 2, result: { f: 'put' } }], /does not match/],
    ['a completion by another process', [invoke(0, 1), { ...ok(0, 2), process: 2 } as HistoryEvent], /completed by 2/],
    ['a time that is not a number', [invoke(0, NaN)], /finite/],
    ['an unknown op', [{ ...invoke(0, 1), op: { f: 'scan', key: 'k' } } as unknown as HistoryEvent], /unknown op/],
  ];
  for (const [what, events, message] of malformed) {
    it(`rejects ${what} with a HistoryError`, () => {
      expect(() => pairHistory(events)).to.throw(HistoryError, message);
    });
  }
});
