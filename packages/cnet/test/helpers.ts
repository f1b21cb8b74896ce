import type { Logger, Message } from '../src/index.js';

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

/** A Logger that keeps every entry, so tests can wait for a logged reason. */
export function recordingLogger(): Logger & { entries: LogEntry[]; has(level: LogEntry['level'], text: string): boolean } {
  const entries: LogEntry[] = [];
  const record =
    (level: LogEntry['level']) =>
    (obj: object | string, msg?: string): void => {
      entries.push(typeof obj === 'string' ? { level, fields: {}, msg: obj } : { level, fields: obj as Record<string, unknown>, msg: msg ?? '' });
    };
  return {
    entries,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    has: (level, text) => entries.some((e) => e.level === level && JSON.stringify(e).includes(text)),
  };
}

/** A message whose payload carries a sequence number, for order checks. */
export function numbered(from: string, to: string, seq: number, size = 8): Message {
  const payload = Buffer.alloc(Math.max(4, size));
  payload.writeUInt32BE(seq, 0);
  return { from, to, type: 7, payload };
}

export function seqOf(msg: Message): number {
  return Buffer.from(msg.payload.buffer, msg.payload.byteOffset, msg.payload.byteLength).readUInt32BE(0);
}
