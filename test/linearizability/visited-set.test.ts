import { expect } from 'chai';
import { seededRandom } from './history-generator.js';
import { VisitedSet } from './visited-set.js';

describe('VisitedSet', () => {
  it('agrees with a plain Set on many pairs, through growth and deliberate hash collisions', () => {
    const rand = seededRandom(42);
    const words = 3;
    const visited = new VisitedSet(words);
    const reference = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const bits = Uint32Array.from({ length: words }, () => Math.floor(rand() * 16)); // small space: many repeats
      const state = Math.floor(rand() * 3);
      const collidingHash = bits[0]! & 1; // most distinct sets share a hash: equality must decide
      const key = `${bits.join(',')}/${state}`;
      expect(visited.addIfNew(collidingHash, state, bits)).to.equal(!reference.has(key));
      reference.add(key);
    }
    expect(visited.count).to.equal(reference.size);
    expect(visited.count).to.be.above(5000); // well past the initial capacity of 1024
  });
});
