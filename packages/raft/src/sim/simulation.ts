import { Raft } from '../core/raft.js';
import { mayLeaveBeforeDurable } from '../core/message-util.js';
import { type Entry, type NodeId, type RaftMessage, type Ready, Role } from '../core/messages.js';
import { EventQueue } from './event-queue.js';
import { commandOf, InvariantChecker } from './invariants.js';
import { Rng } from './rng.js';
import { SimStateMachine, SimStorage } from './sim-storage.js';

/** Virtual time units per Raft tick; message delays are drawn in these units. */
const TICK = 10;
/** A round trip on the healed network (delays of up to 2 ticks each way, short writes) with some slack. */
const HEALED_ROUND_TRIP_TICKS = 5;

export interface SimOptions {
  seed: number;
  /** Ticks of faults (crashes, partitions, loss, duplication, reordering). */
  chaosTicks?: number;
  /**
   * Ticks after healing within which a leader must commit a new proposal on every node (default 200), plus the
   * time the healed network needs to carry the backlog the faults left (see heal()).
   */
  livenessTicks?: number;
  /**
   * Tell nodes that a peer's process is gone (RaftCore.peerUnreachable): after most crashes, and now and then
   * spuriously about a live peer. Default true; the pinned regression seeds replay schedules made without them.
   */
  unreachableHints?: boolean;
  /**
   * Drive as RaftNode does since it applies before its own write is durable: committed entries apply when their
   * Ready is handed out, a leader's replication and a follower's forwarded requests leave then too
   * (mayLeaveBeforeDurable), and what RaftCore.takeEarly gives goes out while a Ready persists; the state machine's
   * durable state then follows the log (a crash keeps only what the log held). Default: half the seeds, on a stream
   * of their own; the pinned regression seeds replay schedules made without it.
   */
  earlyOutput?: boolean;
}

export interface SimResult {
  seed: number;
  nodes: number;
  violations: string[];
  stats: SimStats;
}

export interface SimStats {
  events: number;
  committed: number;
  leaders: number;
  crashes: number;
  snapshots: number;
  hints: number;
  offers: number;
  /** Entries applied and messages sent while their node's Ready persisted (RaftCore.takeEarly). */
  early: number;
}

type SimEvent =
  | { kind: 'tick'; node: number }
  | { kind: 'deliver'; msg: RaftMessage }
  | { kind: 'persisted'; node: number; incarnation: number }
  | { kind: 'fault' }
  | { kind: 'client' }
  | { kind: 'heal' }
  | { kind: 'restart'; node: number; incarnation: number }
  | { kind: 'crash'; node: number; incarnation: number }
  | { kind: 'unreachable'; node: number; peer: NodeId }
  | { kind: 'offer-snapshot'; node: number; incarnation: number };

interface SimNode {
  id: NodeId;
  up: boolean;
  incarnation: number;
  core: Raft;
  storage: SimStorage;
  sm: SimStateMachine;
  rng: Rng;
  outstanding: Ready | null;
  /** The outstanding Ready's messages that wait for its write (the rest left when it was handed out). */
  late: RaftMessage[];
  /** The state machine's durable point: what it applied, as far as the log was durable (see SimOptions.earlyOutput). */
  smDurable: number;
  seenCommit: number;
  wasLeaderInTerm: number;
}

interface NetworkParams {
  drop: number;
  duplicate: number;
  maxDelay: number;
  crashAfterPersist: number;
  /** A slow disk lets acknowledgements from others overtake the leader's own write. */
  maxPersistDelay: number;
}

/**
 * One seeded run: a whole cluster in one process, virtual time, a network that delays, drops,
 * duplicates, reorders and partitions, and nodes that crash at any point and restart from what
 * they persisted. Invariants are checked after every event; the same seed replays exactly.
 */
export class Simulation {
  private readonly rng: Rng;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly nodes: SimNode[] = [];
  private readonly ids: NodeId[];
  private readonly checker: InvariantChecker;
  private now = 0;
  private group: number[];
  private net: NetworkParams;
  private chaos = true;
  private readonly chaosEnd: number;
  private end: number;
  private readonly snapshotEvery: number;
  private readonly chunkBytes: number;
  /** Upper bound on ticks between faults: some seeds are calm, some are stormy. */
  private readonly faultEvery: number;
  /** Small Appends (down to one entry each) open the windows that Figure 8 needs. */
  private readonly maxMessageBytes: number;
  private readonly maxInflight: number;
  /** Chance that a new leader crashes within a few ticks of winning. */
  private readonly leaderCrash: number;
  /** Some seeds run without pre-vote or check-quorum: safety must not depend on them. */
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private commandSeq = 0;
  private readonly pendingReads = new Map<string, number>();
  private livenessCommand: string | null = null;
  private livenessProposedAt = -Infinity;
  /**
   * Round trips the healed cluster may need to catch up: entries between the lowest commit index and the longest
   * log when the faults ended, plus the chunks of the largest state a snapshot would carry.
   */
  private backlog = 0;
  private readonly stats: SimStats = { events: 0, committed: 0, leaders: 0, crashes: 0, snapshots: 0, hints: 0, offers: 0, early: 0 };
  private readonly earlyOutput: boolean;
  /** Its own stream, so the hints leave the draws of every other choice as they were. */
  private readonly hints: Rng | null;
  /** Delays and losses of the snapshots a leader asks for (Ready.snapshotWanted), on a stream of their own. */
  private readonly offers: Rng;

  constructor(private readonly options: SimOptions) {
    this.rng = new Rng(options.seed);
    const n = this.rng.pick([3, 5, 5]);
    this.ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    this.group = this.ids.map(() => 0);
    this.net = this.randomNetwork();
    this.snapshotEvery = this.rng.int(5, 40);
    this.chunkBytes = this.rng.int(64, 1024);
    this.faultEvery = this.rng.pick([4, 10, 30]);
    this.maxMessageBytes = this.rng.pick([1, 64, 1024]);
    this.maxInflight = this.rng.pick([1, 4, 16]);
    this.leaderCrash = this.rng.pick([0, 0.3, 0.6]);
    // A separate stream, so adding these choices did not change the schedules of pinned seeds.
    const features = new Rng(options.seed ^ 0x5bd1e995);
    this.preVote = features.chance(0.75);
    this.checkQuorum = features.chance(0.75);
    this.hints = (options.unreachableHints ?? true) ? new Rng(options.seed ^ 0x2545f491) : null;
    this.offers = new Rng(options.seed ^ 0x68e31da4);
    this.earlyOutput = options.earlyOutput ?? new Rng(options.seed ^ 0x7f4a7c15).chance(0.5);
    this.chaosEnd = (options.chaosTicks ?? 400) * TICK;
    // Until the faults end; heal() then sets the bound for the healed phase.
    this.end = this.chaosEnd;
    this.checker = new InvariantChecker(() => this.now);
    for (let i = 0; i < n; i++) {
      const storage = new SimStorage();
      const sm = new SimStateMachine();
      const node: SimNode = {
        id: this.ids[i]!,
        up: true,
        incarnation: 0,
        storage,
        sm,
        rng: this.rng.fork(),
        outstanding: null,
        late: [],
        smDurable: 0,
        seenCommit: 0,
        wasLeaderInTerm: -1,
        core: undefined as unknown as Raft,
      };
      node.core = this.buildCore(node);
      this.nodes.push(node);
      this.queue.push(this.rng.int(0, TICK - 1), { kind: 'tick', node: i });
    }
    this.queue.push(this.rng.int(1, 20) * TICK, { kind: 'fault' });
    this.queue.push(TICK, { kind: 'client' });
    this.queue.push(this.chaosEnd, { kind: 'heal' });
  }

  run(): SimResult {
    for (let ev = this.queue.pop(); ev && ev.at <= this.end; ev = this.queue.pop()) {
      this.now = ev.at;
      this.stats.events++;
      try {
        this.handle(ev.item);
        this.checkAfterEvent();
      } catch (err) {
        // A core that throws (an internal assertion) is a failure of this seed, not of the run.
        this.checker.fail(`exception: ${(err as Error).stack ?? String(err)}`);
      }
      if (this.checker.violations.length > 0) break;
      if (!this.chaos && this.livenessDone()) break;
    }
    if (this.checker.violations.length === 0) this.finalChecks();
    this.stats.committed = this.checker.committedTerm.length - 1;
    return { seed: this.options.seed, nodes: this.ids.length, violations: this.checker.violations, stats: this.stats };
  }

  private buildCore(node: SimNode): Raft {
    return new Raft(
      {
        id: node.id,
        initialConfig: { voters: this.ids },
        electionTicks: 10,
        heartbeatTicks: 2,
        random: () => node.rng.next(),
        maxInflightMessages: this.maxInflight,
        maxMessageBytes: this.maxMessageBytes,
        snapshotChunkBytes: this.chunkBytes,
        preVote: this.preVote,
        checkQuorum: this.checkQuorum,
      },
      node.storage.load(node.sm.appliedIndex),
    );
  }

  private randomNetwork(): NetworkParams {
    return {
      drop: this.rng.pick([0, 0.02, 0.1, 0.25]),
      duplicate: this.rng.pick([0, 0.02, 0.1]),
      maxDelay: this.rng.int(1, 4) * TICK,
      crashAfterPersist: this.rng.pick([0, 0.005, 0.02]),
      maxPersistDelay: this.rng.pick([2, 2 * TICK, 6 * TICK]),
    };
  }

  private handle(ev: SimEvent): void {
    switch (ev.kind) {
      case 'tick': {
        const node = this.nodes[ev.node]!;
        if (node.up) {
          node.core.tick();
          this.pump(node);
        }
        // Now and then a false alarm: the peer named may be alive and leading.
        if (this.hints?.chance(0.003)) this.hintLater(node, this.hints.pick(this.ids.filter((id) => id !== node.id)));
        this.queue.push(this.now + TICK, ev);
        return;
      }
      case 'unreachable': {
        const node = this.nodes[ev.node]!;
        if (!node.up) return;
        this.stats.hints++;
        node.core.peerUnreachable(ev.peer);
        this.pump(node);
        return;
      }
      case 'deliver': {
        const to = this.nodes.find((n) => n.id === ev.msg.to);
        if (!to || !to.up || !this.connected(ev.msg.from, ev.msg.to)) return;
        to.core.step(ev.msg);
        this.pump(to);
        return;
      }
      case 'offer-snapshot': {
        const node = this.nodes[ev.node]!;
        if (node.up && node.incarnation === ev.incarnation) this.offerSnapshot(node);
        return;
      }
      case 'persisted':
        this.persisted(this.nodes[ev.node]!, ev.incarnation);
        return;
      case 'fault':
        if (!this.chaos) return;
        this.injectFault();
        this.checker.checkDurable(this.nodes.map((n) => n.storage));
        this.queue.push(this.now + this.rng.int(1, this.faultEvery) * TICK, ev);
        return;
      case 'client':
        this.client();
        this.queue.push(this.now + this.rng.int(1, 3) * TICK, ev);
        return;
      case 'heal':
        this.heal();
        return;
      case 'crash': {
        const node = this.nodes[ev.node]!;
        if (this.chaos && node.up && node.incarnation === ev.incarnation) this.crashFor(node, this.rng.int(1, 20));
        return;
      }
      case 'restart': {
        const node = this.nodes[ev.node]!;
        if (!node.up && node.incarnation === ev.incarnation) this.restart(node);
        return;
      }
    }
  }

  /** Hands the node's next Ready to "disk"; it completes after a short virtual delay. */
  private pump(node: SimNode): void {
    if (!node.up) return;
    if (node.outstanding) return this.early(node);
    if (!node.core.hasReady()) return;
    const rd = node.core.ready();
    node.outstanding = rd;
    const first = rd.entries[0];
    if (first) this.checker.checkWritten(node.id, rd.entries, node.core.log.term(first.index - 1));
    if (this.earlyOutput) {
      // RaftNode sends these before the write, and applies committed entries while it persists (not a snapshot's:
      // restored first).
      const role = node.core.status().role;
      node.late = [];
      for (const m of rd.messages) if (mayLeaveBeforeDurable(m, role)) this.send(m);
      else node.late.push(m);
      if (!rd.snapshot) this.applyCommitted(node, rd.committedEntries);
    } else node.late = rd.messages;
    const nodeIndex = this.nodes.indexOf(node);
    this.queue.push(this.now + this.rng.int(0, this.net.maxPersistDelay), { kind: 'persisted', node: nodeIndex, incarnation: node.incarnation });
  }

  /** The driver's order: persist, (maybe crash here), send, apply, advance. */
  private persisted(node: SimNode, incarnation: number): void {
    const rd = node.outstanding;
    if (!node.up || node.incarnation !== incarnation || !rd) return;
    node.storage.save(rd);
    if (this.chaos && this.rng.chance(this.net.crashAfterPersist)) {
      // Crash after the write but before the messages that wait for it leave; back a little later.
      this.crashFor(node, this.rng.int(1, 30));
      return;
    }
    for (const m of node.late) this.send(m);
    if (rd.snapshotWanted) this.snapshotLater(node);
    if (rd.snapshot) {
      node.sm.restore(rd.snapshot);
      for (let i = 1; i < node.sm.commands.length; i++) this.checker.checkApplied(node.id, i, node.sm.commands[i]!);
    }
    if (!this.earlyOutput || rd.snapshot) this.applyCommitted(node, rd.committedEntries);
    for (const rs of rd.readStates) this.checkRead(node, decoder.decode(rs.context), rs.index);
    node.outstanding = null;
    node.core.advance(rd);
    this.noteDurable(node);
    this.maybeSnapshot(node);
    this.pump(node);
  }

  /** While a Ready persists: what the core lets go before it is durable, as RaftNode sends and applies it. */
  private early(node: SimNode): void {
    if (!this.earlyOutput) return;
    const out = node.core.takeEarly();
    for (const m of out.messages) this.send(m);
    this.applyCommitted(node, out.committedEntries);
    this.stats.early += out.messages.length + out.committedEntries.length;
  }

  private applyCommitted(node: SimNode, entries: readonly Entry[]): void {
    for (const e of entries) {
      const command = commandOf(e);
      this.checker.checkApplied(node.id, e.index, command);
      node.sm.apply(e.index, command);
    }
    this.noteDurable(node);
  }

  /** The state machine writes what it applied only as far as the log is durable (kv-server's write-behind). */
  private noteDurable(node: SimNode): void {
    node.smDurable = Math.max(node.smDurable, Math.min(node.sm.appliedIndex, node.core.durableIndex()));
  }

  /** Compaction as the driver does it: up to what the state machine made durable; only the start moves. */
  private maybeSnapshot(node: SimNode): void {
    const applied = node.smDurable;
    if (applied - node.core.log.snapshotIndex < this.snapshotEvery) return;
    const meta = node.core.compact(applied);
    if (!meta) return;
    node.storage.compact(meta);
    this.stats.snapshots++;
  }

  /** The driver snapshots in the background: the offer comes some ticks later, or is lost (the core asks again). */
  private snapshotLater(node: SimNode): void {
    if (this.offers.chance(0.2)) return;
    const at = this.now + this.offers.int(0, 5 * TICK);
    this.queue.push(at, { kind: 'offer-snapshot', node: this.nodes.indexOf(node), incarnation: node.incarnation });
  }

  private offerSnapshot(node: SimNode): void {
    const applied = node.sm.appliedIndex;
    const term = node.core.log.term(applied);
    if (term === undefined) return;
    this.stats.offers++;
    node.core.offerSnapshot({ meta: { index: applied, term, config: { voters: this.ids } }, data: node.sm.snapshotData() });
    this.pump(node);
  }

  private send(m: RaftMessage): void {
    if (!this.connected(m.from, m.to) || this.rng.chance(this.net.drop)) return;
    const copies = this.rng.chance(this.net.duplicate) ? 2 : 1;
    for (let c = 0; c < copies; c++) this.queue.push(this.now + this.rng.int(1, this.net.maxDelay), { kind: 'deliver', msg: m });
  }

  private connected(a: NodeId, b: NodeId): boolean {
    return this.group[this.ids.indexOf(a)] === this.group[this.ids.indexOf(b)];
  }

  private crash(node: SimNode): void {
    node.up = false;
    node.incarnation++;
    node.outstanding = null;
    // The state machine's disk holds what it applied only as far as the log was durable.
    node.sm.rollBackTo(node.smDurable);
    this.stats.crashes++;
    // Losing what was not persisted must never lose a committed entry.
    this.checker.checkDurable(this.nodes.map((n) => n.storage));
    // The others' transports soon find nothing listening there (most of them: some never try).
    for (const other of this.nodes) if (other !== node && this.hints?.chance(0.8)) this.hintLater(other, node.id);
  }

  /** Delivers "`peer`'s process is gone" to `node` a little later, as a transport's failed dial would. */
  private hintLater(node: SimNode, peer: NodeId): void {
    const at = this.now + this.hints!.int(1, 3 * TICK);
    this.queue.push(at, { kind: 'unreachable', node: this.nodes.indexOf(node), peer });
  }

  /** Crashes a node and brings it back after `ticks`. */
  private crashFor(node: SimNode, ticks: number): void {
    this.crash(node);
    this.queue.push(this.now + ticks * TICK, { kind: 'restart', node: this.nodes.indexOf(node), incarnation: node.incarnation });
  }

  private restart(node: SimNode): void {
    // As RaftNode.open: an installed snapshot the state machine had not restored yet is restored first.
    const stored = node.storage.snapshot;
    if (stored && node.sm.appliedIndex < stored.meta.index) node.sm.restore(stored);
    node.up = true;
    node.core = this.buildCore(node);
    node.seenCommit = node.core.log.committed;
    node.wasLeaderInTerm = -1;
    this.pump(node);
  }

  private injectFault(): void {
    const r = this.rng.next();
    const up = this.nodes.filter((n) => n.up);
    const down = this.nodes.filter((n) => !n.up);
    if (r < 0.2 && up.length > 0) this.crash(this.rng.pick(up));
    else if (r < 0.45 && down.length > 0) this.restart(this.rng.pick(down));
    else if (r < 0.7) this.group = this.ids.map(() => this.rng.int(0, 2));
    else if (r < 0.85) this.group = this.ids.map(() => 0);
    else this.net = this.randomNetwork();
  }

  /** Faults end: a reliable network, every node up. A leader must now commit within the bound. */
  private heal(): void {
    this.chaos = false;
    this.group = this.ids.map(() => 0);
    this.net = { drop: 0, duplicate: 0, maxDelay: Math.min(this.net.maxDelay, 2 * TICK), crashAfterPersist: 0, maxPersistDelay: 2 };
    for (const node of this.nodes) if (!node.up) this.restart(node);
    this.livenessCommand = `live-${this.options.seed}`;
    // Long chaos can leave hundreds of uncommitted entries and nodes a snapshot behind; at worst each entry and each
    // snapshot chunk takes a round trip of its own. The bound grows with that backlog, so it flags stalls rather
    // than slow catch-ups (at 6,000 chaos ticks seeds 70005184, 70008209, 70013031 and 70020443 caught up in 331,
    // 248, 284 and 281 ticks).
    const last = Math.max(...this.nodes.map((n) => n.core.log.lastIndex()));
    const commit = Math.min(...this.nodes.map((n) => n.core.log.committed));
    const stateBytes = Math.max(...this.nodes.map((n) => n.sm.snapshotData().length));
    this.backlog = last - commit + Math.ceil(stateBytes / this.chunkBytes);
    this.end = this.now + ((this.options.livenessTicks ?? 200) + this.backlog * HEALED_ROUND_TRIP_TICKS) * TICK;
  }

  private client(): void {
    const up = this.nodes.filter((n) => n.up);
    if (up.length === 0) return;
    if (this.livenessCommand !== null) {
      // Proposals can be dropped with a leader change: retry until it is applied everywhere.
      const leader = up.find((n) => n.core.role === Role.Leader);
      if (leader && this.now - this.livenessProposedAt >= 20 * TICK && leader.core.propose(encode(this.livenessCommand))) {
        this.livenessProposedAt = this.now;
        this.pump(leader);
      }
      return;
    }
    const node = this.rng.pick(up);
    if (node.core.role === Role.Leader && this.rng.chance(0.05)) {
      node.core.transferLeadership(this.rng.pick(this.ids));
    } else if (this.rng.chance(0.7)) {
      node.core.propose(encode(`c${this.commandSeq++}`));
    } else {
      const context = `r${this.commandSeq++}`;
      // A read must see every write committed before it was asked for.
      this.pendingReads.set(context, this.checker.committedTerm.length - 1);
      node.core.readIndex(encode(context));
    }
    this.pump(node);
  }

  private checkRead(node: SimNode, context: string, index: number): void {
    const atLeast = this.pendingReads.get(context);
    if (atLeast === undefined) return;
    if (index < atLeast) this.checker.fail(`read ${context} on ${node.id} got index ${index} < commit ${atLeast} when asked`);
  }

  private checkAfterEvent(): void {
    for (const node of this.nodes) {
      if (!node.up) continue;
      const core = node.core;
      if (core.role === Role.Leader && node.wasLeaderInTerm !== core.term) {
        node.wasLeaderInTerm = core.term;
        this.stats.leaders++;
        this.checker.checkLeader(core);
        // New leaders that die young leave entries of many terms half-replicated (Figure 8).
        if (this.chaos && this.rng.chance(this.leaderCrash)) {
          const at = this.now + this.rng.int(1, 3 * TICK);
          this.queue.push(at, { kind: 'crash', node: this.nodes.indexOf(node), incarnation: node.incarnation });
        }
      }
      if (core.log.committed > node.seenCommit) {
        this.checker.checkCommitted(core, node.seenCommit, core.log.committed);
        node.seenCommit = core.log.committed;
      }
    }
  }

  private livenessDone(): boolean {
    const cmd = this.livenessCommand;
    return cmd !== null && this.nodes.every((n) => n.sm.commands.includes(cmd));
  }

  private finalChecks(): void {
    this.checker.checkDurable(this.nodes.map((n) => n.storage));
    if (!this.livenessDone()) {
      const roles = this.nodes.map((n) => `${n.id}:${n.core.role}/t${n.core.term}/c${n.core.log.committed}/a${n.sm.appliedIndex}`);
      const within = `${(this.end - this.chaosEnd) / TICK} ticks after healing (backlog ${this.backlog} round trips)`;
      this.checker.fail(`liveness: proposal not applied everywhere within ${within} [${roles.join(' ')}]`);
    }
  }
}

const encoder = new TextEncoder();
const encode = (s: string): Uint8Array => encoder.encode(s);
const decoder = new TextDecoder();

export function runSeed(options: SimOptions): SimResult {
  return new Simulation(options).run();
}
