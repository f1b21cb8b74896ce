import { FRAME_HEADER_BYTES, FrameKind, frameSize, writeFrameHeader } from './frame.js';
import type { Message } from './transport.js';

/** Payloads at least this big are written as their own chunk rather than copied into a shared buffer. */
const COPY_LIMIT_BYTES = 16 * 1024;

/**
 * Encodes queued messages as few buffers as possible, for one corked socket write:
 * runs of small messages are copied into one buffer, big payloads are passed through untouched.
 */
export function encodeMessageBatch(messages: readonly Message[]): Buffer[] {
  const chunks: Buffer[] = [];
  let runStart = 0;
  let runBytes = 0;
  const flushRun = (end: number): void => {
    if (end === runStart) return;
    const out = Buffer.allocUnsafe(runBytes);
    let offset = 0;
    for (let i = runStart; i < end; i++) {
      const msg = messages[i]!;
      writeFrameHeader(out, offset, FrameKind.Message, msg.type, msg.payload.byteLength);
      out.set(msg.payload, offset + FRAME_HEADER_BYTES);
      offset += frameSize(msg.payload.byteLength);
    }
    chunks.push(out);
  };
  for (let i = 0; i < messages.length; i++) {
    const msg = messages[i]!;
    const payloadBytes = msg.payload.byteLength;
    if (payloadBytes < COPY_LIMIT_BYTES) {
      runBytes += frameSize(payloadBytes);
      continue;
    }
    flushRun(i);
    const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    writeFrameHeader(header, 0, FrameKind.Message, msg.type, payloadBytes);
    chunks.push(header, Buffer.from(msg.payload.buffer, msg.payload.byteOffset, payloadBytes));
    runStart = i + 1;
    runBytes = 0;
  }
  flushRun(messages.length);
  return chunks;
}
