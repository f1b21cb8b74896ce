import { withFaultPlan, type FaultInjector } from './fault-injector.js';
import type { FaultPlan } from './faults.js';
import { frameSize } from './frame.js';
import { silentLogger } from './logger.js';
import { emptyPeerStats } from './peer-stats.js';
import type { Logger, Message, MessageHandler, PeerStats, Transport } from './transport.js';

export interface MemoryTransportOptions {
  logger?: Logger;
  faultPlan?: FaultPlan | null;
}

/**
 * A hub connecting MemoryTransports in one process. Delivery is asynchronous
 * (a later turn of the event loop) and ordered per link, like one TCP connection.
 */
export class MemoryNetwork {
  private readonly members = new Map<string, MemoryTransport>();
  private readonly inFlight: Message[] = [];
  private deliveryScheduled = false;
  private plan: FaultPlan | null = null;

  /** Creates the transport of node `id` on this network; it receives once started. */
  join(id: string, options: MemoryTransportOptions = {}): MemoryTransport {
    return new MemoryTransport(this, id, options);
  }

  /** Sets the same fault plan on every member, including those that start later (so partitions cut both ways). */
  setFaultPlan(plan: FaultPlan | null): void {
    this.plan = plan;
    for (const member of this.members.values()) member.setFaultPlan(plan);
  }

  /** @internal */
  attach(member: MemoryTransport): void {
    if (this.members.has(member.id)) throw new Error(`node ${member.id} is already on this network`);
    this.members.set(member.id, member);
    if (this.plan !== null) member.setFaultPlan(this.plan);
  }

  /** @internal */
  detach(member: MemoryTransport): void {
    if (this.members.get(member.id) === member) this.members.delete(member.id);
  }

  /** @internal False when nobody by that id is listening. */
  isReachable(id: string): boolean {
    return this.members.has(id);
  }

  /** @internal */
  transmit(msg: Message): void {
    this.inFlight.push(msg);
    if (!this.deliveryScheduled) {
      this.deliveryScheduled = true;
      setImmediate(this.deliverAll);
    }
  }

  private readonly deliverAll = (): void => {
    this.deliveryScheduled = false;
    const batch = this.inFlight.splice(0);
    // A member that left while a message was in flight simply never gets it.
    for (const msg of batch) this.members.get(msg.to)?.receive(msg);
  };
}

/** The Transport interface inside one process, for tests and simulations with many nodes. */
export class MemoryTransport implements Transport {
  private readonly logger: Logger;
  private readonly peerStats = new Map<string, PeerStats>();
  private handler: MessageHandler = () => {};
  private faults: FaultInjector | null = null;
  private state: 'new' | 'started' | 'closed' = 'new';

  constructor(
    private readonly network: MemoryNetwork,
    readonly id: string,
    options: MemoryTransportOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    if (options.faultPlan) this.setFaultPlan(options.faultPlan);
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`MemoryTransport ${this.id} cannot start: it is ${this.state}`);
    this.network.attach(this);
    this.state = 'started';
  }

  send(msg: Message): void {
    if (typeof msg?.to !== 'string' || !(msg.payload instanceof Uint8Array) || !Number.isInteger(msg.type) || msg.type < 0 || msg.type > 255) {
      this.logger.warn({ to: msg?.to, type: msg?.type }, 'cnet: dropping malformed message');
      return;
    }
    // Copied, as a socket would: later changes to the sender's buffer must not reach the receiver.
    const copy: Message = { from: this.id, to: msg.to, type: msg.type, payload: Uint8Array.prototype.slice.call(msg.payload) };
    if (this.faults !== null) this.faults.route(copy);
    else this.transmit(copy);
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  setFaultPlan(plan: FaultPlan | null): void {
    this.faults = withFaultPlan(this.faults, plan, (msg) => this.transmit(msg), (msg) => this.countDrop(msg));
  }


  stats(): Record<string, PeerStats> {
    const out: Record<string, PeerStats> = {};
    for (const [peerId, stats] of this.peerStats) {
      out[peerId] = { ...stats, connected: this.state === 'started' && this.network.isReachable(peerId) };
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.faults?.close();
    this.faults = null;
    this.network.detach(this);
    this.state = 'closed';
  }

  /** @internal Called by the network. */
  receive(msg: Message): void {
    if (this.state !== 'started') return;
    const stats = this.statsFor(msg.from);
    if (this.faults !== null && this.faults.isCut(msg.from, this.id)) {
      this.countDrop(msg, stats);
      return;
    }
    stats.messagesReceived++;
    stats.bytesReceived += frameSize(msg.payload.byteLength);
    try {
      this.handler(msg);
    } catch (err) {
      this.logger.error({ peer: msg.from, err: String(err) }, 'cnet: message handler threw');
    }
  }

  private transmit(msg: Message): void {
    const stats = this.statsFor(msg.to);
    if (this.state !== 'started' || !this.network.isReachable(msg.to)) {
      this.countDrop(msg, stats);
      return;
    }
    stats.messagesSent++;
    stats.bytesSent += frameSize(msg.payload.byteLength);
    this.network.transmit(msg);
  }

  private countDrop(msg: Message, stats = this.statsFor(msg.to)): void {
    stats.messagesDropped++;
    stats.bytesDropped += frameSize(msg.payload.byteLength);
  }

  private statsFor(peerId: string): PeerStats {
    let stats = this.peerStats.get(peerId);
    if (stats === undefined) {
      stats = emptyPeerStats();
      this.peerStats.set(peerId, stats);
    }
    return stats;
  }
}
