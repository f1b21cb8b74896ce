import { expect } from 'chai';
import fc from 'fast-check';
import { keySpan, spanContains } from '../../src/mvcc/key-index.js';
import { WatcherIndex } from '../../src/watch/watcher-index.js';

const bytes = fc.uint8Array({ minLength: 1, maxLength: 3, max: 6 }).map((a) => Buffer.from(a));
const span = fc.record({
  key: bytes,
  end: fc.oneof(fc.constant(undefined), fc.constant(Buffer.of(0)), bytes),
});

describe('WatcherIndex', () => {
  it('finds exactly the watchers whose key or range holds a key, as a scan of every watcher would', () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 40 }), fc.array(fc.nat(39), { maxLength: 10 }), fc.array(bytes, { maxLength: 20 }), (spans, removals, probes) => {
        const index = new WatcherIndex<number>();
        const live = new Map<number, ReturnType<typeof keySpan>>();
        spans.forEach((s, i) => {
          const ks = keySpan(s.key, s.end);
          index.add(i, ks);
          live.set(i, ks);
        });
        for (const r of removals) {
          const ks = live.get(r);
          if (ks === undefined) continue;
          index.remove(r, ks);
          live.delete(r);
        }
        for (const key of probes) {
          const expected = [...live].filter(([, ks]) => spanContains(ks, key)).map(([i]) => i).sort((a, b) => a - b);
          const got = [...index.matching(key)].sort((a, b) => a - b);
          expect(got).to.deep.equal(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps single-key and range watchers apart and never matches an empty range', () => {
    const index = new WatcherIndex<string>();
    index.add('one', keySpan(Buffer.from('a'), undefined));
    index.add('prefix', keySpan(Buffer.from('a'), Buffer.from('b')));
    index.add('empty', keySpan(Buffer.from('c'), Buffer.from('a')));
    index.add('from-b', keySpan(Buffer.from('b'), Buffer.of(0)));
    expect([...index.matching(Buffer.from('a'))].sort()).to.deep.equal(['one', 'prefix']);
    expect([...index.matching(Buffer.from('ab'))]).to.deep.equal(['prefix']);
    expect([...index.matching(Buffer.from('zzz'))]).to.deep.equal(['from-b']);
    expect(index.size).to.equal(3);
  });
});
