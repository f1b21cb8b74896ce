import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryNetwork } from '@raftkv/cnet';
import type { FaultPlan, Logger, Message, MessageHandler, PeerStats, Transport } from '@raftkv/cnet';
import { EntryType, MessageType } from '../../src/core/messages.js';
import type { Entry, RaftMessage, Snapshot } from '../../src/core/messages.js';
import { decodeMessage } from '../../src/codec/message-codec.js';
import type { StateMachine } from '../../src/node-api.js';
import { NoLeaderError } from '../../src/node-api.js';
import { RaftNode, RAFT_MESSAGE_TYPE } from '../../src/node.js';
import type { RaftNodeOptions } from '../../src/driver/options.js';
import type { RaftStorage } from '../../src/storage/storage.js';
import type { MemoryRaftStorage } from '../../src/storage/memory-storage.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A tiny state machine: the list of applied commands. Its fields survive a node restart when the same
 * object is handed to the new node (as a durable store would), or start empty with a fresh one.
 */
export class ListStateMachine implements StateMachine {
  applied = 0;
  commands: string[] = [];
  restores = 0;

  appliedIndex(): number {
    return this.applied;
  }

  async apply(entries: Entry[]): Promise<void> {
    for (const e of entries) {
      if (e.index !== this.applied + 1) throw new Error(`applied ${e.index} after ${this.applied}`);
      if (e.type === EntryType.Normal && e.data.length > 0) this.commands.push(decoder.decode(e.data));
      this.applied = e.index;
    }
  }

  /** How many times the driver asked to make the state durable, and to encode it. */
  syncs = 0;
  snapshotsTaken = 0;

  /** Already durable: the object itself is what survives a restart. */
  async sync(): Promise<void> {
    this.syncs++;
  }

  async takeSnapshot(): Promise<Uint8Array> {
    this.snapshotsTaken++;
    return encoder.encode(JSON.stringify(this.commands));
  }

  async restoreSnapshot(snapshot: Snapshot): Promise<void> {
    this.commands = JSON.parse(decoder.decode(snapshot.data)) as string[];
    this.applied = snapshot.meta.index;
    this.restores++;
  }
}

/** Wraps a transport and counts outbound Raft messages by type (to observe batching). */
export class CountingTransport implements Transport {
  readonly sent = new Map<MessageType, number>();
  /** Sees each outbound Raft message as the node hands it over. */
  onRaftSend: ((msg: RaftMessage) => void) | null = null;

  constructor(private readonly inner: Transport) {}

  get id(): string {
    return this.inner.id;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(msg: Message): void {
    if (msg.type === RAFT_MESSAGE_TYPE) {
      const decoded = decodeMessage(msg.payload);
      this.sent.set(decoded.type, (this.sent.get(decoded.type) ?? 0) + 1);
      this.onRaftSend?.(decoded);
    }
    this.inner.send(msg);
  }

  onMessage(handler: MessageHandler): void {
    this.inner.onMessage(handler);
  }

  /** What the node asked to hear when a peer's process is gone; a test calls it as the transport would. */
  peerUnreachable: (peerId: string) => void = () => {};

  onPeerUnreachable(handler: (peerId: string) => void): void {
    this.peerUnreachable = handler;
    this.inner.onPeerUnreachable?.(handler);
  }

  setFaultPlan(plan: FaultPlan | null): void {
    this.inner.setFaultPlan(plan);
  }

  stats(): Record<string, PeerStats> {
    return this.inner.stats();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Records log lines so a test can assert on what a node reported. */
export class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; obj: object | string; msg: string | undefined }> = [];
  debug(obj: object | string, msg?: string): void {
    this.lines.push({ level: 'debug', obj, msg });
  }
  info(obj: object | string, msg?: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object | string, msg?: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: object | string, msg?: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface MemberSlot {
  id: string;
  dataDir: string;
  stateMachine: ListStateMachine;
  node: RaftNode | null;
  transport: CountingTransport | null;
  logger: RecordingLogger;
}

/** A cluster of RaftNodes over one MemoryNetwork, each with a level data dir; nodes can stop and restart. */
export class TestCluster {
  readonly network = new MemoryNetwork();
  readonly members = new Map<string, MemberSlot>();
  private root = '';

  constructor(
    readonly ids: string[],
    private readonly options: Partial<RaftNodeOptions> = {},
  ) {}

  /** `own`: a storage or state machine of the test's for some nodes (others get a level store in a temp dir and a list). */
  static async start(
    ids: string[],
    options: Partial<RaftNodeOptions> = {},
    own: Record<string, { storage?: RaftStorage; stateMachine?: ListStateMachine }> = {},
  ): Promise<TestCluster> {
    const cluster = new TestCluster(ids, options);
    cluster.root = await mkdtemp(join(tmpdir(), 'raft-node-'));
    for (const id of ids) {
      cluster.members.set(id, {
        id,
        dataDir: join(cluster.root, id),
        stateMachine: new ListStateMachine(),
        node: null,
        transport: null,
        logger: new RecordingLogger(),
      });
    }
    await Promise.all(ids.map((id) => cluster.startNode(id, own[id] ?? {})));
    return cluster;
  }

  slot(id: string): MemberSlot {
    const slot = this.members.get(id);
    if (!slot) throw new Error(`no member ${id}`);
    return slot;
  }

  node(id: string): RaftNode {
    const node = this.slot(id).node;
    if (!node) throw new Error(`${id} is not running`);
    return node;
  }

  running(): RaftNode[] {
    return [...this.members.values()].flatMap((s) => (s.node ? [s.node] : []));
  }

  async startNode(id: string, extra: { stateMachine?: ListStateMachine; storage?: RaftStorage } = {}): Promise<RaftNode> {
    const slot = this.slot(id);
    if (extra.stateMachine) slot.stateMachine = extra.stateMachine;
    slot.transport = new CountingTransport(this.network.join(id));
    const peers = Object.fromEntries(this.ids.map((peer) => [peer, `127.0.0.1:0`]));
    const storageOpt = extra.storage ? { storage: extra.storage } : { dataDir: slot.dataDir };
    slot.node = await RaftNode.open({
      heartbeatMs: 50,
      electionMs: 500,
      seed: this.ids.indexOf(id) + 1,
      ...this.options,
      ...storageOpt,
      id,
      clusterId: 'test-cluster',
      peers,
      transport: slot.transport,
      stateMachine: slot.stateMachine,
      logger: slot.logger,
    });
    return slot.node;
  }

  async stopNode(id: string): Promise<void> {
    const slot = this.slot(id);
    const node = slot.node;
    slot.node = null;
    await node?.stop();
  }

  /** The single leader the running nodes agree on (waits for one). */
  async leader(timeoutMs = 15000): Promise<RaftNode> {
    let found: RaftNode | undefined;
    await waitFor(
      () => {
        const nodes = this.running();
        const leaders = nodes.filter((n) => n.status().role === 'leader');
        const agreed = leaders.length === 1 && nodes.every((n) => n.status().leader === leaders[0]!.id);
        found = agreed ? leaders[0] : undefined;
        return agreed;
      },
      'a leader all running nodes agree on',
      timeoutMs,
    );
    return found!;
  }

  /**
   * Proposes through `via` and waits until `via` has applied it. A proposal forwarded to a leader that
   * lost its post is gone, so it is proposed again after a while (the command may then apply twice).
   */
  async write(via: RaftNode, command: string, timeoutMs = 15000): Promise<void> {
    const sm = this.stateMachineOf(via.id);
    const deadline = Date.now() + timeoutMs;
    while (!sm.commands.includes(command)) {
      if (Date.now() > deadline) throw new Error(`${command} not applied on ${via.id} within ${timeoutMs} ms`);
      try {
        via.propose(encoder.encode(command));
      } catch (err) {
        if (!(err instanceof NoLeaderError)) throw err;
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const retryAt = Math.min(deadline, Date.now() + 3000);
      while (!sm.commands.includes(command) && Date.now() < retryAt) await new Promise((r) => setTimeout(r, 5));
    }
  }

  stateMachineOf(id: string): ListStateMachine {
    return this.slot(id).stateMachine;
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.members.keys()].map((id) => this.stopNode(id)));
    await rm(this.root, { recursive: true, force: true });
  }
}

/** A one-member cluster on memory storage: it elects itself. */
export function openSolo(
  storage: MemoryRaftStorage,
  stateMachine: StateMachine,
  extra: Partial<RaftNodeOptions> = {},
): Promise<RaftNode> {
  return RaftNode.open({
    id: 'solo',
    clusterId: 'c1',
    peers: { solo: '127.0.0.1:0' },
    storage,
    transport: new MemoryNetwork().join('solo'),
    stateMachine,
    heartbeatMs: 20,
    electionMs: 200,
    ...extra,
  });
}
