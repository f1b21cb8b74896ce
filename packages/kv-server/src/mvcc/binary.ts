/**
 * Byte-level writer and reader shared by the record, command and snapshot encodings.
 * Unsigned varints use arithmetic (not bit operators) so they carry any safe integer up to 2^53.
 */
/** Bytes an unsigned varint of `v` takes. */
export function varintSize(v: number): number {
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    size++;
  }
  return size;
}

/** Writes `v` as an unsigned varint at `pos` (room must be there); returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`varint out of range: ${v}`);
  while (v >= 0x80) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
  return pos;
}

export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  varint(v: number): this {
    this.ensure(8);
    this.pos = writeVarint(this.buf, this.pos, v);
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** Length-prefixed bytes. */
  bytes(bytes: Uint8Array): this {
    return this.varint(bytes.length).raw(bytes);
  }

  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  /**
   * The written bytes, out of Node's shared 8 KiB pool: results such as encoded commands and dedup entries live
   * long, and a small pool slice would keep its whole slab alive. They are dropped in about the order they are
   * made (the log is compacted and the dedup table evicts oldest first), so they share slabs (see SlabCopier).
   */
  finish(): Buffer {
    return queueBytes.copy(this.buf.subarray(0, this.pos));
  }
}

/**
 * A copy of `bytes` in an allocation of its own. Use it for small buffers kept long while others made at the
 * same time are dropped: Buffer.from/allocUnsafe hand out slices of a shared 8 KiB slab, and one live slice
 * keeps the whole slab alive.
 */
export function ownedCopy(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * Copies of small byte strings that live about as long as each other (the MVCC store's keys and values), packed
 * into slabs of their own: one ArrayBuffer per slab instead of one per copy, which the garbage collector tracks
 * (and sweeps at every young-generation collection) one by one. Larger copies get an allocation of their own.
 */
export class SlabCopier {
  private slab: Buffer = Buffer.allocUnsafeSlow(0);
  private used = 0;
  /** Where the last place() put its copy in the slab it returned. */
  placedAt = 0;

  constructor(private readonly slabBytes = 64 * 1024) {}

  copy(bytes: Uint8Array): Buffer {
    const out = this.alloc(bytes.length);
    out.set(bytes);
    return out;
  }

  /**
   * Copies `bytes` like copy() but returns the slab they went into, not a view (none is made): the copy starts at
   * `placedAt`. For a holder that keeps the slab and the offset rather than a view object per copy.
   */
  place(bytes: Uint8Array): Buffer {
    const n = bytes.length;
    if (n * 8 > this.slabBytes) {
      const own = Buffer.allocUnsafeSlow(n);
      own.set(bytes);
      this.placedAt = 0;
      return own;
    }
    this.makeRoom(n);
    this.slab.set(bytes, this.used);
    this.placedAt = this.used;
    this.used += n;
    return this.slab;
  }

  /** `n` uninitialized bytes laid out like a copy, for an encoder that writes its output in place. */
  alloc(n: number): Buffer {
    if (n * 8 > this.slabBytes) return Buffer.allocUnsafeSlow(n);
    this.makeRoom(n);
    const out = this.slab.subarray(this.used, this.used + n);
    this.used += n;
    return out;
  }

  private makeRoom(n: number): void {
    if (this.used + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(this.slabBytes);
      this.used = 0;
    }
  }
}

export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

export class ByteReader {
  private pos = 0;
  private readonly buf: Buffer;

  constructor(data: Uint8Array) {
    this.buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DecodeError('truncated input');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new DecodeError('varint too long');
    }
    if (!Number.isSafeInteger(result)) throw new DecodeError('varint out of range');
    return result;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /**
   * A copy, so decoded values never pin a large input buffer. Small copies come from Node's shared pool, which
   * packs well when everything decoded is kept (a load); a value kept longer than its neighbours needs ownedCopy.
   */
  raw(n: number): Buffer {
    this.need(n);
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  bytes(): Buffer {
    return this.raw(this.varint());
  }

  string(): string {
    const n = this.varint();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  rest(): Buffer {
    return this.raw(this.buf.length - this.pos);
  }

  /** The remaining bytes as a view of the input, not a copy: for a caller that copies them where it keeps them. */
  restView(): Buffer {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }

  /** Skips the next `n` bytes; returns where they start in `input`. */
  skip(n: number): number {
    this.need(n);
    const start = this.pos;
    this.pos += n;
    return start;
  }

  /** The bytes being read. */
  get input(): Buffer {
    return this.buf;
  }
}

/** The MVCC store's keys and values: they live until the store is compacted. */
export const storeBytes = new SlabCopier();
/** Encoded commands, results and dedup entries: dropped in about the order they are made. */
export const queueBytes = new SlabCopier();
