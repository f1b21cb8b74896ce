import { expect } from 'chai';
import { checkHistory, checkOperations } from './checker.js';
import { get, op, put, read, toEvents, wrote, type Interval } from './history-builder.js';
import { formatReport } from './timeline.js';

// A stale read at the end of a run of concurrent writes: real search work, then a violation.
function staleReadHistory(writes = 40): Interval[] {
  const intervals: Interval[] = [];
  for (let i = 0; i < writes; i++) intervals.push(op(i % 4, 10 * i, 10 * i + 25, put(`v${i}`), wrote));
  intervals.push(op(9, 10 * writes, 10 * writes + 1, get(), read('v0')));
  return intervals;
}

describe('linearizability checker: budgets', () => {
  it('answers UNKNOWN rather than searching past the step budget', () => {
    const report = checkHistory(toEvents(staleReadHistory()), { maxStepsPerKey: 5 });
    expect(report.verdict).to.equal('UNKNOWN');
    expect(report.keys[0]!.verdict).to.equal('UNKNOWN');
    expect(report.keys[0]!.searchSteps).to.be.at.most(6);
  });

  it('still reports a genuine violation window when shrinking has no time, marked not minimal', () => {
    const report = checkHistory(toEvents(staleReadHistory()), { explainTimeoutMs: 0 });
    expect(report.verdict).to.equal('INVALID');
    const violation = report.keys[0]!.violation!;
    expect(violation.minimal).to.equal(false);
    expect(formatReport(report)).to.contain('window not minimal');
    expect(checkOperations(violation.window).verdict).to.equal('INVALID');
  });

  it('prints only the latest 200 rows of a window that could not be shrunk', () => {
    const report = checkHistory(toEvents(staleReadHistory(300)), { explainTimeoutMs: 0 });
    const text = formatReport(report);
    expect(text).to.contain('(101 earlier operations not shown)');
    expect(text).to.match(/#300 get -> "v0"$/m);
  });

  it('can skip explanations entirely', () => {
    const report = checkHistory(toEvents(staleReadHistory()), { explain: false });
    expect(report.verdict).to.equal('INVALID');
    expect(report.keys[0]!.violation).to.equal(undefined);
  });
});
