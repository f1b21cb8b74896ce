import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { TcpTransport, seededRandom, silentLogger } from '@raftkv/cnet';
import type { FaultPlan, Logger, Message, PeerStats, Transport } from '@raftkv/cnet';
import type { RaftCore } from './core/api.js';
import { MessageType, Role } from './core/messages.js';
import type { EarlyOutput, Entry, HardState, NodeId, RaftMessage, Ready, Snapshot, SnapshotMeta } from './core/messages.js';
import { createRaftCore, isForwardedRequest, mayLeaveBeforeDurable } from './core/index.js';
import { clusterTagOf, decodeMessage, encodeMessage, readClusterTag } from './codec/message-codec.js';
import { NoLeaderError, NodeStoppedError } from './node-api.js';
import type { RaftHandle, RaftNodeEvents, RaftStatus, StateMachine } from './node-api.js';
import { LevelRaftStorage } from './storage/level-storage.js';
import { CorruptStorageError } from './storage/storage.js';
import type { RaftStorage } from './storage/storage.js';
import { resolveOptions } from './driver/options.js';
import type { RaftNodeOptions, ResolvedTiming } from './driver/options.js';
import { ReadIndexBatcher } from './driver/read-batcher.js';
import { SnapshotPolicy } from './driver/snapshot-policy.js';
import { openIdentity } from './driver/identity.js';
import { HardStatePlan } from './driver/hard-state-plan.js';
import { ApplyQueue } from './driver/apply-queue.js';
import { DurableLog } from './driver/durable-log.js';
import { readyTrace, receiveTrace, type ReadyTraceEvent, type ReceiveTraceEvent } from './driver/trace.js';

/** The cnet message type byte of Raft traffic (the transport carries other types untouched). */
export const RAFT_MESSAGE_TYPE = 1;

/** Entries kept behind a compaction so a slightly slow follower catches up from the log (etcd's SnapshotCatchUpEntries). */
const CATCH_UP_ENTRIES = 5000;

export interface RaftNodeFatalListener {
  fatal: (err: Error) => void;
}

/** No messages: shared, so a follower's Ready without forwarded requests splits without allocating. */
const NOTHING: readonly RaftMessage[] = Object.freeze([]);

/**
 * The driver around the pure core: ticks on a timer, and runs one Ready at a time through
 * send a leader's appends (a follower's forwarded requests) → start the synced write → hand committed entries to the
 * apply queue → (write durable) → send acknowledgements and votes → serve reads → advance. While the write persists,
 * entries that become committed are applied at once, a leader tells idle followers the new commit index and a
 * follower passes on the requests it forwards (RaftCore.takeEarly): a write then waits for two of three disks, not
 * for the leader's and its own follower's, and a write forwarded by a follower does not wait for that follower's.
 * Proposals and reads that arrive meanwhile accumulate in the core and go out together in the next Ready (group
 * commit).
 */
export class RaftNode extends EventEmitter implements RaftHandle {
  readonly id: NodeId;
  private readonly clusterTag: number;
  private readonly logger: Logger;
  private ticker: NodeJS.Timeout | null = null;
  private loopScheduled = false;
  private loop: Promise<void> | null = null;
  private halted = false;
  private stopping: Promise<void> | null = null;
  private applied: number;
  /** Term of the entry at `applied`: a snapshot taken there is labelled with it. */
  private appliedTerm: number;
  private readonly reads: ReadIndexBatcher;
  private readonly hardStates: HardStatePlan;
  private readonly applyQueue: ApplyQueue;
  /** How far the log is durable, for the state machine's disk writes (see StateMachine.apply). */
  private readonly durableLog: DurableLog;
  /** A Ready's write is in flight and its committed entries are queued: what takeEarly() gives may go out. */
  private persisting = false;
  /** The last entry handed to the apply queue (for the Ready trace). */
  private queuedTo = 0;
  private failed = false;
  /** The compaction under way in the background (state machine sync, then log), if any: at most one at a time. */
  private compactionTask: Promise<void> | null = null;
  /** An index the state machine made durable, to compact the core's log to between two Readies. */
  private compactTo = 0;
  /** The snapshot being encoded for followers behind the log's start (Ready.snapshotWanted), if any. */
  private followerSnapshotTask: Promise<void> | null = null;
  /** Settles when the node halts, so background work can stop waiting. */
  private readonly haltSignal: Promise<void>;
  private signalHalt: () => void = () => undefined;
  /** The highest index each follower acknowledged, to pick a transfer target. */
  private readonly matchHints = new Map<NodeId, number>();
  private last = { role: Role.Follower, leader: null as NodeId | null, term: 0 };
  /** Commit notices held back a moment, in case the next Append carries the commit instead (see sendEarly). */
  private readonly heldNotices: RaftMessage[] = [];
  private noticeTimer: NodeJS.Timeout | null = null;
  /** The commit index last sent to each follower, in any Append. */
  private readonly commitSentTo = new Map<NodeId, number>();
  /** Leader: the last index a follower's forwarded proposals took, until a commit notice covering it goes out. */
  private readonly forwardedUpTo = new Map<NodeId, number>();

  private constructor(
    opts: RaftNodeOptions,
    private readonly timing: ResolvedTiming,
    private readonly core: RaftCore,
    private readonly storage: RaftStorage,
    private readonly transport: Transport,
    private readonly stateMachine: StateMachine,
    private readonly snapshots: SnapshotPolicy,
    applied: { index: number; term: number },
    persistedHardState: HardState,
  ) {
    super();
    this.haltSignal = new Promise((resolve) => (this.signalHalt = resolve));
    this.id = opts.id;
    this.clusterTag = clusterTagOf(opts.clusterId);
    this.logger = opts.logger ?? silentLogger;
    this.applied = applied.index;
    this.appliedTerm = applied.term;
    this.last.term = core.status().term;
    this.reads = new ReadIndexBatcher({
      requestRead: (context) => {
        const ok = this.core.readIndex(context);
        this.schedule();
        return ok;
      },
      hasLeader: () => this.core.status().leader !== null,
      now: () => Date.now(),
      retryMs: timing.electionMs,
      timeoutMs: timing.readTimeoutMs,
    });
    this.reads.onApplied(applied.index);
    this.hardStates = new HardStatePlan(persistedHardState);
    this.durableLog = new DurableLog(core.durableIndex());
    this.applyQueue = new ApplyQueue(
      (entries, logDurable) => this.stateMachine.apply(entries, logDurable),
      (last) => this.setApplied(last.index, last.term),
      (err) => this.fail(err),
    );
  }

  /** Loads storage, brings the state machine up to the snapshot if it is behind, starts transport and ticks. */
  static async open(opts: RaftNodeOptions): Promise<RaftNode> {
    const timing = resolveOptions(opts);
    const logger = opts.logger ?? silentLogger;
    const storage = opts.storage ?? (await LevelRaftStorage.open(join(opts.dataDir!, 'raft')));
    let transport: Transport | undefined;
    try {
      const initialConfig = await openIdentity(storage, opts, logger);
      const persisted = await storage.load();
      let applied = opts.stateMachine.appliedIndex();
      const start = persisted.snapshot;
      if (start && applied < start.index) {
        // Only a snapshot installed from a leader can be ahead of the state machine (a crash before it was restored).
        const snapshot = await storage.loadSnapshot();
        if (!snapshot || snapshot.meta.index !== start.index) {
          throw new CorruptStorageError(
            `the state machine has applied ${applied} but the log starts after ${start.index} and no snapshot is stored for it`,
          );
        }
        logger.info({ applied, snapshot: start.index }, 'raft: restoring the state machine from the stored snapshot');
        await opts.stateMachine.restoreSnapshot(snapshot);
        applied = start.index;
      }
      const core = createRaftCore(
        {
          ...opts.core,
          id: opts.id,
          initialConfig,
          electionTicks: timing.electionTicks,
          heartbeatTicks: 1,
          random: seededRandom(opts.seed ?? Math.floor(Math.random() * 0xffffffff)),
        },
        { ...persisted, applied },
      );
      transport = opts.transport ?? new TcpTransport({
        id: opts.id,
        clusterId: opts.clusterId,
        listen: opts.listen ?? opts.peers[opts.id]!,
        peers: Object.fromEntries(Object.entries(opts.peers).filter(([peer]) => peer !== opts.id)),
        logger,
      });
      const voters = start?.config.voters ?? initialConfig.voters;
      const snapshots = new SnapshotPolicy(
        timing.snapshotCount,
        start?.index ?? 0,
        SnapshotPolicy.staggerFor(opts.id, voters, timing.snapshotCount),
      );
      const appliedTerm = applied === start?.index ? start.term : (persisted.entries.find((e) => e.index === applied)?.term ?? 0);
      const node = new RaftNode(
        opts,
        timing,
        core,
        storage,
        transport,
        opts.stateMachine,
        snapshots,
        { index: applied, term: appliedTerm },
        persisted.hardState,
      );
      transport.onMessage((m) => node.receive(m));
      transport.onPeerUnreachable?.((peer) => node.peerUnreachable(peer));
      await transport.start();
      node.ticker = setInterval(() => node.onTick(), timing.heartbeatMs);
      logger.info({ id: opts.id, applied, status: core.status() }, 'raft: node started');
      return node;
    } catch (err) {
      await transport?.close().catch(() => undefined);
      await storage.close().catch(() => undefined);
      throw err;
    }
  }

  // ---- RaftHandle --------------------------------------------------------------------------

  propose(data: Uint8Array): void {
    if (this.halted) throw new NodeStoppedError();
    if (!this.core.propose(data)) throw new NoLeaderError();
    this.schedule();
  }

  readIndex(): Promise<number> {
    if (this.halted) return Promise.reject(new NodeStoppedError());
    return this.reads.request();
  }

  async transferLeadership(to?: NodeId): Promise<boolean> {
    if (this.halted) return false;
    const status = this.core.status();
    if (status.role !== Role.Leader) return false;
    const target = to ?? this.mostCaughtUpFollower(status.config.voters);
    if (target === undefined || target === this.id || !status.config.voters.includes(target)) return false;
    const moved = this.waitForLeaderOtherThanSelf(this.timing.transferTimeoutMs);
    this.core.transferLeadership(target);
    this.schedule();
    return moved;
  }

  status(): RaftStatus {
    const s = this.core.status();
    return {
      id: this.id,
      role: s.role,
      term: s.term,
      leader: s.leader,
      commitIndex: s.commitIndex,
      appliedIndex: this.applied,
      firstIndex: s.firstIndex,
      lastIndex: s.lastIndex,
      snapshotIndex: s.firstIndex - 1,
      snapshotsTaken: this.snapshots.taken,
    };
  }

  /** Transfers leadership if leading (bounded), then stops ticks, drains the Ready loop, closes everything. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  setFaultPlan(plan: FaultPlan | null): void {
    this.transport.setFaultPlan(plan);
  }

  transportStats(): Record<string, PeerStats> {
    return this.transport.stats();
  }

  override on<E extends keyof RaftNodeEvents>(event: E, listener: RaftNodeEvents[E]): this;
  override on<E extends keyof RaftNodeFatalListener>(event: E, listener: RaftNodeFatalListener[E]): this;
  override on(event: string, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override off<E extends keyof RaftNodeEvents>(event: E, listener: RaftNodeEvents[E]): this;
  override off<E extends keyof RaftNodeFatalListener>(event: E, listener: RaftNodeFatalListener[E]): this;
  override off(event: string, listener: (...args: never[]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  // ---- inbound -----------------------------------------------------------------------------

  private receive(m: Message): void {
    if (this.halted || m.type !== RAFT_MESSAGE_TYPE) return;
    let msg: RaftMessage;
    try {
      if (readClusterTag(m.payload) !== this.clusterTag) {
        this.logger.warn({ from: m.from }, 'raft: dropping a message from another cluster');
        return;
      }
      msg = decodeMessage(m.payload);
    } catch (err) {
      this.logger.warn({ from: m.from, err: (err as Error).message }, 'raft: dropping an undecodable message');
      return;
    }
    if (msg.to !== this.id) return;
    if (receiveTrace.hasSubscribers) {
      const event: ReceiveTraceEvent = { node: this.id, at: performance.now(), from: msg.from, type: msg.type, index: msg.index, reject: msg.reject };
      receiveTrace.publish(event);
    }
    if (msg.type === MessageType.AppendResponse && !msg.reject) {
      this.matchHints.set(msg.from, Math.max(this.matchHints.get(msg.from) ?? 0, msg.index));
    }
    this.guard(() => this.core.step(msg));
    if (msg.type === MessageType.Propose) this.forwardedUpTo.set(msg.from, this.core.status().lastIndex);
    this.schedule();
  }

  /** The transport found `peer`'s process gone: if it led, stop waiting a whole election timeout for it. */
  private peerUnreachable(peer: NodeId): void {
    if (this.halted) return;
    this.guard(() => this.core.peerUnreachable(peer));
    this.schedule();
  }

  private onTick(): void {
    if (this.halted) return;
    this.guard(() => this.core.tick());
    this.reads.sweep();
    this.schedule();
  }

  // ---- the Ready loop ----------------------------------------------------------------------

  private schedule(): void {
    if (this.persisting) this.handOutEarly();
    if (this.loopScheduled || this.loop !== null || this.halted) return;
    this.loopScheduled = true;
    // A later turn, so everything proposed in this one goes into the same Ready.
    setImmediate(() => {
      this.loopScheduled = false;
      if (this.loop !== null || this.halted) return;
      this.loop = this.runReadyLoop().finally(() => {
        this.loop = null;
        if (this.core.hasReady()) this.schedule();
      });
    });
  }

  private async runReadyLoop(): Promise<void> {
    try {
      while (!this.halted) {
        this.compactCore();
        if (!this.core.hasReady()) break;
        const rd = this.core.ready();
        await this.handleReady(rd);
        this.core.advance(rd);
        this.durableLog.reached(this.core.durableIndex());
      }
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    const tracing = readyTrace.hasSubscribers;
    const startedAt = tracing ? performance.now() : 0;
    const queuedBefore = this.queuedTo;
    const { early, late } = this.splitMessages(rd.messages);
    this.sendEarly(early);
    const write = this.hardStates.plan(rd);
    let saving: Promise<void> | null = null;
    if (write) {
      const update: Parameters<RaftStorage['save']>[0] = { entries: rd.entries, ...write };
      if (rd.snapshot) update.snapshot = rd.snapshot;
      const saveStartedAt = performance.now();
      saving = this.storage.save(update);
      // Awaited below; a failure meanwhile must not count as unhandled.
      saving.then(() => this.reportLogSaved(saveStartedAt), () => undefined);
    }
    if (!rd.snapshot) {
      // Committed entries are durable on a quorum: they apply while this node's write persists (not after a
      // snapshot, which the state machine restores first). Earlier batches apply meanwhile; at most one more waits.
      await this.applyQueue.whenRoom(1);
      if (!this.halted) {
        this.queueApply(rd.committedEntries);
        this.persisting = true;
        this.handOutEarly();
      }
    }
    try {
      // Nothing below (votes, acks, a snapshot install) may happen before this write is durable.
      if (saving) await saving;
    } finally {
      this.persisting = false;
    }
    if (write) this.hardStates.written(write.hardState);
    const persistedAt = tracing ? performance.now() : 0;
    if (this.halted) return;
    this.emitStateChanges(rd);
    for (const msg of late) this.send(msg);
    if (rd.snapshotWanted) this.maybeStartFollowerSnapshot();
    if (rd.snapshot) {
      await this.applyQueue.idle();
      if (this.halted) return;
      await this.installSnapshot(rd.snapshot);
    }
    for (const rs of rd.readStates) this.reads.onReadState(rs);
    if (tracing) this.traceReady(rd, startedAt, persistedAt, queuedBefore);
  }

  /** A listener's failure (a metrics bug) is logged: it must neither stop the node nor go unhandled. */
  private reportLogSaved(startedAt: number): void {
    try {
      this.emit('logSaved', (performance.now() - startedAt) / 1000);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'raft: a logSaved listener failed');
    }
  }

  /** While a Ready's write persists: what the core lets go before it is durable (RaftCore.takeEarly). */
  private handOutEarly(): void {
    if (this.halted) return;
    let out: EarlyOutput | undefined;
    this.guard(() => (out = this.core.takeEarly()));
    if (out === undefined) return;
    this.sendEarly(out.messages);
    this.queueApply(out.committedEntries);
  }

  private queueApply(entries: Entry[]): void {
    const last = entries[entries.length - 1];
    if (last === undefined) return;
    this.applyQueue.push(entries, this.durableLog.through(last.index));
    this.queuedTo = last.index;
  }

  private traceReady(rd: Ready, startedAt: number, persistedAt: number, queuedBefore: number): void {
    const event: ReadyTraceEvent = {
      node: this.id,
      startedAt,
      persistedAt,
      finishedAt: performance.now(),
      entries: rd.entries.length,
      lastEntryIndex: rd.entries.at(-1)?.index ?? 0,
      committedTo: this.queuedTo > queuedBefore ? this.queuedTo : 0,
    };
    readyTrace.publish(event);
  }

  /**
   * A leader's appends and heartbeats may go out while its own copy is being written (Raft thesis §10.2.1):
   * its own copy joins the quorum only at advance(), and its term and vote were made durable before it
   * could win. So may a follower's forwarded requests. Everything else (votes, acknowledgements) waits for the write.
   */
  private splitMessages(messages: RaftMessage[]): { early: readonly RaftMessage[]; late: readonly RaftMessage[] } {
    const role = this.core.status().role;
    if (role !== Role.Leader && !messages.some(isForwardedRequest)) return { early: NOTHING, late: messages };
    const early: RaftMessage[] = [];
    const late: RaftMessage[] = [];
    for (const m of messages) (mayLeaveBeforeDurable(m, role) ? early : late).push(m);
    return { early, late };
  }

  private async installSnapshot(snapshot: Snapshot): Promise<void> {
    this.logger.info({ index: snapshot.meta.index, term: snapshot.meta.term }, 'raft: installing a snapshot from the leader');
    await this.stateMachine.restoreSnapshot(snapshot);
    this.snapshots.installed(snapshot.meta.index);
    this.setApplied(snapshot.meta.index, snapshot.meta.term);
  }

  private setApplied(index: number, term: number): void {
    this.applied = index;
    this.appliedTerm = term;
    this.reads.onApplied(index);
    this.emit('applied', index);
    this.maybeStartSnapshot();
  }

  /**
   * After snapshotCount applied entries, compacts in the background as etcd does, without encoding the state: the
   * state machine makes what it applied durable (sync), then the log is dropped up to CATCH_UP_ENTRIES before that
   * point, in storage and in the core. The Ready loop goes on persisting, sending and acknowledging meanwhile.
   */
  private maybeStartSnapshot(): void {
    if (this.halted || this.compactionTask !== null || !this.snapshots.due(this.applied)) return;
    this.compactionTask = this.compactInBackground()
      .catch((err: Error) => this.fail(err))
      .finally(() => {
        this.compactionTask = null;
      });
  }

  private async compactInBackground(): Promise<void> {
    const started = Date.now();
    // Between two apply batches: every apply up to `durable` has resolved, so sync() covers its effects.
    const durable = await this.applyQueue.atBarrier(() => (this.halted ? null : this.stateMachine.appliedIndex()));
    if (durable === null) return;
    if ((await this.unlessHalted(this.stateMachine.sync().then(() => true))) === undefined) return;
    this.snapshots.took(durable);
    const compactTo = durable - Math.min(CATCH_UP_ENTRIES, this.timing.snapshotCount);
    this.compactTo = Math.max(this.compactTo, compactTo);
    if (this.loop === null) this.compactCore();
    this.logger.info({ durable, compactTo, syncMs: Date.now() - started }, 'raft: state machine synced; compacting the log');
  }

  /** Only while no Ready is outstanding (the loop calls it before each ready(); idle callers when loop is null). */
  private compactCore(): void {
    const index = this.compactTo;
    if (index === 0 || this.halted) return;
    this.compactTo = 0;
    let meta: SnapshotMeta | null = null;
    this.guard(() => (meta = this.core.compact(index)));
    if (meta === null) return;
    // The core no longer needs the entries; storage drops them behind the log's own writes.
    this.storage.compact(meta).catch((err: Error) => this.fail(err));
  }

  /**
   * A follower needs entries the log no longer has: encode the state machine (captured between two apply batches,
   * encoded off its queue) and offer it to the core, which sends it. Kept in memory only, as etcd does.
   */
  private maybeStartFollowerSnapshot(): void {
    if (this.halted || this.followerSnapshotTask !== null) return;
    this.followerSnapshotTask = this.encodeFollowerSnapshot()
      .catch((err: Error) => this.fail(err))
      .finally(() => {
        this.followerSnapshotTask = null;
      });
  }

  private async encodeFollowerSnapshot(): Promise<void> {
    const started = Date.now();
    const taken = await this.applyQueue.atBarrier(() => this.captureSnapshot());
    if (taken === null) return;
    const data = await this.unlessHalted(taken.data);
    if (data === undefined) return;
    this.guard(() => this.core.offerSnapshot({ meta: taken.meta, data }));
    this.schedule();
    this.logger.info({ index: taken.meta.index, bytes: data.byteLength, encodeMs: Date.now() - started }, 'raft: snapshot for a follower encoded');
  }

  /**
   * Runs between two apply batches: the state and the index it is labelled with agree. takeSnapshot() must fix
   * its state when called, since the next batch's apply() may be called before its promise settles.
   */
  private captureSnapshot(): { meta: Snapshot['meta']; data: Promise<Uint8Array> } | null {
    if (this.halted) return null;
    const index = this.applied;
    if (this.stateMachine.appliedIndex() !== index) {
      this.logger.warn({ applied: index, stateMachine: this.stateMachine.appliedIndex() }, 'raft: state machine applied index disagrees; no snapshot');
      return null;
    }
    const meta = { index, term: this.appliedTerm, config: this.core.status().config };
    return { meta, data: this.stateMachine.takeSnapshot() };
  }

  /** Resolves with what `work` resolves to, or undefined once the node halts first (the work is then abandoned). */
  private unlessHalted<T>(work: Promise<T>): Promise<T | undefined> {
    if (this.halted) {
      work.catch(() => undefined);
      return Promise.resolve(undefined);
    }
    return Promise.race([work, this.haltSignal.then(() => undefined)]).then((result) => {
      if (this.halted) {
        work.catch(() => undefined);
        return undefined;
      }
      return result;
    });
  }

  /**
   * Sends what may leave before this node's write is durable: a follower's forwarded requests, and a leader's
   * replication. A commit-only Append (a new commit index, no answer wanted) for one more entry is
   * held for up to commitNoticeDelayMs (2 ms) and dropped if an Append sent meanwhile carried that commit: with
   * one client the next write's Append follows within a fraction of a millisecond, so the notice costs no socket
   * write, no wake-up of each follower and no place ahead of this node's own answers (each socket write is tens
   * of µs on a busy machine). A notice that lets a follower answer a write it forwarded goes at once.
   */
  private sendEarly(messages: readonly RaftMessage[]): void {
    for (const msg of messages) {
      const waitedFor = msg.type === MessageType.Append && this.coversForwarded(msg);
      // Only commit-only Appends (an empty Append that wants an answer, a probe or a repeat, must go as it is), and
      // only one that lets the follower apply a single entry: a larger batch applied alongside the next Append's
      // write would delay that write's acknowledgement (put-256-leader p99 +30 % when every notice was held).
      const small = msg.commit - (this.commitSentTo.get(msg.to) ?? 0) <= 1;
      if (msg.commitOnly === true && small && !waitedFor) this.holdNotice(msg);
      else this.send(msg);
    }
  }

  private holdNotice(notice: RaftMessage): void {
    this.heldNotices.push(notice);
    if (this.noticeTimer === null) {
      this.noticeTimer = setTimeout(() => this.sendHeldNotices(), this.timing.commitNoticeDelayMs);
      this.noticeTimer.unref();
    } else if (this.heldNotices.length === 1) this.noticeTimer.refresh();
  }

  private sendHeldNotices(): void {
    const held = this.heldNotices.splice(0);
    if (this.halted) return;
    // Newest first: one notice per follower, and none to a follower an Append already told.
    for (let i = held.length - 1; i >= 0; i--) {
      const notice = held[i]!;
      if ((this.commitSentTo.get(notice.to) ?? 0) < notice.commit) this.send(notice);
    }
  }

  /** Whether this Append's commit index covers what its follower forwarded (so its client waits for it). */
  private coversForwarded(append: RaftMessage): boolean {
    const upTo = this.forwardedUpTo.get(append.to);
    if (upTo === undefined || append.commit < upTo) return false;
    this.forwardedUpTo.delete(append.to);
    return true;
  }

  private send(msg: RaftMessage): void {
    if (msg.type === MessageType.Append) this.commitSentTo.set(msg.to, Math.max(this.commitSentTo.get(msg.to) ?? 0, msg.commit));
    let payload: Uint8Array;
    try {
      payload = encodeMessage(msg, this.clusterTag);
    } catch (err) {
      this.logger.error({ to: msg.to, type: msg.type, err: (err as Error).message }, 'raft: cannot encode a message');
      return;
    }
    this.transport.send({ from: this.id, to: msg.to, type: RAFT_MESSAGE_TYPE, payload });
  }

  /** Events describe what this Ready made durable, not what the core has moved on to since. */
  private emitStateChanges(rd: Ready): void {
    const prev = this.last;
    const term = rd.hardState?.term ?? prev.term;
    const role = rd.softState?.role ?? prev.role;
    const leader = rd.softState ? rd.softState.leader : prev.leader;
    this.last = { role, leader, term };
    if (term !== prev.term) this.emit('term', term);
    if (role !== prev.role) this.emit('role', role);
    if (leader !== prev.leader) this.emit('leader', leader, term);
  }

  // ---- leadership transfer -----------------------------------------------------------------

  private mostCaughtUpFollower(voters: readonly NodeId[]): NodeId | undefined {
    let best: NodeId | undefined;
    let bestMatch = -1;
    for (const v of [...voters].sort()) {
      if (v === this.id) continue;
      const match = this.matchHints.get(v) ?? 0;
      if (match > bestMatch) {
        best = v;
        bestMatch = match;
      }
    }
    return best;
  }

  /** Resolves true once another node is known as leader, false after `ms` or when the node halts. */
  private waitForLeaderOtherThanSelf(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (moved: boolean): void => {
        clearTimeout(timer);
        this.off('leader', onLeader);
        this.off('fatal', onFatal);
        resolve(moved);
      };
      const onLeader = (leader: NodeId | null): void => {
        if (leader !== null && leader !== this.id) done(true);
      };
      const onFatal = (): void => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.on('leader', onLeader);
      this.on('fatal', onFatal);
    });
  }

  // ---- stopping ----------------------------------------------------------------------------

  private async doStop(): Promise<void> {
    if (!this.halted && this.core.status().role === Role.Leader && this.core.status().config.voters.length > 1) {
      const moved = await this.transferLeadership();
      this.logger.info({ moved }, 'raft: leadership transfer before stop');
    }
    await this.halt(new NodeStoppedError());
  }

  /** Persistence or apply failed: nothing more may be acknowledged, so the node stops at once. */
  private fail(err: Error): void {
    if (this.halted) return;
    this.failed = true;
    this.logger.error({ err: err.message, stack: err.stack }, 'raft: fatal error, stopping the node');
    if (this.listenerCount('fatal') > 0) this.emit('fatal', err);
    void this.halt(new NodeStoppedError());
  }

  /** Runs `fn` against the core; a throw there means the core's state cannot be trusted: fatal. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private halting: Promise<void> | null = null;

  /** A clean stop writes the commit index held back from the last writes (after a failure, nothing more is written). */
  private async flushDeferredHardState(): Promise<void> {
    const hardState = this.hardStates.pending();
    if (!hardState || this.failed) return;
    await this.storage
      .save({ entries: [], hardState })
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'raft: writing the last commit index failed'));
  }

  private halt(reason: Error): Promise<void> {
    this.halting ??= (async () => {
      this.halted = true;
      this.signalHalt();
      if (this.ticker) clearInterval(this.ticker);
      this.ticker = null;
      await this.loop?.catch(() => undefined);
      // Entries applied before this node's copy was durable stay off the state machine's disk: a restart replays them.
      this.durableLog.halt();
      await this.applyQueue.idle();
      // They give up at their next step; storage.close() then stops any deletes left running.
      await this.compactionTask;
      await this.followerSnapshotTask;
      await this.flushDeferredHardState();
      this.reads.failAll(reason);
      await this.transport.close().catch((err: Error) => this.logger.warn({ err: err.message }, 'raft: transport close failed'));
      await this.storage.close().catch((err: Error) => this.logger.warn({ err: err.message }, 'raft: storage close failed'));
      this.logger.info({ id: this.id }, 'raft: node stopped');
    })();
    return this.halting;
  }
}
