import { expect } from 'chai';
import { checkHistory, type CheckReport } from './checker.js';
import { cas, casResult, del, deleted, get, op, put, read, toEvents, wrote, type Interval } from './history-builder.js';
import { formatReport } from './timeline.js';

function check(intervals: Interval[]): CheckReport {
  return checkHistory(toEvents(intervals));
}

function expectValid(intervals: Interval[]): void {
  const report = check(intervals);
  expect(report.verdict, formatReport(report)).to.equal('VALID');
}

/** Expects INVALID and that the violation window is exactly the given interval positions (op ids). */
function expectInvalid(intervals: Interval[], window: number[]): CheckReport {
  const report = check(intervals);
  expect(report.verdict).to.equal('INVALID');
  const violation = report.keys.find((k) => k.verdict === 'INVALID')?.violation;
  expect(violation, formatReport(report)).to.not.equal(undefined);
  expect(violation!.window.map((o) => o.opId), formatReport(report)).to.deep.equal(window);
  return report;
}

describe('linearizability checker: linearizable histories', () => {
  it('accepts an empty history', () => {
    expect(check([]).verdict).to.equal('VALID');
  });

  it('accepts a sequential history, reading absent before any write', () => {
    expectValid([
      op(1, 0, 1, get(), read(null)),
      op(1, 2, 3, put('a'), wrote),
      op(1, 4, 5, get(), read('a')),
      op(2, 6, 7, cas('a', 'b'), casResult(true)),
      op(2, 8, 9, cas('a', 'c'), casResult(false)),
      op(1, 10, 11, get(), read('b')),
      op(1, 12, 13, del(), deleted(true)),
      op(1, 14, 15, get(), read(null)),
    ]);
  });

  it('accepts overlapping writes read in either order', () => {
    const writes = [op(1, 0, 10, put('a'), wrote), op(2, 0, 10, put('b'), wrote)];
    expectValid([...writes, op(3, 11, 12, get(), read('a')), op(3, 13, 14, get(), read('a'))]);
    expectValid([...writes, op(3, 11, 12, get(), read('b')), op(3, 13, 14, get(), read('b'))]);
  });

  it('accepts a read concurrent with a write seeing either the old or the new value', () => {
    const before = [op(1, 0, 1, put('old'), wrote), op(1, 2, 10, put('new'), wrote)];
    expectValid([...before, op(2, 3, 5, get(), read('old'))]);
    expectValid([...before, op(2, 3, 5, get(), read('new'))]);
  });

  it('accepts an indeterminate write later observed', () => {
    expectValid([op(1, 0, 1, put('a'), wrote), op(2, 2, 3, put('b'), 'info'), op(3, 20, 21, get(), read('b'))]);
  });

  it('accepts an indeterminate write that takes effect long after its client gave up', () => {
    expectValid([
      op(1, 0, 1, put('a'), wrote),
      op(2, 2, 3, put('b'), 'info'),
      op(3, 20, 21, get(), read('a')),
      op(3, 22, 23, get(), read('b')),
    ]);
  });

  it('accepts an indeterminate write never observed, and an invoke never completed', () => {
    expectValid([op(1, 0, 1, put('a'), wrote), op(2, 2, 3, put('b'), 'info'), op(3, 20, 21, get(), read('a'))]);
    expectValid([op(1, 0, 1, put('a'), wrote), op(2, 2, 0, put('b'), 'open'), op(3, 20, 21, get(), read('a'))]);
  });

  it('drops definitely failed operations and indeterminate reads', () => {
    const report = check([
      op(1, 0, 1, put('a'), wrote),
      op(2, 2, 3, put('b'), 'fail'),
      op(3, 4, 5, get(), 'info'),
      op(3, 6, 7, get(), read('a')),
    ]);
    expect(report.verdict).to.equal('VALID');
    expect(report.dropped).to.equal(2);
  });

  it('accepts an indeterminate cas whose effect is observed', () => {
    expectValid([op(1, 0, 1, put('a'), wrote), op(2, 2, 3, cas('a', 'b'), 'info'), op(1, 4, 5, get(), read('b'))]);
  });

  it('checks keys independently', () => {
    const report = check([
      op(1, 0, 1, put('a', 'x'), wrote),
      op(1, 2, 3, put('b', 'y'), wrote),
      op(2, 4, 5, get('x'), read('a')),
      op(2, 6, 7, get('y'), read('b')),
    ]);
    expect(report.verdict).to.equal('VALID');
    expect(report.keys.map((k) => [k.key, k.verdict])).to.deep.equal([
      ['x', 'VALID'],
      ['y', 'VALID'],
    ]);
  });

  it('returns a witness linearization that respects real time', () => {
    const report = check([op(1, 0, 10, put('a'), wrote), op(2, 1, 11, put('b'), wrote), op(3, 12, 13, get(), read('a'))]);
    expect(report.keys[0]!.linearization).to.deep.equal([1, 0, 2]);
  });
});

describe('linearizability checker: violations', () => {
  it('rejects a stale read', () => {
    expectInvalid([op(1, 0, 1, put('a'), wrote), op(1, 2, 3, put('b'), wrote), op(2, 4, 5, get(), read('a'))], [0, 1, 2]);
  });

  it('rejects a lost write: acknowledged, then never seen by a later read with no later write', () => {
    const report = expectInvalid(
      [
        op(1, 0, 1, put('a'), wrote),
        op(2, 2, 3, get(), read('a')),
        op(1, 4, 5, put('b'), wrote),
        op(2, 6, 7, get(), read('a')),
        op(3, 8, 9, get(), read('a')),
      ],
      [0, 2, 3],
    );
    expect(report.keys[0]!.violation!.failingOpIds).to.deep.equal([3]);
  });

  it('rejects a read of a value never written', () => {
    expectInvalid([op(1, 0, 1, put('a'), wrote), op(2, 0, 5, get(), read('zzz'))], [1]);
  });

  it('rejects a read going back in time: sequential reads see new then old', () => {
    expectInvalid(
      [
        op(1, 0, 1, put('old'), wrote),
        op(1, 2, 20, put('new'), wrote),
        op(2, 3, 4, get(), read('new')),
        op(2, 5, 6, get(), read('old')),
      ],
      [0, 1, 2, 3],
    );
  });

  it('rejects a cas that succeeded on a value not present', () => {
    // The write of 'a' is not needed to show it: 'x' was never written at all.
    expectInvalid([op(1, 0, 1, put('a'), wrote), op(2, 2, 3, cas('x', 'y'), casResult(true))], [1]);
    expectInvalid([op(1, 0, 1, put('x'), wrote), op(1, 2, 3, put('a'), wrote), op(2, 4, 5, cas('x', 'y'), casResult(true))], [0, 1, 2]);
  });

  it('rejects a cas that failed although the expected value was present', () => {
    expectInvalid([op(1, 0, 1, put('a'), wrote), op(2, 2, 3, cas('a', 'b'), casResult(false))], [0, 1]);
  });

  it('rejects a delete that found nothing after an acknowledged write', () => {
    expectInvalid([op(1, 0, 1, put('a'), wrote), op(2, 2, 3, del(), deleted(false))], [0, 1]);
  });

  it('rejects an indeterminate write observed before it was invoked', () => {
    expectInvalid([op(1, 0, 1, get(), read('b')), op(2, 2, 3, put('b'), 'info')], [0]);
  });

  it('rejects an indeterminate write seen twice with another write in between: it takes effect at most once', () => {
    expectInvalid(
      [
        op(1, 0, 1, put('a'), 'info'),
        op(2, 2, 3, get(), read('a')),
        op(2, 4, 5, put('b'), wrote),
        op(2, 6, 7, get(), read('a')),
      ],
      [0, 1, 2, 3],
    );
  });

  it('rejects a value written by a definitely failed request', () => {
    expectInvalid([op(1, 0, 1, put('b'), 'fail'), op(2, 2, 3, get(), read('b'))], [1]);
  });

  it('reports INVALID overall when one key of several is invalid', () => {
    const report = check([
      op(1, 0, 1, put('a', 'good'), wrote),
      op(1, 2, 3, get('good'), read('a')),
      op(1, 4, 5, put('a', 'bad'), wrote),
      op(1, 6, 7, get('bad'), read(null)),
    ]);
    expect(report.verdict).to.equal('INVALID');
    expect(report.keys.map((k) => k.verdict)).to.deep.equal(['INVALID', 'VALID']);
  });

  it('shrinks a long history to the few operations that conflict', () => {
    const intervals: Interval[] = [];
    for (let i = 0; i < 50; i++) {
      intervals.push(op(1, 4 * i, 4 * i + 1, put(`v${i}`), wrote), op(2, 4 * i + 2, 4 * i + 3, get(), read(`v${i}`)));
    }
    intervals.push(op(3, 1000, 1001, get(), read('v10')));
    const report = check(intervals);
    const violation = report.keys[0]!.violation!;
    const described = violation.window.map((o) => [o.opId, o.op.f]);
    // The read (op 100), the write it claims to see (put v10 = op 20), and any one later overwrite.
    expect(described, formatReport(report)).to.have.length(3);
    expect(described[0]).to.deep.equal([20, 'put']);
    expect(described[1]![0]).to.be.above(20);
    expect(described[1]![1]).to.equal('put');
    expect(described[2]).to.deep.equal([100, 'get']);
    expect(violation.failingOpIds).to.deep.equal([100]);
    expect(violation.minimal).to.equal(true);
  });

  it('rejects a delete that saw the key after it was already deleted; the first delete only matters as a write', () => {
    const report = expectInvalid(
      [op(1, 0, 1, put('a'), wrote), op(1, 2, 3, del(), deleted(true)), op(2, 4, 5, del(), deleted(true))],
      [0, 1, 2],
    );
    expect(report.keys[0]!.violation!.ignoredOutcomeOpIds).to.deep.equal([1]);
  });

  it('keeps a delete outcome the violation depends on', () => {
    const report = expectInvalid([op(1, 0, 1, del(), deleted(true))], [0]);
    expect(report.keys[0]!.violation!.ignoredOutcomeOpIds).to.deep.equal([]);
  });

  it('marks a delete outcome the violation does not depend on as not needed', () => {
    const report = expectInvalid([op(1, 0, 1, put('a'), wrote), op(1, 2, 3, del(), deleted(true)), op(2, 4, 5, get(), read('a'))], [0, 1, 2]);
    expect(report.keys[0]!.violation!.ignoredOutcomeOpIds).to.deep.equal([1]);
    expect(formatReport(report)).to.match(/#1 delete -> deleted \(outcome not needed here\)/);
  });

  it('renders a violation as a timeline naming every op in the window', () => {
    const report = check([op(1, 0, 1, put('a'), wrote), op(1, 2, 3, put('b'), wrote), op(2, 4, 5, get(), read('a'))]);
    const text = formatReport(report);
    expect(text).to.contain('linearizability: INVALID');
    expect(text).to.contain('put "a" -> ok');
    expect(text).to.contain('put "b" -> ok');
    expect(text).to.match(/^! p2 .*get -> "a"$/m);
  });
});
