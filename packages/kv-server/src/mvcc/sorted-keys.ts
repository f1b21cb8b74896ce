/**
 * An ordered set of strings kept as a list of sorted chunks, so inserting a new key costs a chunk-sized
 * splice rather than a splice of the whole key space. Strings compare by code unit (byte order for latin1).
 */
const MAX_CHUNK = 512;

export class SortedKeys {
  private chunks: string[][] = [];
  private count = 0;

  static fromSorted(keys: string[]): SortedKeys {
    const s = new SortedKeys();
    for (let i = 0; i < keys.length; i += MAX_CHUNK / 2) s.chunks.push(keys.slice(i, i + MAX_CHUNK / 2));
    s.count = keys.length;
    return s;
  }

  get size(): number {
    return this.count;
  }

  /** Adds a key known to be absent. */
  insert(k: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([k]);
      this.count = 1;
      return;
    }
    const ci = this.chunkFor(k);
    const chunk = this.chunks[ci]!;
    chunk.splice(lowerBound(chunk, k), 0, k);
    this.count++;
    if (chunk.length > MAX_CHUNK) this.chunks.splice(ci + 1, 0, chunk.splice(MAX_CHUNK / 2));
  }

  /** Keys ≥ from (and < to, when given), in order. */
  *from(from: string, to: string | null): Generator<string> {
    if (this.chunks.length === 0) return;
    let ci = this.chunkFor(from);
    let i = lowerBound(this.chunks[ci]!, from);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const chunk = this.chunks[ci]!;
      for (; i < chunk.length; i++) {
        const k = chunk[i]!;
        if (to !== null && k >= to) return;
        yield k;
      }
    }
  }

  *[Symbol.iterator](): Generator<string> {
    for (const chunk of this.chunks) yield* chunk;
  }

  /** Keeps only the keys `keep` accepts. */
  retain(keep: (k: string) => boolean): void {
    this.chunks = this.chunks.map((c) => c.filter(keep)).filter((c) => c.length > 0);
    this.count = this.chunks.reduce((n, c) => n + c.length, 0);
  }

  /** The last chunk whose first key is ≤ k (or the first chunk). */
  private chunkFor(k: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.chunks[mid]![0]! <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function lowerBound(arr: string[], k: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
