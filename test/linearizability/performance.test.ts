import { expect } from 'chai';
import { checkHistory } from './checker.js';
import { toEvents } from './history-builder.js';
import { generateLinearizableHistory, seededRandom, staleReadMutation } from './history-generator.js';

// Sizes a fault run produces. Times are printed for the report, never asserted (the machine is shared).
describe('linearizability checker: performance sanity (times printed, not asserted)', function () {
  // The machine is shared: the verdicts rest on step budgets, and wall-clock limits stay far away.
  this.timeout(180_000);
  const cases = [
    { name: '5 processes x 200 ops on 3 keys', processes: 5, opsPerProcess: 200, keys: 3, indeterminateRate: 0.05, failRate: 0.02 },
    { name: '10 processes x 100 ops on 1 key', processes: 10, opsPerProcess: 100, keys: 1, indeterminateRate: 0.05, failRate: 0.02 },
  ];

  for (const params of cases) {
    it(`checks ${params.name} without running out of budget`, () => {
      const events = toEvents(generateLinearizableHistory(seededRandom(7), params));
      const report = checkHistory(events, { timeoutMs: 120_000 });
      const steps = report.keys.map((k) => k.searchSteps).join('/');
      console.log(`      ${params.name}: ${report.verdict} in ${report.elapsedMs.toFixed(0)} ms, search steps per key ${steps}`);
      expect(report.verdict).to.equal('VALID');
    });
  }

  const staleReadCases = [
    { name: '5 processes x 200 ops on 3 keys', keys: 3, indeterminateRate: 0.05 },
    { name: '5 processes x 200 ops on 1 key, 10% indeterminate', keys: 1, indeterminateRate: 0.1 },
  ];
  for (const { name, ...shape } of staleReadCases) {
    it(`finds and shrinks a stale read in ${name}`, () => {
      const params = { processes: 5, opsPerProcess: 200, failRate: 0.02, casExpects: 'recent' as const, ...shape };
      const intervals = generateLinearizableHistory(seededRandom(11), params);
      const { history, readId } = staleReadMutation(intervals, 1234)!;

      // Generous time budget: the verdict must come from the (deterministic) step budget, not the clock.
      const report = checkHistory(toEvents(history), { timeoutMs: 120_000, explainTimeoutMs: 120_000 });
      const bad = report.keys.find((k) => k.verdict === 'INVALID');
      const steps = report.keys.map((k) => k.searchSteps).join('/');
      console.log(`      stale read, ${name}: ${report.verdict} in ${report.elapsedMs.toFixed(0)} ms (search steps per key ${steps}), window of ${bad?.violation?.window.length} ops`);
      expect(report.verdict).to.equal('INVALID');
      expect(bad!.violation!.window.map((o) => o.opId)).to.include(readId);
    });
  }
});
