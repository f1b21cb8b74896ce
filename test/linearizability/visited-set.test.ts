import { expect } from 'chai';
import { seededRandom } from './history-generator.js';
import { VisitedSet } from './visited-set.js';

describe('VisitedSet', () => {
  it('agrees with a plain Set on many pairs, through growth and deliberate hash collisions', () => {
    const rand = seededRandom(42);
    const words = 3;
    const visited = new VisitedSet(words);
    const allRequired = new Uint32Array(words).fill(0xffffffff); // no optional bits: exact matching only
    const reference = new Set<string>();
    const disagreements: string[] = [];
    for (let i = 0; i < 8_000; i++) {
      const bits = Uint32Array.from({ length: words }, () => Math.floor(rand() * 16)); // small space: many repeats
      const state = Math.floor(rand() * 3);
      const collidingHash = bits[0]! & 1; // most distinct sets share a hash: equality must decide
      const key = `${bits.join(',')}/${state}`;
      if (visited.addIfNew(collidingHash, state, bits, allRequired) === reference.has(key)) disagreements.push(key);
      reference.add(key);
    }
    expect(disagreements).to.deep.equal([]);
    expect(visited.count).to.equal(reference.size);
    expect(visited.count).to.be.above(3000); // well past the initial capacity of 1024
  });

  it('treats a pair as seen when one with the same state and required ops but fewer optional ops was', () => {
    const visited = new VisitedSet(1);
    const required = Uint32Array.of(0b0011); // ops 0 and 1 required, ops 2 and 3 optional
    const add = (bits: number, state = 5): boolean => visited.addIfNew(0, state, Uint32Array.of(bits), required);
    expect(add(0b0101)).to.equal(true);
    expect(add(0b1101), 'a superset of the optional ops: dominated').to.equal(false);
    expect(add(0b0001), 'a subset of the optional ops: more options left, so new').to.equal(true);
    expect(add(0b0111), 'other required ops: new').to.equal(true);
    expect(add(0b1101, 6), 'another state: new').to.equal(true);
    expect(add(0b1001), 'dominated by the op-0-only pair').to.equal(false);
  });
});
