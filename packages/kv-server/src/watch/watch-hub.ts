import { keySpan, spanContains, type KeySpan } from '../mvcc/key-index.js';
import type { ChangeEvent } from '../mvcc/store.js';
import { WatcherIndex } from './watcher-index.js';

export type WatchFilter = 'NOPUT' | 'NODELETE';

export interface WatchRequest {
  key: Buffer;
  /** As a range's: absent = the key, [0] = every key ≥ key, otherwise [key, rangeEnd). */
  rangeEnd?: Buffer;
  /** First revision to report; absent or 0 = the next one. */
  startRevision?: number;
  prevKv?: boolean;
  progressNotify?: boolean;
  filters?: WatchFilter[];
}

/** What a watcher is told: one write transaction's events (revision = header revision), progress, or compaction. */
export type WatchUpdate =
  | { kind: 'events'; revision: number; events: ChangeEvent[] }
  | { kind: 'progress'; revision: number }
  | { kind: 'compacted'; compactRevision: number };

/** Where a watcher's updates go. send() returning false means "buffer full": nothing more until resume(). */
export interface WatchSink {
  send(update: WatchUpdate): boolean;
}

/** The history a watcher catches up from: the node's MVCC store. */
export interface WatchSource {
  currentRevision(): number;
  /** etcd's compaction revision: history before it is gone. */
  compactedRevision(): number;
  changesIn(span: KeySpan, fromRev: number, toRev: number): Array<{ revision: number; events: ChangeEvent[] }>;
}

export interface WatchHubOptions {
  /** How often watchers that asked for progress_notify hear the current revision (etcd: 10 minutes). */
  progressIntervalMs?: number;
}

/** A registered watcher; cancel() stops it, resume() tells it the sink has room again. */
export interface WatchHandle {
  cancel(): void;
  resume(): void;
}

class Watcher implements WatchHandle {
  /** The next revision this watcher must hear about; everything before it was sent (or did not concern it). */
  nextRev: number;
  /** Synced watchers get events as they are applied; the others catch up from history first. */
  synced = false;
  /** The sink said it is full: events are skipped and later read from history. */
  paused = false;
  canceled = false;

  constructor(
    private readonly hub: WatchHub,
    readonly span: KeySpan,
    readonly req: WatchRequest,
    readonly sink: WatchSink,
    startRev: number,
  ) {
    this.nextRev = startRev;
  }

  /** The events this watcher wants, after its filters. */
  wanted(events: readonly ChangeEvent[]): ChangeEvent[] {
    const filters = this.req.filters ?? [];
    const noPut = filters.includes('NOPUT');
    const noDelete = filters.includes('NODELETE');
    return events.filter((e) => spanContains(this.span, e.kv.key) && !(e.type === 'PUT' ? noPut : noDelete));
  }

  cancel(): void {
    this.hub.remove(this);
  }

  resume(): void {
    if (this.canceled || !this.paused) return;
    this.paused = false;
    this.hub.catchUp(this);
  }
}

/**
 * Delivers each applied write transaction's changes to the watchers of its keys, in revision order, each once.
 * A watcher that starts in the past, or whose consumer fell behind (its sink said full), is unsynced: it skips
 * live events and reads them from the store's history when it can take more, like etcd's unsynced watchers. A
 * watcher whose next revision was compacted away is told so and cancelled. Buffering is bounded by the sink.
 */
export class WatchHub {
  private readonly index = new WatcherIndex<Watcher>();
  private readonly watchers = new Set<Watcher>();
  /** The last revision published (applied and durable here). */
  private revision: number;
  private readonly progressTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: WatchSource,
    options: WatchHubOptions = {},
  ) {
    this.revision = source.currentRevision();
    const every = options.progressIntervalMs ?? 10 * 60 * 1000;
    this.progressTimer = setInterval(() => this.notifyProgress(), every);
    this.progressTimer.unref();
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Watchers waiting for their consumer to take more (they will catch up from history). */
  get pausedCount(): number {
    let n = 0;
    for (const w of this.watchers) if (w.paused) n++;
    return n;
  }

  /** The revision watchers have been brought up to. */
  currentRevision(): number {
    return this.revision;
  }

  /** Registers a watcher; updates from history may be sent before this returns (send the "created" first). */
  watch(req: WatchRequest, sink: WatchSink): WatchHandle {
    const span = keySpan(req.key, req.rangeEnd);
    const start = req.startRevision && req.startRevision > 0 ? req.startRevision : this.revision + 1;
    const w = new Watcher(this, span, req, sink, start);
    this.watchers.add(w);
    this.index.add(w, span);
    this.catchUp(w);
    return w;
  }

  /** Hands one applied batch's changes to the watchers of the changed keys. */
  publish(changes: ReadonlyArray<{ revision: number; events: ChangeEvent[] }>): void {
    for (const { revision, events } of changes) {
      this.revision = revision;
      const touched = new Set<Watcher>();
      for (const e of events) for (const w of this.index.matching(e.kv.key)) touched.add(w);
      for (const w of touched) {
        if (!w.synced || w.paused || revision < w.nextRev) continue;
        const wanted = w.wanted(events);
        w.nextRev = revision + 1;
        if (wanted.length > 0 && !this.deliver(w, { kind: 'events', revision, events: wanted })) this.fallBehind(w);
      }
    }
  }

  /** A snapshot replaced the state: every watcher continues from where it was, through history. */
  restored(): void {
    const before = this.revision;
    this.revision = this.source.currentRevision();
    for (const w of [...this.watchers]) {
      if (w.synced) w.nextRev = Math.max(w.nextRev, before + 1);
      w.synced = false;
      if (!w.paused) this.catchUp(w);
    }
  }

  /** Cancels every watcher (the node is stopping). */
  close(): void {
    clearInterval(this.progressTimer);
    for (const w of [...this.watchers]) this.remove(w);
  }

  remove(w: Watcher): void {
    if (w.canceled) return;
    w.canceled = true;
    this.watchers.delete(w);
    this.index.remove(w, w.span);
  }

  /** Sends a watcher what it missed, from history, until it is synced or its sink is full. */
  catchUp(w: Watcher): void {
    if (w.canceled || w.paused) return;
    w.synced = false;
    const compacted = this.source.compactedRevision();
    if (w.nextRev < compacted) {
      this.deliver(w, { kind: 'compacted', compactRevision: compacted });
      this.remove(w);
      return;
    }
    if (w.nextRev <= this.revision) {
      for (const { revision, events } of this.source.changesIn(w.span, w.nextRev, this.revision)) {
        const wanted = w.wanted(events);
        w.nextRev = revision + 1;
        if (wanted.length > 0 && !this.deliver(w, { kind: 'events', revision: this.revision, events: wanted })) {
          this.fallBehind(w);
          return;
        }
        if (w.canceled) return;
      }
      w.nextRev = this.revision + 1;
    }
    w.synced = true;
  }

  /** A sink that throws loses its watcher; the apply loop that publishes must never see the error. */
  private deliver(w: Watcher, update: WatchUpdate): boolean {
    try {
      return w.sink.send(update);
    } catch {
      this.remove(w);
      return false;
    }
  }

  private fallBehind(w: Watcher): void {
    w.synced = false;
    w.paused = true;
  }

  private notifyProgress(): void {
    for (const w of this.watchers) {
      if (w.req.progressNotify && w.synced && !w.paused) {
        if (!this.deliver(w, { kind: 'progress', revision: this.revision })) this.fallBehind(w);
      }
    }
  }
}
