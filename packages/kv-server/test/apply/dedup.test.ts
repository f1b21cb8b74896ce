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
      longest = Math.max(longest, (t as unknown as { ids: unknown[] }).ids.length);
    }
    expect(t.size).to.equal(100);
    expect(t.get('id-50000')?.index).to.equal(50_000);
    expect(t.get('id-49900')).to.equal(undefined);
    // Evicted entries leave the list in chunks: never more than the live entries plus the trim threshold.
    expect(longest).to.be.at.most(2 * 100 + 1025);
  });

  it('gives back each live entry as recorded, in apply order, across slabs and trims', () => {
    const limits = { maxEntries: 3_000, maxAgeEntries: 1_000_000, maxBytes: 1 << 30 };
    const t = new DedupTable(limits);
    // Results of varied sizes, some larger than a slab's share, so entries span many slabs and own buffers.
    const resultOf = (i: number): Buffer => Buffer.alloc(1 + ((i * 37) % 9_000), i % 251);
    const recorded = (i: number): DedupEntry =>
      i % 5 === 0 ? { id: `id-${i}`, idempotencyKey: `key-${i % 50}`, index: i, result: resultOf(i) } : { id: `id-${i}`, index: i, result: resultOf(i) };
    for (let i = 1; i <= 10_000; i++) {
      const ops: DbOp[] = [];
      t.record(recorded(i), ops);
      t.evict(i, ops);
    }
    const live = [...t.entries()];
    expect(live.map((e) => e.index)).to.deep.equal(Array.from({ length: 3_000 }, (_, k) => 7_001 + k));
    for (const e of live) expect(e).to.deep.equal(recorded(e.index));
    expect(t.get('id-7001')).to.deep.equal(recorded(7_001));
    expect(t.totalBytes).to.equal(live.reduce((n, e) => n + e.result.length, 0));
    // A key's latest id answers for it; a key whose ids are all evicted answers nothing.
    expect(t.lookup('unknown', 'key-0')?.id).to.equal('id-10000');
    const ops: DbOp[] = [];
    t.evict(2_000_000, ops);
    expect(ops.filter((op) => op.type === 'del')).to.have.length(3_000);
    expect(t.size).to.equal(0);
    expect(t.lookup('unknown', 'key-0')).to.equal(undefined);
  });

  it('round-trips an entry with and without an idempotency key', () => {
    const plain = entry(7);
    expect(decodeEntry(plain.id, encodeEntry(plain))).to.deep.equal(plain);
    const keyed = { ...entry(8), idempotencyKey: 'retry-1' };
    expect(decodeEntry(keyed.id, encodeEntry(keyed))).to.deep.equal(keyed);
  });
});
