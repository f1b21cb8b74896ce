import type net from 'node:net';

/**
 * The baseline: the same 7-byte header as cnet (u32 length, version, kind, type) written
 * by hand on a bare node:net socket, with the usual write/drain backpressure and nothing else.
 */
export function writeRawFrame(socket: net.Socket, type: number, payload: Uint8Array): boolean {
  const frame = Buffer.allocUnsafe(7 + payload.byteLength);
  frame.writeUInt32BE(3 + payload.byteLength, 0);
  frame[4] = 1;
  frame[5] = 4;
  frame[6] = type;
  frame.set(payload, 7);
  return socket.write(frame);
}

/** The raw baseline with batching done by hand: `count` frames copied into one buffer, one write. */
export function writeRawFrames(socket: net.Socket, type: number, payload: Uint8Array, count: number): boolean {
  const size = 7 + payload.byteLength;
  const out = Buffer.allocUnsafe(size * count);
  for (let i = 0, offset = 0; i < count; i++, offset += size) {
    out.writeUInt32BE(3 + payload.byteLength, offset);
    out[offset + 4] = 1;
    out[offset + 5] = 4;
    out[offset + 6] = type;
    out.set(payload, offset + 7);
  }
  return socket.write(out);
}

/** Calls `onFrame(type, payload)` for every whole frame in the stream. */
export function rawFrameReader(onFrame: (type: number, payload: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    let buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let pos = 0;
    while (buf.length - pos >= 7) {
      const end = pos + 4 + buf.readUInt32BE(pos);
      if (end > buf.length) break;
      onFrame(buf[pos + 6]!, buf.subarray(pos + 7, end));
      pos = end;
    }
    buf = buf.subarray(pos);
    pending = buf;
  };
}
