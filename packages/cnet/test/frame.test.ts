import { expect } from 'chai';
import fc from 'fast-check';
import {
  FRAME_HEADER_BYTES,
  FrameDecoder,
  FrameError,
  FrameKind,
  decodeFrame,
  encodeFrame,
  type Frame,
} from '../src/index.js';
import { encodeMessageBatch } from '../src/frame-batch.js';

function decodeChunks(chunks: Uint8Array[], maxFrameBytes?: number): Frame[] {
  const decoder = new FrameDecoder(maxFrameBytes);
  const frames: Frame[] = [];
  for (const chunk of chunks) decoder.push(chunk, (f) => frames.push({ ...f, payload: Buffer.from(f.payload) }));
  return frames;
}

/** Splits `bytes` at the given cut points (any values; reduced modulo the length). */
function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

const arbitraryFrame = fc.record({
  type: fc.integer({ min: 0, max: 255 }),
  payload: fc.uint8Array({ maxLength: 300 }),
});

describe('frame', () => {
  it('encodes the header as length, version, kind, type', () => {
    const bytes = encodeFrame(FrameKind.Message, 9, Buffer.from('abc'));
    expect([...bytes]).to.deep.equal([0, 0, 0, 6, 1, FrameKind.Message, 9, 97, 98, 99]);
    expect(bytes.length).to.equal(FRAME_HEADER_BYTES + 3);
  });

  it('round-trips one frame through decodeFrame', () => {
    const frame = decodeFrame(encodeFrame(FrameKind.Message, 200, Buffer.from('hello')));
    expect(frame.kind).to.equal(FrameKind.Message);
    expect(frame.type).to.equal(200);
    expect(frame.payload.toString()).to.equal('hello');
  });

  it('refuses a type outside 0..255 when encoding', () => {
    expect(() => encodeFrame(FrameKind.Message, 256, new Uint8Array())).to.throw(RangeError);
  });

  it('decodes any sequence of frames however the byte stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFrame, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (frames, cuts) => {
        const stream = Buffer.concat(frames.map((f) => encodeFrame(FrameKind.Message, f.type, f.payload)));
        const decoded = decodeChunks(splitAt(stream, cuts));
        expect(decoded.map((f) => ({ type: f.type, payload: new Uint8Array(f.payload) }))).to.deep.equal(
          frames.map((f) => ({ type: f.type, payload: new Uint8Array(f.payload) })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a batch written by the sender into the same messages, small and large payloads mixed', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ type: fc.integer({ min: 0, max: 255 }), size: fc.oneof(fc.nat(64), fc.integer({ min: 16 * 1024, max: 40 * 1024 })) }), { minLength: 1, maxLength: 12 }), (specs) => {
        const messages = specs.map((s, i) => ({ from: 'a', to: 'b', type: s.type, payload: Buffer.alloc(s.size, i) }));
        const decoded = decodeChunks(encodeMessageBatch(messages));
        expect(decoded.map((f) => [f.type, f.payload.length, f.payload[0]])).to.deep.equal(messages.map((m, i) => [m.type, m.payload.length, m.payload.length > 0 ? i : undefined]));
      }),
      { numRuns: 50 },
    );
  });

  it('rejects a frame longer than the limit as soon as the length is read', () => {
    const decoder = new FrameDecoder(1000);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1001);
    expect(() => decoder.push(header, () => {})).to.throw(FrameError, /exceeds the limit of 1000/);
  });

  it('rejects a length too small to hold the header', () => {
    expect(() => decodeChunks([Buffer.from([0, 0, 0, 2, 1, 4, 0])])).to.throw(FrameError, /bad frame length 2/);
  });

  it('rejects an unknown version, even one byte at a time', () => {
    const bytes = encodeFrame(FrameKind.Message, 0, Buffer.from('x'));
    bytes[4] = 9;
    expect(() => decodeChunks([...bytes].map((b) => Buffer.from([b])))).to.throw(FrameError, /unknown frame version 9/);
  });

  it('rejects an unknown frame kind', () => {
    const bytes = encodeFrame(FrameKind.Message, 0, Buffer.from('x'));
    bytes[5] = 77;
    expect(() => decodeChunks([bytes])).to.throw(FrameError, /unknown frame kind 77/);
  });

  it('either decodes random bytes or throws FrameError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeChunks([bytes], 64);
        } catch (err) {
          expect(err).to.be.instanceOf(FrameError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('says how many bytes wait for the rest of a frame', () => {
    const decoder = new FrameDecoder();
    const bytes = encodeFrame(FrameKind.Message, 1, Buffer.alloc(50));
    decoder.push(bytes.subarray(0, 30), () => expect.fail('no whole frame yet'));
    expect(decoder.bufferedBytes).to.equal(30);
    expect(() => decodeFrame(bytes.subarray(0, 30))).to.throw(FrameError, /exactly one complete frame/);
  });
});
