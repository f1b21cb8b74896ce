import type { CoreConfig, PersistedState } from '../../src/core/api.js';
import { Raft } from '../../src/core/raft.js';
import {
  type Entry,
  EntryType,
  type HardState,
  MessageType,
  type NodeId,
  type RaftMessage,
  type ReadState,
  Role,
  type SnapshotMeta,
} from '../../src/core/messages.js';
import { emptyMessage } from '../../src/core/message-util.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A deterministic source in [0, 1) for election timeouts. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function entry(index: number, term: number, data = ''): Entry {
  return { index, term, type: EntryType.Normal, data: enc(data) };
}

export function msg(partial: Partial<RaftMessage> & { type: MessageType }): RaftMessage {
  return { ...emptyMessage(), from: 'n2', to: 'n1', ...partial };
}

export interface NodeOptions {
  id?: NodeId;
  voters?: NodeId[];
  term?: number;
  vote?: NodeId | null;
  commit?: number;
  /** Terms of log entries 1..n. */
  logTerms?: number[];
  snapshot?: SnapshotMeta | null;
  config?: Partial<CoreConfig>;
}

export function newRaft(o: NodeOptions = {}): Raft {
  const id = o.id ?? 'n1';
  const voters = o.voters ?? ['n1', 'n2', 'n3'];
  const base = o.snapshot?.index ?? 0;
  const persisted: PersistedState = {
    hardState: { term: o.term ?? 0, vote: o.vote ?? null, commit: o.commit ?? 0 },
    snapshot: o.snapshot ?? null,
    entries: (o.logTerms ?? []).map((t, i) => entry(base + i + 1, t)),
    applied: o.commit ?? 0,
  };
  return new Raft(
    { id, initialConfig: { voters }, electionTicks: 10, heartbeatTicks: 1, random: seededRandom(7), ...o.config },
    persisted,
  );
}

/** Takes the pending Ready's messages, persisting nothing (unit tests look at one node). */
export function drain(r: Raft): RaftMessage[] {
  const out: RaftMessage[] = [];
  while (r.hasReady()) {
    const rd = r.ready();
    out.push(...rd.messages);
    r.advance(rd);
  }
  return out;
}

/** The Appends among `msgs` addressed to `to`. */
export const appendsTo = (msgs: RaftMessage[], to: NodeId): RaftMessage[] => msgs.filter((m) => m.type === MessageType.Append && m.to === to);

/** A 3-node leader (n1) of term 2 whose followers both match its no-op at index 1, with nothing pending. */
export function replicatingLeader(): Raft {
  const r = newRaft({ term: 1 });
  makeLeader(r);
  for (const from of ['n2', 'n3']) r.step(msg({ type: MessageType.AppendResponse, from, term: 2, index: 1 }));
  drain(r);
  return r;
}

/** Makes `r` leader of its next term by granting it votes. */
export function makeLeader(r: Raft): void {
  r.campaign();
  if (r.role === Role.PreCandidate) {
    for (const v of r.voters) if (v !== r.id) r.step(msg({ type: MessageType.PreVoteResponse, from: v, to: r.id, term: r.term + 1 }));
  }
  for (const v of r.voters) if (v !== r.id) r.step(msg({ type: MessageType.VoteResponse, from: v, to: r.id, term: r.term }));
  if (r.role !== Role.Leader) throw new Error('makeLeader failed');
  drain(r);
}

/** What one node has made durable: exactly what a crash leaves (its state machine is durable as applied). */
export interface DurableState {
  hardState: HardState;
  /** Where the log starts. */
  snapshot: SnapshotMeta | null;
  entries: Entry[];
  applied: number;
}

interface SimNode {
  core: Raft;
  disk: DurableState;
  /** Applied commands in order, as the state machine would hold them. */
  applied: Entry[];
  readStates: ReadState[];
}

/**
 * An in-memory network of cores for scenario tests: synchronous delivery, links that can be cut,
 * a per-message filter, and crash/restart from exactly the durable state.
 */
export class Network {
  readonly nodes = new Map<NodeId, SimNode>();
  private inFlight: RaftMessage[] = [];
  private cut = new Set<string>();
  filter: (m: RaftMessage) => boolean = () => true;
  /** Answer Ready.snapshotWanted at once with the applied commands (as the driver does, later); off to watch a leader wait. */
  offerSnapshots = true;
  /** How many times each node asked for a snapshot. */
  readonly snapshotsWanted = new Map<NodeId, number>();
  private seed = 1;

  constructor(
    readonly ids: NodeId[],
    private readonly config: Partial<CoreConfig> = {},
  ) {
    for (const id of ids) {
      const disk: DurableState = { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], applied: 0 };
      this.nodes.set(id, { core: this.build(id, disk), disk, applied: [], readStates: [] });
    }
  }

  private build(id: NodeId, disk: DurableState): Raft {
    return new Raft(
      {
        id,
        initialConfig: { voters: this.ids },
        electionTicks: 10,
        heartbeatTicks: 1,
        random: seededRandom(this.seed++ * 7919),
        ...this.config,
      },
      structuredClone(disk),
    );
  }

  core(id: NodeId): Raft {
    return this.nodes.get(id)!.core;
  }

  /** Handles one node's Ready the way the driver does: persist, send, apply, advance. */
  private processReady(id: NodeId): boolean {
    const node = this.nodes.get(id)!;
    if (!node.core.hasReady()) return false;
    const rd = node.core.ready();
    if (rd.snapshot) {
      node.disk.snapshot = rd.snapshot.meta;
      node.disk.entries = [];
      node.applied = (JSON.parse(dec(rd.snapshot.data)) as string[]).map((c) => entry(0, 0, c));
      node.disk.applied = rd.snapshot.meta.index;
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0]!.index;
      node.disk.entries = node.disk.entries.filter((e) => e.index < first).concat(rd.entries);
    }
    if (rd.hardState) node.disk.hardState = { ...rd.hardState };
    for (const m of rd.messages) this.inFlight.push(m);
    for (const e of rd.committedEntries) node.applied.push(e);
    if (rd.committedEntries.length > 0) node.disk.applied = rd.committedEntries[rd.committedEntries.length - 1]!.index;
    node.readStates.push(...rd.readStates);
    node.core.advance(rd);
    if (rd.snapshotWanted) {
      this.snapshotsWanted.set(id, (this.snapshotsWanted.get(id) ?? 0) + 1);
      if (this.offerSnapshots) this.offerSnapshot(id);
    }
    return true;
  }

  /** Hands `id`'s core a snapshot of its applied commands (the answer to Ready.snapshotWanted). */
  offerSnapshot(id: NodeId): void {
    const core = this.core(id);
    const index = core.log.applied;
    const meta = { index, term: core.log.term(index)!, config: { voters: [...core.voters] } };
    core.offerSnapshot({ meta, data: enc(JSON.stringify(this.appliedCommands(id))) });
  }

  /** Runs until no node has work and no message is in flight. */
  settle(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      let busy = false;
      for (const id of this.ids) busy = this.processReady(id) || busy;
      const batch = this.inFlight;
      this.inFlight = [];
      for (const m of batch) {
        busy = true;
        if (this.cut.has(`${m.from}>${m.to}`) || !this.filter(m)) continue;
        this.nodes.get(m.to)?.core.step(m);
      }
      if (!busy) return;
    }
    throw new Error('network did not settle');
  }

  tick(ids: NodeId[] = this.ids, times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const id of ids) this.core(id).tick();
      this.settle();
    }
  }

  /** Ticks every node until `done` holds; fails after `limit` ticks. */
  tickUntil(done: () => boolean, limit = 500, ids: NodeId[] = this.ids): void {
    for (let i = 0; i < limit; i++) {
      if (done()) return;
      this.tick(ids);
    }
    if (!done()) throw new Error(`condition not reached within ${limit} ticks`);
  }

  isolate(id: NodeId): void {
    for (const other of this.ids) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  partition(...groups: NodeId[][]): void {
    this.heal();
    for (const g of groups) {
      for (const a of g) {
        for (const b of this.ids) {
          if (g.includes(b)) continue;
          this.cut.add(`${a}>${b}`);
          this.cut.add(`${b}>${a}`);
        }
      }
    }
  }

  heal(): void {
    this.cut.clear();
  }

  /** Crash and restart: everything not persisted is lost, messages in flight to it too. */
  restart(id: NodeId): void {
    const node = this.nodes.get(id)!;
    this.inFlight = this.inFlight.filter((m) => m.to !== id && m.from !== id);
    node.core = this.build(id, node.disk);
    node.applied = node.applied.filter((e) => e.index <= node.disk.applied);
  }

  /** Replaces a node's durable state and restarts it from there (to set up a schedule). */
  load(id: NodeId, disk: DurableState): void {
    this.nodes.get(id)!.disk = structuredClone(disk);
    this.restart(id);
  }

  /** The leader of the highest term, if any. */
  leader(): NodeId | null {
    let best: Raft | null = null;
    for (const { core } of this.nodes.values()) {
      if (core.role === Role.Leader && (!best || core.term > best.term)) best = core;
    }
    return best?.id ?? null;
  }

  leaders(): NodeId[] {
    return this.ids.filter((id) => this.core(id).role === Role.Leader);
  }

  electLeader(ids: NodeId[] = this.ids): NodeId {
    this.tickUntil(() => ids.some((id) => this.core(id).role === Role.Leader), 500, ids);
    return ids.find((id) => this.core(id).role === Role.Leader)!;
  }

  /** Normal commands applied by `id`, as strings. */
  appliedCommands(id: NodeId): string[] {
    return this.nodes
      .get(id)!
      .applied.filter((e) => e.data.byteLength > 0)
      .map((e) => dec(e.data));
  }

  readStates(id: NodeId): ReadState[] {
    return this.nodes.get(id)!.readStates;
  }

  /** Compacts `id`'s log up to its applied index (its state machine here is durable as applied). */
  compact(id: NodeId): void {
    const node = this.nodes.get(id)!;
    const meta = node.core.compact(node.core.status().appliedIndex);
    if (!meta) return;
    node.disk.snapshot = meta;
    node.disk.entries = node.disk.entries.filter((e) => e.index > meta.index);
  }
}
