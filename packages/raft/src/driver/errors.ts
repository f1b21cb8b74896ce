/** A read or a leadership transfer did not complete within its bound (the leader may be cut off). */
export class RaftTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`);
    this.name = 'RaftTimeoutError';
  }
}
