/**
 * cnet vs raw node:net between two processes on loopback:
 * throughput for 100 B and 64 KiB messages, ping-pong round trips.
 * Run: npm run bench:cnet [-- --rounds 3 --quick]
 */
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { once } from 'node:events';
import { TcpTransport, type Message } from '../src/index.js';
import { BULK, PING, type ToChild, type ToParent } from './bench-protocol.js';
import { rawFrameReader, writeRawFrame, writeRawFrames } from './raw-framing.js';

interface Throughput {
  msgsPerSec: number;
  mbPerSec: number;
}
interface Latency {
  p50: number;
  p99: number;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const roundsArg = args.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : quick ? 1 : 3;
const SMALL = { size: 100, count: quick ? 100_000 : 1_000_000 };
const LARGE = { size: 64 * 1024, count: quick ? 2_000 : 20_000 };
const PINGS = quick ? 1_000 : 5_000;
const WARMUP_PINGS = 200;

/** The child process and a way to wait for its next message. */
class Child {
  private readonly proc: ChildProcess;
  private readonly inbox: ToParent[] = [];
  private waiter: (() => void) | null = null;

  constructor() {
    this.proc = fork(new URL('./bench-child.js', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (msg: ToParent) => {
      this.inbox.push(msg);
      this.waiter?.();
    });
  }

  tell(msg: ToChild): void {
    this.proc.send(msg);
  }

  async next<T extends ToParent['op']>(op: T): Promise<Extract<ToParent, { op: T }>> {
    for (;;) {
      const msg = this.inbox.shift();
      if (msg !== undefined) {
        if (msg.op !== op) throw new Error(`bench child said ${msg.op}, expected ${op}`);
        return msg as Extract<ToParent, { op: T }>;
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = null;
    }
  }

  async exit(): Promise<void> {
    const exited = once(this.proc, 'exit');
    this.tell({ op: 'exit' });
    await exited;
  }
}

async function timedBulk(child: Child, mode: 'cnet' | 'raw', size: number, count: number, pump: (payload: Buffer) => Promise<void>): Promise<Throughput> {
  child.tell({ op: 'expect', mode, count });
  await child.next('ok');
  const payload = Buffer.alloc(size, 0x61);
  const start = performance.now();
  const done = child.next('done');
  await pump(payload);
  await done;
  const seconds = (performance.now() - start) / 1000;
  return { msgsPerSec: count / seconds, mbPerSec: (count * size) / seconds / 1e6 };
}

async function pumpCnet(transport: TcpTransport, payload: Buffer, count: number): Promise<void> {
  const highWater = 8 << 20;
  const burst = Math.max(1, Math.floor((256 * 1024) / payload.length));
  for (let sent = 0; sent < count; ) {
    const n = Math.min(burst, count - sent);
    for (let i = 0; i < n; i++) transport.send({ from: 'parent', to: 'child', type: BULK, payload });
    sent += n;
    await transport.whenQueueBelow('child', highWater);
  }
}

async function pumpRaw(socket: net.Socket, payload: Buffer, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (!writeRawFrame(socket, BULK, payload)) await once(socket, 'drain');
  }
}

async function pumpRawBatched(socket: net.Socket, payload: Buffer, count: number): Promise<void> {
  const burst = Math.max(1, Math.floor((256 * 1024) / payload.length));
  for (let sent = 0; sent < count; ) {
    const n = Math.min(burst, count - sent);
    sent += n;
    if (!writeRawFrames(socket, BULK, payload, n)) await once(socket, 'drain');
  }
}

/** A function that sends one ping and resolves on its pong. */
type RoundTrip = () => Promise<void>;

function roundTripper(sendPing: (payload: Buffer) => void, onPong: (handler: () => void) => void): RoundTrip {
  const payload = Buffer.alloc(100, 0x70);
  let resolvePong: () => void = () => {};
  onPong(() => resolvePong());
  return () =>
    new Promise<void>((resolve) => {
      resolvePong = resolve;
      sendPing(payload);
    });
}

/** Pings over both transports alternately, so both see the same machine load at the same moments. */
async function interleavedPingPong(cnet: RoundTrip, raw: RoundTrip, count: number): Promise<{ cnet: Latency; raw: Latency }> {
  const rtts = { cnet: [] as number[], raw: [] as number[] };
  for (let i = 0; i < WARMUP_PINGS + count; i++) {
    for (const [side, roundTrip] of [['cnet', cnet], ['raw', raw]] as const) {
      const start = performance.now();
      await roundTrip();
      if (i >= WARMUP_PINGS) rtts[side].push((performance.now() - start) * 1000);
    }
  }
  const percentiles = (values: number[]): Latency => {
    values.sort((a, b) => a - b);
    return { p50: values[Math.floor(values.length * 0.5)]!, p99: values[Math.floor(values.length * 0.99)]! };
  };
  return { cnet: percentiles(rtts.cnet), raw: percentiles(rtts.raw) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const child = new Child();
  const ready = await child.next('ready');
  const transport = new TcpTransport({ id: 'parent', clusterId: 'bench', listen: '127.0.0.1:0', peers: { child: ready.cnetAddress }, maxQueueBytes: 256 << 20 });
  let onCnetPong: () => void = () => {};
  transport.onMessage((msg: Message) => {
    if (msg.type === PING) onCnetPong();
  });
  await transport.start();
  child.tell({ op: 'peer', address: transport.address });
  await child.next('ok');

  const raw = net.connect({ host: '127.0.0.1', port: ready.rawPort });
  raw.setNoDelay(true);
  await once(raw, 'connect');
  let onRawPong: () => void = () => {};
  raw.on('data', rawFrameReader((type) => type === PING && onRawPong()));

  const series = () => ({ small: [] as Throughput[], large: [] as Throughput[], rtt: [] as Latency[] });
  const results = { cnet: series(), raw: series(), batched: series() };
  const runners = {
    cnet: (size: number, count: number) => timedBulk(child, 'cnet', size, count, (p) => pumpCnet(transport, p, count)),
    raw: (size: number, count: number) => timedBulk(child, 'raw', size, count, (p) => pumpRaw(raw, p, count)),
    batched: (size: number, count: number) => timedBulk(child, 'raw', size, count, (p) => pumpRawBatched(raw, p, count)),
  };
  const cnetRoundTrip = roundTripper((p) => transport.send({ from: 'parent', to: 'child', type: PING, payload: p }), (h) => (onCnetPong = h));
  const rawRoundTrip = roundTripper((p) => writeRawFrame(raw, PING, p), (h) => (onRawPong = h));
  // Warm-up, not recorded: lets the JIT compile every path before anything is timed.
  for (const side of ['cnet', 'raw', 'batched'] as const) {
    await runners[side](SMALL.size, 50_000);
    await runners[side](LARGE.size, 500);
  }
  for (let round = 0; round < rounds; round++) {
    // Alternate who goes first, so neither side always inherits the other's garbage and warm caches.
    const order = round % 2 === 0 ? (['cnet', 'raw', 'batched'] as const) : (['batched', 'raw', 'cnet'] as const);
    for (const { size, count, key } of [{ ...SMALL, key: 'small' as const }, { ...LARGE, key: 'large' as const }]) {
      for (const side of order) results[side][key].push(await runners[side](size, count));
    }
    const latency = await interleavedPingPong(cnetRoundTrip, rawRoundTrip, PINGS);
    results.cnet.rtt.push(latency.cnet);
    results.raw.rtt.push(latency.raw);
  }
  const dropped = transport.stats().child!.messagesDropped;
  raw.destroy();
  await transport.close();
  await child.exit();

  const fmt = (v: number): string => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
  const throughputRow = (label: string, key: 'small' | 'large', pick: (t: Throughput) => number, unit: string): string => {
    const [c, r, b] = (['cnet', 'raw', 'batched'] as const).map((side) => median(results[side][key].map(pick)));
    return `| ${label} | ${fmt(c!)} ${unit} | ${fmt(r!)} ${unit} | ${(c! / r!).toFixed(2)} | ${fmt(b!)} ${unit} | ${(c! / b!).toFixed(2)} |`;
  };
  const latencyRow = (label: string, pick: (l: Latency) => number): string => {
    const [c, r] = (['cnet', 'raw'] as const).map((side) => median(results[side].rtt.map(pick)));
    return `| ${label} | ${fmt(c!)} µs | ${fmt(r!)} µs | ${(r! / c!).toFixed(2)} | | |`;
  };
  const lines = [
    `cnet benchmark: 2 processes on 127.0.0.1, node ${process.version}, ${os.cpus().length} CPUs, load average before run ${load}`,
    `rounds ${rounds} (median shown); ${SMALL.count} × ${SMALL.size} B, ${LARGE.count} × ${LARGE.size} B, ${PINGS} ping-pongs of 100 B (cnet and raw alternating); MB = 10^6 payload bytes`,
    '',
    '| measure | cnet | raw node:net | cnet vs raw | raw, batched by hand | cnet vs batched |',
    '|---|---|---|---|---|---|',
    throughputRow('100 B messages/s', 'small', (t) => t.msgsPerSec, 'msg/s'),
    throughputRow('100 B MB/s', 'small', (t) => t.mbPerSec, 'MB/s'),
    throughputRow('64 KiB messages/s', 'large', (t) => t.msgsPerSec, 'msg/s'),
    throughputRow('64 KiB MB/s', 'large', (t) => t.mbPerSec, 'MB/s'),
    latencyRow('ping-pong RTT p50', (l) => l.p50),
    latencyRow('ping-pong RTT p99', (l) => l.p99),
    '',
    `cnet vs raw: throughput cnet/raw, latency raw/cnet (1.00 = as fast as raw). Messages dropped by cnet: ${dropped}. Load average after run ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  ];
  console.log(lines.join('\n'));
}

await main();
