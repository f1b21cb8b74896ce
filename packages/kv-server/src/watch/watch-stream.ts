import type { JsonObject } from '../http/proto-json.js';
import type { WatchHandle, WatchHub, WatchUpdate } from './watch-hub.js';
import { encodeEvent, encodeWatchResult, type WatchStreamRequest } from './watch-json.js';

/** The connection a watch stream writes to: write() returns false when its buffer is full; 'drain' follows. */
export interface StreamOutput {
  write(line: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** Builds a response header; `revision` undefined leaves it out (etcd's compacted reply has none). */
export type HeaderOf = (revision: number | undefined) => JsonObject;

/**
 * One client's watch stream (etcd's serverWatchStream): creates and cancels watchers by watch_id, writes their
 * updates as lines, and resumes paused watchers once the connection drains.
 */
export class WatchStream {
  private readonly watchers = new Map<number, { handle: WatchHandle; prevKv: boolean }>();
  private nextWatchId = 0;
  private waitingForDrain = false;
  private closed = false;

  constructor(
    private readonly hub: WatchHub,
    private readonly out: StreamOutput,
    private readonly header: HeaderOf,
  ) {}

  get watcherCount(): number {
    return this.watchers.size;
  }

  handle(req: WatchStreamRequest): void {
    if (this.closed) return;
    if ('create' in req) this.create(req.create);
    else if ('cancel' in req) this.cancel(req.cancel.watchId);
    else if ('progress' in req) this.write(encodeWatchResult(this.header(this.hub.currentRevision()), { watchId: -1 }));
  }

  /** The client went away: every watcher of the stream stops. */
  close(): void {
    this.closed = true;
    for (const { handle } of this.watchers.values()) handle.cancel();
    this.watchers.clear();
  }

  private create(req: Parameters<WatchHub['watch']>[0] & { watchId?: number }): void {
    let id = req.watchId ?? 0;
    if (id === 0 || this.watchers.has(id)) {
      while (this.watchers.has(this.nextWatchId)) this.nextWatchId++;
      id = this.nextWatchId++;
    }
    this.write(encodeWatchResult(this.header(this.hub.currentRevision()), { watchId: id, created: true }));
    const entry = { handle: undefined as unknown as WatchHandle, prevKv: req.prevKv === true };
    this.watchers.set(id, entry);
    entry.handle = this.hub.watch(req, { send: (update) => this.send(id, entry.prevKv, update) });
  }

  private cancel(id: number): void {
    const entry = this.watchers.get(id);
    if (entry === undefined) return;
    entry.handle.cancel();
    this.watchers.delete(id);
    this.write(encodeWatchResult(this.header(this.hub.currentRevision()), { watchId: id, canceled: true }));
  }

  private send(id: number, prevKv: boolean, update: WatchUpdate): boolean {
    if (this.closed) return false;
    switch (update.kind) {
      case 'events':
        return this.write(
          encodeWatchResult(this.header(update.revision), {
            watchId: id,
            events: update.events.map((e) => encodeEvent(e, prevKv)),
          }),
        );
      case 'progress':
        return this.write(encodeWatchResult(this.header(update.revision), { watchId: id }));
      case 'compacted':
        this.watchers.delete(id);
        return this.write(
          encodeWatchResult(this.header(undefined), { watchId: id, canceled: true, compactRevision: update.compactRevision }),
        );
    }
  }

  private write(line: string): boolean {
    const ok = this.out.write(line);
    if (!ok && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.out.once('drain', () => {
        this.waitingForDrain = false;
        for (const { handle } of [...this.watchers.values()]) if (!this.closed) handle.resume();
      });
    }
    return ok;
  }
}
