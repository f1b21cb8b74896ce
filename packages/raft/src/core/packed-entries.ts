import type { Entry, EntryType } from './messages.js';

/** Data is copied into slabs of this size; larger data keeps a buffer of its own. */
const SLAB_BYTES = 64 * 1024;

/**
 * A run of consecutive log entries kept as plain values: terms, types and where each entry's data lies in shared
 * slabs, in parallel arrays. The log holds entries it has applied and persisted until a snapshot compacts them
 * (up to the snapshot count, 100,000 by default); as objects (an Entry and a data view each) they would be copied
 * by the young-generation collections they survive and marked by every full one. Entries are made on demand, for
 * the rare reader of old entries (a follower catching up).
 */
export class PackedEntries {
  private terms: number[] = [];
  private types: EntryType[] = [];
  private slabs: Uint8Array[] = [];
  private starts: number[] = [];
  private lengths: number[] = [];
  private slab = new Uint8Array(0);
  private slabUsed = 0;

  get length(): number {
    return this.terms.length;
  }

  /** Appends copies of the entries (the caller keeps the indexes: they follow on). */
  push(entries: readonly Entry[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const e = entries[i]!;
      this.terms.push(e.term);
      this.types.push(e.type);
      this.lengths.push(e.data.byteLength);
      this.placeData(e.data);
    }
  }

  term(offset: number): number {
    return this.terms[offset]!;
  }

  dataBytes(offset: number): number {
    return this.lengths[offset]!;
  }

  /** The entry at `offset`, as a new object whose data is a view of the slab (never written again). */
  entry(offset: number, index: number): Entry {
    const start = this.starts[offset]!;
    return { term: this.terms[offset]!, index, type: this.types[offset]!, data: this.slabs[offset]!.subarray(start, start + this.lengths[offset]!) };
  }

  /** Drops the first `count` entries. */
  dropFirst(count: number): void {
    this.terms = this.terms.slice(count);
    this.types = this.types.slice(count);
    this.slabs = this.slabs.slice(count);
    this.starts = this.starts.slice(count);
    this.lengths = this.lengths.slice(count);
  }

  private placeData(data: Uint8Array): void {
    const n = data.byteLength;
    if (n * 8 > SLAB_BYTES) {
      this.slabs.push(data.slice());
      this.starts.push(0);
      return;
    }
    if (this.slabUsed + n > this.slab.byteLength) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.slabUsed = 0;
    }
    this.slab.set(data, this.slabUsed);
    this.slabs.push(this.slab);
    this.starts.push(this.slabUsed);
    this.slabUsed += n;
  }
}
