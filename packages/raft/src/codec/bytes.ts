/** Thrown when bytes cannot be decoded (truncated, unknown version or tag) or a value cannot be encoded. */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

const TWO_POW_32 = 0x1_0000_0000;
const NO_BYTES = new Uint8Array(0);

export function uvarintSize(n: number): number {
  checkUint(n);
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

export function stringSize(s: string): number {
  const len = Buffer.byteLength(s, 'utf8');
  return uvarintSize(len) + len;
}

export function bytesSize(b: Uint8Array): number {
  return uvarintSize(b.length) + b.length;
}

function checkUint(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new CodecError(`not a non-negative safe integer: ${n}`);
}

/**
 * Writes into one buffer sized up front (callers sum the *Size helpers), so encoding allocates once.
 * Varints are unsigned LEB128 over safe integers: arithmetic rather than bit ops beyond 32 bits.
 */
export class ByteWriter {
  readonly buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** A fixed 8-byte big-endian unsigned integer: keys sort in numeric order. */
  u64(v: number): void {
    checkUint(v);
    this.buf.writeUInt32BE(Math.floor(v / TWO_POW_32), this.pos);
    this.buf.writeUInt32BE(v % TWO_POW_32, this.pos + 4);
    this.pos += 8;
  }

  uvarint(n: number): void {
    checkUint(n);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    this.uvarint(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.raw(b);
  }

  raw(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** The written bytes; throws if the size computed up front was wrong (a codec bug, not bad input). */
  finish(): Uint8Array {
    if (this.pos !== this.buf.length) throw new CodecError(`encoder wrote ${this.pos} of ${this.buf.length} bytes`);
    return this.buf;
  }
}

/** Reads what ByteWriter wrote; every read is bounds-checked and throws CodecError on truncation. */
export class ByteReader {
  private readonly buf: Buffer;
  pos: number;
  private readonly end: number;

  constructor(input: Uint8Array, start = 0, end = input.length) {
    this.buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new CodecError(`truncated input: need ${n} bytes at offset ${this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.buf.readUInt32BE(this.pos) * TWO_POW_32 + this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    if (!Number.isSafeInteger(v)) throw new CodecError(`integer too large at offset ${this.pos - 8}`);
    return v;
  }

  uvarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) break;
        return result;
      }
      scale *= 128;
    }
    throw new CodecError(`bad varint ending at offset ${this.pos}`);
  }

  string(): string {
    const len = this.uvarint();
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  /** A copy, so decoded values never alias (and pin) the input frame. */
  bytes(): Uint8Array {
    return this.raw(this.uvarint());
  }

  raw(len: number): Uint8Array {
    this.need(len);
    // Most messages carry an empty context: a zero-length array cannot change, so one serves them all.
    if (len === 0) return NO_BYTES;
    const out = new Uint8Array(len);
    out.set(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return out;
  }

  /** The next `len` bytes as a view into the input (no copy), for a caller that copies what it keeps. */
  view(len: number): Uint8Array {
    this.need(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** Throws unless every byte was consumed: trailing garbage means a bad frame. */
  done(): void {
    if (this.pos !== this.end) throw new CodecError(`${this.end - this.pos} unexpected trailing bytes`);
  }
}
