import { expect } from 'chai';
import { HistoryRecorder } from '../linearizability/index.js';
import { availability, findLostWrites } from './checks.js';

/** A recorder on a hand-driven clock: each call advances time by 1 ms. */
function recorder(): HistoryRecorder {
  let now = 0;
  return new HistoryRecorder(() => now++);
}

describe('fault harness checks', () => {
  describe('findLostWrites', () => {
    it('accepts a final value written last', () => {
      const h = recorder();
      const a = h.invoke(0, { f: 'put', key: 'k', value: 'a' });
      h.ok(a, { f: 'put' });
      const b = h.invoke(0, { f: 'cas', key: 'k', expected: 'a', value: 'b' });
      h.ok(b, { f: 'cas', succeeded: true });
      expect(findLostWrites(h.history(), new Map([['k', 'b']]))).to.deep.equal([]);
    });

    it('flags an acknowledged write invoked after the final value\'s writer returned', () => {
      const h = recorder();
      const a = h.invoke(0, { f: 'put', key: 'k', value: 'a' });
      h.ok(a, { f: 'put' });
      const b = h.invoke(1, { f: 'put', key: 'k', value: 'b' });
      h.ok(b, { f: 'put' });
      const lost = findLostWrites(h.history(), new Map([['k', 'a']]));
      expect(lost).to.have.length(1);
      expect(lost[0]).to.contain(`op ${b}`);
    });

    it('accepts a final value from a write concurrent with the others, or an indeterminate one', () => {
      const h = recorder();
      const a = h.invoke(0, { f: 'put', key: 'k', value: 'a' });
      const b = h.invoke(1, { f: 'put', key: 'k', value: 'b' });
      h.ok(b, { f: 'put' });
      h.ok(a, { f: 'put' });
      const c = h.invoke(2, { f: 'put', key: 'k', value: 'c' });
      h.info(c, 'timeout');
      expect(findLostWrites(h.history(), new Map([['k', 'a']]))).to.deep.equal([]);
      expect(findLostWrites(h.history(), new Map([['k', 'c']]))).to.deep.equal([]);
    });

    it('flags an absent key after an acknowledged write, and a value nobody wrote', () => {
      const h = recorder();
      h.ok(h.invoke(0, { f: 'put', key: 'k', value: 'a' }), { f: 'put' });
      expect(findLostWrites(h.history(), new Map([['k', null]]))[0]).to.contain('reads absent');
      expect(findLostWrites(h.history(), new Map([['k', 'zz']]))[0]).to.contain('no client wrote');
    });

    it('does not count a failed cas or a refused put as acknowledged', () => {
      const h = recorder();
      const a = h.invoke(0, { f: 'put', key: 'k', value: 'a' });
      h.ok(a, { f: 'put' });
      h.ok(h.invoke(1, { f: 'cas', key: 'k', expected: 'x', value: 'b' }), { f: 'cas', succeeded: false });
      h.fail(h.invoke(2, { f: 'put', key: 'k', value: 'c' }), 'refused');
      expect(findLostWrites(h.history(), new Map([['k', 'a']]))).to.deep.equal([]);
    });
  });

  describe('availability', () => {
    it('counts only operations invoked while a majority was up', () => {
      const h = recorder(); // times 0,1 | 2,3 | 4,5
      h.ok(h.invoke(0, { f: 'get', key: 'k' }), { f: 'get', value: null });
      h.info(h.invoke(0, { f: 'get', key: 'k' }), 'timeout');
      h.fail(h.invoke(1, { f: 'get', key: 'k' }), 'refused');
      const spans = [
        { from: 0, to: 2, majorityUp: true },
        { from: 2, to: 4, majorityUp: true },
        { from: 4, to: 10, majorityUp: false },
      ];
      expect(availability(h.history(), spans)).to.deep.equal({ invoked: 2, ok: 1, share: 0.5 });
      expect(availability(h.history(), [{ from: 0, to: 10, majorityUp: false }]).share).to.equal(null);
    });
  });
});
