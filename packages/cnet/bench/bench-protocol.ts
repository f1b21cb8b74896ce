/** IPC between the benchmark parent and its child process. */
export type ToChild =
  | { op: 'peer'; address: string }
  | { op: 'expect'; mode: 'cnet' | 'raw'; count: number }
  | { op: 'exit' };

export type ToParent =
  | { op: 'ready'; cnetAddress: string; rawPort: number }
  | { op: 'ok' }
  | { op: 'done'; mode: 'cnet' | 'raw'; count: number };

/** Message types used on both transports. */
export const BULK = 0;
export const PING = 1;
