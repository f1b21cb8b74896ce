import { expect } from 'chai';
import { benchModule, type StatsModule } from './bench-modules.js';

describe('bench stats', () => {
  let stats: StatsModule;
  before(async () => {
    stats = await benchModule<StatsModule>('stats.js');
  });

  it('takes nearest-rank percentiles of sorted samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(stats.percentile(sorted, 50)).to.equal(50);
    expect(stats.percentile(sorted, 99)).to.equal(99);
    expect(stats.percentile(sorted, 100)).to.equal(100);
    expect(stats.percentile(sorted, 0)).to.equal(1);
    expect(stats.percentile([7], 99)).to.equal(7);
    expect(stats.percentile([1, 2, 3], 50)).to.equal(2);
    expect(stats.percentile([1, 2], 50)).to.equal(1);
  });

  it('answers NaN without samples and refuses percentiles outside 0..100', () => {
    expect(stats.percentile([], 50)).to.be.NaN;
    expect(() => stats.percentile([1], 101)).to.throw(RangeError);
    expect(() => stats.percentile([1], Number.NaN)).to.throw(RangeError);
  });

  it('summarises unsorted samples without changing them', () => {
    const samples = [5, 1, 4, 2, 3];
    const s = stats.summarize(samples);
    expect(s).to.deep.equal({ count: 5, mean: 3, p50: 3, p99: 5, max: 5 });
    expect(samples).to.deep.equal([5, 1, 4, 2, 3]);
  });

  it('sorts numerically, not as text', () => {
    expect(stats.summarize([10, 9, 100]).p50).to.equal(10);
  });

  it('takes medians of odd and even counts, ignoring missing values', () => {
    expect(stats.median([3, 1, 2])).to.equal(2);
    expect(stats.median([4, 1, 3, 2])).to.equal(2.5);
    expect(stats.median([Number.NaN, 5])).to.equal(5);
    expect(stats.median([])).to.be.NaN;
  });

  it('summarises repeated rounds, a missed round (null) counting as slower than any number', () => {
    expect(stats.summarizeRounds([1500, 1100, 1300])).to.deep.equal({ min: 1100, median: 1300, max: 1500, misses: 0 });
    expect(stats.summarizeRounds([1500, 1100, 1300, 1200]).median).to.equal(1250);
    expect(stats.summarizeRounds([null, 1100, 1300])).to.deep.equal({ min: 1100, median: 1300, max: 1300, misses: 1 });
    expect(stats.summarizeRounds([null, null, 1300]).median).to.equal(null);
    expect(stats.summarizeRounds([null, 1300]).median).to.equal(null);
    expect(stats.summarizeRounds([])).to.deep.equal({ min: null, median: null, max: null, misses: 0 });
  });

  it('keeps every sample pushed into a growing buffer', () => {
    const buffer = new stats.SampleBuffer();
    for (let i = 0; i < 5000; i++) buffer.push(i);
    expect(buffer.length).to.equal(5000);
    expect(buffer.values()[0]).to.equal(0);
    expect(buffer.values()[4999]).to.equal(4999);
    expect(stats.summarize(buffer.values()).max).to.equal(4999);
  });
});
