/**
 * Wire format. Every frame:
 *
 *   offset 0  u32 BE  length of the rest of the frame (version byte to end of payload)
 *   offset 4  u8      version (FRAME_VERSION)
 *   offset 5  u8      kind (FrameKind)
 *   offset 6  u8      message type (application tag; 0 for control frames)
 *   offset 7  ...     payload
 */

export const FRAME_VERSION = 1;
/** Bytes before the payload: length prefix + version + kind + type. */
export const FRAME_HEADER_BYTES = 7;
const LENGTH_PREFIX_BYTES = 4;
/** Smallest legal value of the length field: version + kind + type. */
const MIN_FRAME_LENGTH = FRAME_HEADER_BYTES - LENGTH_PREFIX_BYTES;
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export const FrameKind = {
  /** Dialer → acceptor: who I am and whom I want (JSON). */
  Hello: 1,
  /** Acceptor → dialer: handshake accepted (JSON). */
  HelloOk: 2,
  /** Acceptor → dialer: handshake refused, with a reason (JSON); the connection closes. */
  Refuse: 3,
  /** An application message. */
  Message: 4,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

const KNOWN_KINDS = new Set<number>(Object.values(FrameKind));

export interface Frame {
  kind: FrameKind;
  type: number;
  payload: Buffer;
}

/** A malformed byte stream; the connection that produced it must be closed. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/** Bytes a payload of `payloadBytes` takes on the wire, header included. */
export function frameSize(payloadBytes: number): number {
  return FRAME_HEADER_BYTES + payloadBytes;
}

/** The largest payload a frame may carry under a `maxFrameBytes` limit on the length field. */
export function maxPayloadBytes(maxFrameBytes: number): number {
  return maxFrameBytes - MIN_FRAME_LENGTH;
}

/** Writes a frame header at `offset` of `target`. */
export function writeFrameHeader(target: Buffer, offset: number, kind: FrameKind, type: number, payloadBytes: number): void {
  target.writeUInt32BE(MIN_FRAME_LENGTH + payloadBytes, offset);
  target[offset + 4] = FRAME_VERSION;
  target[offset + 5] = kind;
  target[offset + 6] = type;
}

export function encodeFrame(kind: FrameKind, type: number, payload: Uint8Array): Buffer {
  if (!Number.isInteger(type) || type < 0 || type > 255) throw new RangeError(`frame type must be 0..255, got ${type}`);
  const out = Buffer.allocUnsafe(frameSize(payload.byteLength));
  writeFrameHeader(out, 0, kind, type, payload.byteLength);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** Decodes exactly one complete frame; throws FrameError on anything else. */
export function decodeFrame(bytes: Uint8Array, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): Frame {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder(maxFrameBytes);
  decoder.push(bytes, (frame) => frames.push(frame));
  if (frames.length !== 1 || decoder.bufferedBytes !== 0) {
    throw new FrameError(`expected exactly one complete frame, got ${frames.length} and ${decoder.bufferedBytes} spare bytes`);
  }
  return frames[0]!;
}

/**
 * Streaming decoder: feed it socket chunks of any size; it emits whole frames.
 * A frame contained in one chunk is a zero-copy view of it; a frame spread over
 * chunks is assembled into one buffer allocated once its length is known.
 * The length is checked against the limit before anything is allocated.
 */
export class FrameDecoder {
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFilled = 0;
  private body: Buffer | null = null;
  private bodyFilled = 0;
  private pendingKind: FrameKind = FrameKind.Message;
  private pendingType = 0;

  constructor(private maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /** Changes the size limit, e.g. raised once a handshake succeeded. */
  setMaxFrameBytes(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes received that do not yet form a whole frame. */
  get bufferedBytes(): number {
    return this.body === null ? this.headerFilled : FRAME_HEADER_BYTES + this.bodyFilled;
  }

  /** Throws FrameError on a bad length, unknown version or unknown kind; frames before it were emitted. */
  push(input: Uint8Array, onFrame: (frame: Frame) => void): void {
    const chunk = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    let pos = 0;
    while (pos < chunk.length) {
      if (this.body !== null) {
        const n = Math.min(this.body.length - this.bodyFilled, chunk.length - pos);
        chunk.copy(this.body, this.bodyFilled, pos, pos + n);
        this.bodyFilled += n;
        pos += n;
        if (this.bodyFilled === this.body.length) this.emitAssembled(onFrame);
        continue;
      }
      if (this.headerFilled === 0 && chunk.length - pos >= FRAME_HEADER_BYTES) {
        // Fast path: the header lies inside this chunk.
        const bodyLength = this.checkHeader(chunk, pos);
        const end = pos + FRAME_HEADER_BYTES + bodyLength;
        if (end <= chunk.length) {
          onFrame({ kind: chunk[pos + 5] as FrameKind, type: chunk[pos + 6]!, payload: chunk.subarray(pos + FRAME_HEADER_BYTES, end) });
          pos = end;
        } else {
          this.startBody(chunk[pos + 5] as FrameKind, chunk[pos + 6]!, bodyLength);
          pos += FRAME_HEADER_BYTES;
        }
        continue;
      }
      const n = Math.min(FRAME_HEADER_BYTES - this.headerFilled, chunk.length - pos);
      chunk.copy(this.header, this.headerFilled, pos, pos + n);
      this.headerFilled += n;
      pos += n;
      this.checkPartialHeader();
      if (this.headerFilled === FRAME_HEADER_BYTES) {
        const bodyLength = this.checkHeader(this.header, 0);
        this.headerFilled = 0;
        this.startBody(this.header[5] as FrameKind, this.header[6]!, bodyLength);
        if (bodyLength === 0) this.emitAssembled(onFrame);
      }
    }
  }

  private startBody(kind: FrameKind, type: number, bodyLength: number): void {
    this.pendingKind = kind;
    this.pendingType = type;
    this.body = Buffer.allocUnsafe(bodyLength);
    this.bodyFilled = 0;
  }

  private emitAssembled(onFrame: (frame: Frame) => void): void {
    const payload = this.body!;
    this.body = null;
    this.bodyFilled = 0;
    onFrame({ kind: this.pendingKind, type: this.pendingType, payload });
  }

  /** Rejects a bad frame as early as its bytes allow, so a bogus length never waits for more input. */
  private checkPartialHeader(): void {
    if (this.headerFilled >= LENGTH_PREFIX_BYTES) this.checkLength(this.header.readUInt32BE(0));
    if (this.headerFilled >= 5) this.checkVersion(this.header[4]!);
    if (this.headerFilled >= 6) this.checkKind(this.header[5]!);
  }

  /** Validates a complete header; returns the payload length. */
  private checkHeader(bytes: Buffer, offset: number): number {
    const length = bytes.readUInt32BE(offset);
    this.checkLength(length);
    this.checkVersion(bytes[offset + 4]!);
    this.checkKind(bytes[offset + 5]!);
    return length - MIN_FRAME_LENGTH;
  }

  private checkLength(length: number): void {
    if (length < MIN_FRAME_LENGTH) throw new FrameError(`bad frame length ${length} (minimum ${MIN_FRAME_LENGTH})`);
    if (length > this.maxFrameBytes) throw new FrameError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
  }

  private checkVersion(version: number): void {
    if (version !== FRAME_VERSION) throw new FrameError(`unknown frame version ${version}`);
  }

  private checkKind(kind: number): void {
    if (!KNOWN_KINDS.has(kind)) throw new FrameError(`unknown frame kind ${kind}`);
  }
}
