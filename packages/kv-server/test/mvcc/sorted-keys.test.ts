import { expect } from 'chai';
import fc from 'fast-check';
import { SortedKeys } from '../../src/mvcc/sorted-keys.js';

describe('SortedKeys', () => {
  it('keeps any insertion order sorted across chunk splits, and scans [from, to) like a sorted array', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 4 }), { minLength: 0, maxLength: 1500 }),
        fc.string({ maxLength: 3 }),
        fc.option(fc.string({ maxLength: 3 }), { nil: null }),
        (keys, from, to) => {
          const s = new SortedKeys();
          for (const k of keys) s.insert(k);
          const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          expect([...s]).to.deep.equal(sorted);
          expect(s.size).to.equal(keys.length);
          expect([...s.from(from, to)]).to.deep.equal(sorted.filter((k) => k >= from && (to === null || k < to)));
          s.retain((k) => k.length % 2 === 0);
          expect([...s]).to.deep.equal(sorted.filter((k) => k.length % 2 === 0));
          expect([...SortedKeys.fromSorted(sorted).from(from, to)]).to.deep.equal(sorted.filter((k) => k >= from && (to === null || k < to)));
        },
      ),
      { numRuns: 60 },
    );
  });
});
