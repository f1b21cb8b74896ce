// Records of a client-observed history of key-value operations, in the style of Jepsen:
// every operation is an `invoke` event followed by at most one completion (`ok`, `fail` or `info`).

/** An operation on one key. `cas` is a txn comparing the key's value; `expected: null` means "key absent". */
export type KvOp =
  | { f: 'put'; key: string; value: string }
  | { f: 'get'; key: string }
  | { f: 'delete'; key: string }
  | { f: 'cas'; key: string; expected: string | null; value: string };

/** What a completed (`ok`) operation observed. A cas whose compare failed is `ok` with `succeeded: false`. */
export type KvResult =
  | { f: 'put' }
  | { f: 'get'; value: string | null }
  /** `deleted` is what the server reported (etcd's `deleted` count > 0), if the client looked. */
  | { f: 'delete'; deleted?: boolean }
  | { f: 'cas'; succeeded: boolean };

/**
 * invoke: the client sent the request.
 * ok:     the server answered; `result` is what it said.
 * fail:   the operation definitely did not take effect (e.g. refused before being proposed).
 * info:   indeterminate (timeout, dropped connection): it may take effect at any time after invoke, or never.
 * An invoke with no completion by the end of the history counts as info.
 */
export type HistoryEvent =
  | { type: 'invoke'; process: number; opId: number; time: number; op: KvOp }
  | { type: 'ok'; process: number; opId: number; time: number; result: KvResult }
  | { type: 'fail'; process: number; opId: number; time: number; error?: string }
  | { type: 'info'; process: number; opId: number; time: number; error?: string };

/** A monotonic clock in milliseconds (fractional). Only differences and order matter to the checker. */
export type Clock = () => number;

const monotonicMs: Clock = () => performance.now();

/** Appends events with fresh op ids and times from one monotonic clock; safe to share between async clients. */
export class HistoryRecorder {
  private readonly events: HistoryEvent[] = [];
  private readonly open = new Map<number, number>(); // opId -> process
  private nextOpId = 0;

  constructor(private readonly clock: Clock = monotonicMs) {}

  /** Records the request being sent; returns the op id to complete it with. */
  invoke(process: number, op: KvOp): number {
    const opId = this.nextOpId++;
    this.open.set(opId, process);
    this.events.push({ type: 'invoke', process, opId, time: this.clock(), op });
    return opId;
  }

  ok(opId: number, result: KvResult): void {
    this.events.push({ type: 'ok', process: this.close(opId), opId, time: this.clock(), result });
  }

  fail(opId: number, error?: string): void {
    this.events.push({ type: 'fail', process: this.close(opId), opId, time: this.clock(), error });
  }

  info(opId: number, error?: string): void {
    this.events.push({ type: 'info', process: this.close(opId), opId, time: this.clock(), error });
  }

  /**
   * Records one whole operation around `run`: invoke before it starts, then ok with what it returns,
   * or on a throw `fail` if `definitelyNotApplied(error)` (e.g. refused before being proposed) and
   * `info` otherwise (timeout, dropped connection: it may still take effect). Rethrows nothing:
   * returns the result, or undefined if it threw.
   */
  async record(
    process: number,
    op: KvOp,
    run: () => Promise<KvResult>,
    definitelyNotApplied: (error: unknown) => boolean,
  ): Promise<KvResult | undefined> {
    const opId = this.invoke(process, op);
    try {
      const result = await run();
      this.ok(opId, result);
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (definitelyNotApplied(error)) this.fail(opId, message);
      else this.info(opId, message);
      return undefined;
    }
  }

  /** A copy of the events so far, in recording order. */
  history(): HistoryEvent[] {
    return this.events.slice();
  }

  private close(opId: number): number {
    const process = this.open.get(opId);
    if (process === undefined) throw new Error(`op ${opId} is not open (never invoked, or already completed)`);
    this.open.delete(opId);
    return process;
  }
}
