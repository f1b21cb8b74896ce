// The search's memo of explored (set of linearized ops, register state) pairs, packed into typed
// arrays: searches visit hundreds of thousands of pairs, and an object per pair costs several times more.

const TWO_TO_32 = 2 ** 32;

/**
 * Open-addressing hash set of (bitset, state) with entries [hash, state low, state high, ...bitset words]
 * in one pool; a state is any non-negative integer below 2^53.
 * Besides exact repeats it recognises dominated pairs: same state, same required ops linearized, and a
 * superset of the optional ones. Whatever can follow those can follow the pair seen before (its extra
 * unused optional ops can simply stay unused), so they need no exploring either. For that the hash
 * covers the state and the required bits only, putting such pairs in one probe run.
 */
export class VisitedSet {
  private readonly stride: number;
  private pool: Uint32Array;
  private size = 0;
  private table: Int32Array; // entry number + 1, 0 = empty slot
  private mask: number;

  constructor(private readonly words: number) {
    this.stride = 3 + words;
    this.pool = new Uint32Array(this.stride * 1024);
    this.table = new Int32Array(2048);
    this.mask = this.table.length - 1;
  }

  get count(): number {
    return this.size;
  }

  get bytesPerEntry(): number {
    return this.stride * Uint32Array.BYTES_PER_ELEMENT;
  }

  /**
   * Adds the pair unless it or a pair dominating it is present; true if added.
   * `required` marks the required bits; `requiredHash` must be a hash of those bits of `bits` alone.
   */
  addIfNew(requiredHash: number, state: number, bits: Uint32Array, required: Uint32Array): boolean {
    const hash = (requiredHash ^ Math.imul((state % TWO_TO_32) + 1, 0x9e3779b1) ^ Math.floor(state / TWO_TO_32)) >>> 0;
    let slot = hash & this.mask;
    for (let entry = this.table[slot]!; entry !== 0; entry = this.table[slot]!) {
      if (this.dominates(entry - 1, hash, state, bits, required)) return false;
      slot = (slot + 1) & this.mask;
    }
    if (this.pool.length < (this.size + 1) * this.stride) this.growPool();
    const base = this.size * this.stride;
    this.pool[base] = hash;
    this.pool[base + 1] = state % TWO_TO_32;
    this.pool[base + 2] = Math.floor(state / TWO_TO_32);
    this.pool.set(bits, base + 3);
    this.table[slot] = ++this.size;
    if (this.size * 2 > this.table.length) this.growTable();
    return true;
  }

  /** The stored pair has this state and these required bits, and no optional bit `bits` lacks. */
  private dominates(entry: number, hash: number, state: number, bits: Uint32Array, required: Uint32Array): boolean {
    const base = entry * this.stride;
    if (this.pool[base] !== hash || this.pool[base + 1] !== state % TWO_TO_32) return false;
    if (this.pool[base + 2] !== Math.floor(state / TWO_TO_32)) return false;
    for (let i = 0; i < this.words; i++) {
      const stored = this.pool[base + 3 + i]!;
      const candidate = bits[i]!;
      if ((stored & ~candidate) !== 0 || ((stored ^ candidate) & required[i]!) !== 0) return false;
    }
    return true;
  }

  private growPool(): void {
    const bigger = new Uint32Array(this.pool.length * 2);
    bigger.set(this.pool);
    this.pool = bigger;
  }

  private growTable(): void {
    this.table = new Int32Array(this.table.length * 2);
    this.mask = this.table.length - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = this.pool[entry * this.stride]! & this.mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
      this.table[slot] = entry + 1;
    }
  }
}
