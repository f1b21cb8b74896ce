import { FrameKind, encodeFrame, type Frame } from './frame.js';

/** Frames exchanged before the handshake completes are small; nothing bigger is buffered from a stranger. */
export const HANDSHAKE_MAX_FRAME_BYTES = 4096;

/** What a dialing node states about itself. */
export interface Hello {
  clusterId: string;
  from: string;
  to: string;
}

/** What the accepting node answers. */
export type HelloReply = { ok: true; clusterId: string; id: string } | { ok: false; reason: string };

export function encodeHello(hello: Hello): Buffer {
  return encodeFrame(FrameKind.Hello, 0, Buffer.from(JSON.stringify(hello)));
}

export function encodeHelloOk(clusterId: string, id: string): Buffer {
  return encodeFrame(FrameKind.HelloOk, 0, Buffer.from(JSON.stringify({ clusterId, id })));
}

export function encodeRefuse(reason: string): Buffer {
  return encodeFrame(FrameKind.Refuse, 0, Buffer.from(JSON.stringify({ reason })));
}

/** Parses a Hello frame; throws an Error saying what is wrong. */
export function parseHello(frame: Frame): Hello {
  if (frame.kind !== FrameKind.Hello) throw new Error(`expected a hello frame, got kind ${frame.kind}`);
  const body = parseJsonObject(frame.payload);
  const { clusterId, from, to } = body;
  if (typeof clusterId !== 'string' || typeof from !== 'string' || typeof to !== 'string') {
    throw new Error('hello must carry string fields clusterId, from and to');
  }
  return { clusterId, from, to };
}

/** Parses the acceptor's answer; throws an Error on anything but HelloOk or Refuse. */
export function parseHelloReply(frame: Frame): HelloReply {
  const body = parseJsonObject(frame.payload);
  if (frame.kind === FrameKind.HelloOk) {
    if (typeof body.clusterId !== 'string' || typeof body.id !== 'string') throw new Error('hello-ok must carry clusterId and id');
    return { ok: true, clusterId: body.clusterId, id: body.id };
  }
  if (frame.kind === FrameKind.Refuse) {
    return { ok: false, reason: typeof body.reason === 'string' ? body.reason : 'no reason given' };
  }
  throw new Error(`expected a handshake reply, got frame kind ${frame.kind}`);
}

function parseJsonObject(payload: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Error('handshake payload is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('handshake payload is not a JSON object');
  return value as Record<string, unknown>;
}
