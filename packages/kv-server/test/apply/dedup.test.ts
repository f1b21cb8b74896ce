import { expect } from 'chai';
import { DedupTable, decodeEntry, encodeEntry, type DedupEntry } from '../../src/apply/dedup.js';
import type { DbOp } from '../../src/mvcc/layout.js';

const entry = (i: number): DedupEntry => ({ id: `id-${i}`, index: i, result: Buffer.from([1, i % 256]) });

describe('DedupTable', () => {
  it('keeps its apply-order list bounded by the limits while entries come and go', () => {
    const limits = { maxEntries: 100, maxAgeEntries: 1_000_000, maxBytes: 1 << 20 };
    const t = new DedupTable(limits);
    let longest = 0;
    for (let i = 1; i <= 50_000; i++) {
      const ops: DbOp[] = [];
      t.record(entry(i), ops);
      t.evict(i, ops);
      longest = Math.max(longest, (t as unknown as { order: unknown[] }).order.length);
    }
    expect(t.size).to.equal(100);
    expect(t.get('id-50000')?.index).to.equal(50_000);
    expect(t.get('id-49900')).to.equal(undefined);
    // Evicted entries leave the list in chunks: never more than the live entries plus the trim threshold.
    expect(longest).to.be.at.most(2 * 100 + 1025);
  });

  it('round-trips an entry with and without an idempotency key', () => {
    const plain = entry(7);
    expect(decodeEntry(plain.id, encodeEntry(plain))).to.deep.equal(plain);
    const keyed = { ...entry(8), idempotencyKey: 'retry-1' };
    expect(decodeEntry(keyed.id, encodeEntry(keyed))).to.deep.equal(keyed);
  });
});
