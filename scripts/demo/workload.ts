/**
 * The demo's steady load: per node, writers putting unique keys (each once) and readers reading acknowledged keys back
 * linearizably. Every operation is recorded; a write counts as acknowledged only when the node answered success.
 */
import { EtcdJsonClient, EtcdRequestError } from '@raftkv/kv-server';
import type { OpRecord, Outcome } from './records.js';

export const KEY_PREFIX = 'demo/';
/** Readers pause between reads, leaving the (shared, small) machine to the writers being measured. */
const READ_PACE_MS = 20;

export interface WorkloadNode {
  name: string;
  clientUrl: string;
}

/** The key of the n-th write: zero-padded so keys sort in write order. */
export function demoKey(n: number): string {
  return `${KEY_PREFIX}${String(n).padStart(8, '0')}`;
}

/** Unique per write, and names the node that took it. */
export function demoValue(n: number, node: string): string {
  return `value-${n}-via-${node}`;
}

/** A failed operation: the node's own error, or the client giving up (the outcome is then unknown). */
export function classify(err: unknown): { outcome: Outcome; error: string } {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
  if (err instanceof EtcdRequestError) return { outcome: 'error', error: message };
  return { outcome: /no answer within|timed out/.test(message) ? 'timeout' : 'error', error: message };
}

export class Workload {
  readonly ops: OpRecord[] = [];
  /** Acknowledged writes: key → value. */
  readonly acked = new Map<string, string>();
  /** Writes that failed or timed out: they may or may not have been applied. */
  readonly indeterminate = new Map<string, { value: string; node: string }>();
  /** Reads of an acknowledged key that returned something else. */
  readonly readMismatches: string[] = [];
  private readonly ackedKeys: string[] = [];
  /** Operations sent and not answered yet, per node. */
  private readonly pending = new Map<string, number>();
  private readonly clients: EtcdJsonClient[] = [];
  private readonly loops: Promise<void>[] = [];
  private next = 0;
  private stopped = false;

  constructor(
    private readonly nodes: WorkloadNode[],
    private readonly clientsPerNode: number,
    private readonly opTimeoutMs: number,
    private readonly now: () => number,
  ) {}

  start(): void {
    for (const node of this.nodes)
      for (let i = 0; i < this.clientsPerNode; i++) {
        this.loops.push(this.writer(node, this.client(node)));
        this.loops.push(this.reader(node, this.client(node)));
      }
  }

  /** Operations sent to `node` that have not finished yet. */
  inFlight(node: string): number {
    return this.pending.get(node) ?? 0;
  }

  private track<T>(node: string, op: Promise<T>): Promise<T> {
    this.pending.set(node, this.inFlight(node) + 1);
    return op.finally(() => this.pending.set(node, this.inFlight(node) - 1));
  }

  /** Stops issuing operations and waits (bounded by the op timeout) for those in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    for (const c of this.clients) c.close();
  }

  /** One client per loop, talking to one node only: forwarding to the leader is the node's job. */
  private client(node: WorkloadNode): EtcdJsonClient {
    const client = new EtcdJsonClient({ endpoints: [node.clientUrl], commandTimeoutMs: this.opTimeoutMs, attemptTimeoutMs: this.opTimeoutMs });
    this.clients.push(client);
    return client;
  }

  private async writer(node: WorkloadNode, client: EtcdJsonClient): Promise<void> {
    while (!this.stopped) {
      const n = this.next++;
      const key = demoKey(n);
      const value = demoValue(n, node.name);
      const startMs = this.now();
      try {
        await this.track(node.name, client.put({ key: Buffer.from(key), value: Buffer.from(value) }));
        this.ops.push({ kind: 'write', node: node.name, key, startMs, endMs: this.now(), outcome: 'ok' });
        this.acked.set(key, value);
        this.ackedKeys.push(key);
      } catch (err) {
        this.ops.push({ kind: 'write', node: node.name, key, startMs, endMs: this.now(), ...classify(err) });
        this.indeterminate.set(key, { value, node: node.name });
        await pause(50);
      }
    }
  }

  private async reader(node: WorkloadNode, client: EtcdJsonClient): Promise<void> {
    while (!this.stopped) {
      if (this.ackedKeys.length === 0) {
        await pause(20);
        continue;
      }
      const key = this.ackedKeys[Math.floor(Math.random() * this.ackedKeys.length)]!;
      const startMs = this.now();
      try {
        const answer = await this.track(node.name, client.range({ key: Buffer.from(key) }));
        this.ops.push({ kind: 'read', node: node.name, startMs, endMs: this.now(), outcome: 'ok' });
        const got = answer.kvs[0]?.value.toString();
        if (got !== this.acked.get(key)) this.readMismatches.push(`${node.name} read ${key} as ${got ?? '(absent)'}, acknowledged ${this.acked.get(key)}`);
        await pause(READ_PACE_MS);
      } catch (err) {
        this.ops.push({ kind: 'read', node: node.name, startMs, endMs: this.now(), ...classify(err) });
        await pause(50);
      }
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
