import { expect } from 'chai';
import fc from 'fast-check';
import type { KvOp } from '../faults/history.js';
import { bruteForceLinearizable, isLegalLinearization } from './brute-force-oracle.js';
import { checkHistory, checkOperations } from './checker.js';
import { op, toEvents, type Interval, type Outcome } from './history-builder.js';
import { generateLinearizableHistory, seededRandom, staleReadMutation, type GeneratorOptions } from './history-generator.js';
import { pairHistory, partitionByKey } from './operations.js';
import { compileRegister } from './register-model.js';
import { dropUnobservableOptional, removalGuard } from './removal-guard.js';
import { formatReport } from './timeline.js';

// Fixed fast-check seed: every run tests the same cases, so a failure reproduces.
const FC_SEED = 20261121;

const generatorOptions = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  processes: fc.integer({ min: 1, max: 5 }),
  opsPerProcess: fc.integer({ min: 1, max: 25 }),
  keys: fc.integer({ min: 1, max: 3 }),
  indeterminateRate: fc.constantFrom(0, 0.05, 0.2),
  failRate: fc.constantFrom(0, 0.05),
});

const value = fc.constantFrom('a', 'b', 'c');
const kvOp: fc.Arbitrary<KvOp> = fc.oneof(
  value.map((v): KvOp => ({ f: 'put', key: 'k', value: v })),
  fc.constant<KvOp>({ f: 'get', key: 'k' }),
  fc.constant<KvOp>({ f: 'delete', key: 'k' }),
  fc.tuple(fc.option(value, { nil: null }), value).map(([expected, v]): KvOp => ({ f: 'cas', key: 'k', expected, value: v })),
);
const tinyEntry = fc.record({
  call: fc.integer({ min: 0, max: 20 }),
  length: fc.integer({ min: 0, max: 10 }),
  op: kvOp,
  observed: fc.option(value, { nil: null }),
  flag: fc.boolean(),
  fate: fc.constantFrom('ok', 'ok', 'ok', 'info', 'fail'),
});
const tinyHistory = fc.array(tinyEntry, { minLength: 1, maxLength: 6 });

type TinyEntry = typeof tinyEntry extends fc.Arbitrary<infer T> ? T : never;

function toInterval(e: TinyEntry, i: number): Interval {
  return op(i, e.call, e.call + e.length, e.op, outcomeOf(e));
}

function generate(params: GeneratorOptions & { seed: number }): Interval[] {
  return generateLinearizableHistory(seededRandom(params.seed), params);
}

describe('linearizability checker: randomized', () => {
  it('finds every history of a real register under random concurrency VALID, with a legal witness order', () => {
    fc.assert(
      fc.property(generatorOptions, (params) => {
        const events = toEvents(generate(params));
        const report = checkHistory(events);
        expect(report.verdict, formatReport(report)).to.equal('VALID');
        const byKey = partitionByKey(pairHistory(events).operations);
        for (const key of report.keys) {
          expect(isLegalLinearization(byKey.get(key.key)!, key.linearization!)).to.equal(true);
        }
      }),
      { seed: FC_SEED, numRuns: 150 },
    );
  });

  it('finds INVALID once one read returns a value nobody wrote, with that read in a window that itself violates', () => {
    fc.assert(
      fc.property(generatorOptions, fc.nat(), (params, pickRead) => {
        const intervals = generate(params);
        const reads = intervals.map((iv, i) => [iv, i] as const).filter(([iv]) => iv.op.f === 'get' && typeof iv.outcome === 'object');
        fc.pre(reads.length > 0);
        const [target, targetId] = reads[pickRead % reads.length]!;
        const mutated = intervals.slice();
        mutated[targetId] = { ...target, outcome: { ok: { f: 'get', value: 'never-written' } } };

        const report = checkHistory(toEvents(mutated));
        expect(report.verdict).to.equal('INVALID');
        const bad = report.keys.find((k) => k.verdict === 'INVALID')!;
        expect(bad.key).to.equal(target.op.key);
        const window = bad.violation!.window;
        expect(window.map((o) => o.opId)).to.include(targetId);
        expect(checkOperations(window).verdict, formatReport(report)).to.equal('INVALID');
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
  });

  it('finds INVALID once one read returns a value overwritten before it began, and explains it with that read', () => {
    let mutated = 0;
    fc.assert(
      fc.property(generatorOptions, fc.nat(), (params, pick) => {
        const intervals = generate(params);
        const stale = staleReadMutation(intervals, pick);
        fc.pre(stale !== undefined);
        mutated++;
        const { history, readId } = stale!;
        const report = checkHistory(toEvents(history));
        expect(report.verdict, formatReport(report)).to.equal('INVALID');
        const window = report.keys.find((k) => k.verdict === 'INVALID')!.violation!.window;
        expect(window.map((o) => o.opId)).to.include(readId);
        expect(checkOperations(window).verdict, formatReport(report)).to.equal('INVALID');
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
    expect(mutated).to.be.above(50);
  });

  it('agrees with a brute-force check of the definition on tiny arbitrary histories', () => {
    let invalidSeen = 0;
    fc.assert(
      fc.property(tinyHistory, (entries) => {
        const intervals = entries.map(toInterval);
        const events = toEvents(intervals);
        const expected = bruteForceLinearizable(pairHistory(events).operations);
        const report = checkHistory(events);
        expect(report.verdict, formatReport(report)).to.equal(expected ? 'VALID' : 'INVALID');
        if (!expected) {
          invalidSeen++;
          const window = report.keys[0]!.violation!.window;
          expect(bruteForceLinearizable(window), formatReport(report)).to.equal(false);
        }
      }),
      { seed: FC_SEED, numRuns: 1000 },
    );
    // The generator must exercise both verdicts for the comparison to mean anything.
    expect(invalidSeen).to.be.within(50, 950);
  });
});

describe('violation windows: removal guard', () => {
  it('never turns a linearizable history into a violation by removing ops it allows removing', () => {
    let removalsChecked = 0;
    fc.assert(
      fc.property(tinyHistory, (entries) => {
        const operations = pairHistory(toEvents(entries.map(toInterval))).operations;
        fc.pre(bruteForceLinearizable(operations));
        const { steps } = compileRegister(operations);
        // Every non-empty subset of ops as the removed set.
        for (let mask = 1; mask < 1 << steps.length; mask++) {
          const removed = steps.filter((_, i) => mask & (1 << i));
          const kept = steps.filter((_, i) => !(mask & (1 << i)));
          if (!removed.every(removalGuard(kept))) continue;
          removalsChecked++;
          expect(bruteForceLinearizable(kept.map((s) => operations[s.source]!))).to.equal(true);
        }
      }),
      { seed: FC_SEED, numRuns: 400 },
    );
    expect(removalsChecked).to.be.above(1000);
  });

  it('drops only indeterminate ops whose absence cannot change the verdict', () => {
    let dropped = 0;
    fc.assert(
      fc.property(tinyHistory, (entries) => {
        const operations = pairHistory(toEvents(entries.map(toInterval))).operations;
        const { steps } = compileRegister(operations);
        const kept = dropUnobservableOptional(steps);
        dropped += steps.length - kept.length;
        expect(kept.every((s) => steps.includes(s))).to.equal(true);
        expect(steps.filter((s) => !kept.includes(s)).every((s) => s.optional)).to.equal(true);
        const keptOperations = kept.map((s) => operations[s.source]!);
        expect(bruteForceLinearizable(keptOperations)).to.equal(bruteForceLinearizable(operations));
      }),
      { seed: FC_SEED, numRuns: 1500 },
    );
    expect(dropped).to.be.above(100);
  });
});

function outcomeOf(e: { op: KvOp; observed: string | null; flag: boolean; fate: string }): Outcome {
  if (e.fate === 'info' || e.fate === 'fail') return e.fate;
  switch (e.op.f) {
    case 'put':
      return { ok: { f: 'put' } };
    case 'get':
      return { ok: { f: 'get', value: e.observed } };
    case 'delete':
      return { ok: { f: 'delete', deleted: e.flag } };
    case 'cas':
      return { ok: { f: 'cas', succeeded: e.flag } };
  }
}
