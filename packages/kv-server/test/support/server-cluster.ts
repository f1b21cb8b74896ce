import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../../src/config/flags.js';
import type { ServerConfig } from '../../src/config/server-config.js';
import { startServer, type ServerHandle, type StartServerOptions } from '../../src/server.js';
import { freeLoopbackPorts } from '@raftkv/cnet';

/** Waits for `probe` to return a value (not undefined), polling; fails after `ms`. */
export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 20000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  const text = await res.text();
  return { status: res.status, json: text.trim() === '' ? undefined : JSON.parse(text.split('\n')[0]!) };
}

export interface TestCluster {
  nodes: ServerHandle[];
  dir: string;
  leader(): ServerHandle;
  followers(): ServerHandle[];
  close(): Promise<void>;
}

/** `size` raftkv nodes in this process on free loopback ports; resolves once all know one leader. */
export async function startCluster(size: number, options: StartServerOptions & { electionTimeoutMs?: number } = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'raftkv-watch-lease-'));
  const names = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const free = await freeLoopbackPorts(2 * size);
  const ports = names.map((_, i) => ({ client: free[2 * i]!, peer: free[2 * i + 1]! }));
  const initialCluster = names.map((n, i) => `${n}=http://127.0.0.1:${ports[i]!.peer}`).join(',');
  const clients = names.map((n, i) => `${n}=http://127.0.0.1:${ports[i]!.client}`).join(',');
  const configs = names.map(
    (name, i) =>
      parseFlags([
        '--name', name,
        '--data-dir', join(dir, name),
        '--listen-client-urls', `http://127.0.0.1:${ports[i]!.client}`,
        '--advertise-client-urls', `http://127.0.0.1:${ports[i]!.client}`,
        '--listen-peer-urls', `http://127.0.0.1:${ports[i]!.peer}`,
        '--initial-advertise-peer-urls', `http://127.0.0.1:${ports[i]!.peer}`,
        '--initial-cluster', initialCluster,
        '--initial-cluster-client-urls', clients,
        '--initial-cluster-token', 'watch-lease-test',
        '--heartbeat-interval', '50',
        '--election-timeout', String(options.electionTimeoutMs ?? 500),
      ]) as ServerConfig,
  );
  const nodes = await Promise.all(configs.map((c) => startServer(c, options)));
  const live = () => nodes.filter((n) => !stopped.has(n));
  const stopped = new Set<ServerHandle>();
  const cluster: TestCluster = {
    nodes,
    dir,
    leader: () => live().find((n) => n.raft.status().leader === n.config.name)!,
    followers: () => live().filter((n) => n.raft.status().leader !== n.config.name),
    async close() {
      await Promise.all(nodes.map((n) => n.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  const close = nodes.map((n) => n.close);
  nodes.forEach((n, i) => {
    (n as { close: () => Promise<void> }).close = () => (stopped.add(n), close[i]!());
  });
  await until(() => {
    const leaders = new Set(live().map((n) => n.raft.status().leader));
    return leaders.size === 1 && !leaders.has(null) && cluster.leader() !== undefined ? true : undefined;
  }, 'one leader known to every node');
  return cluster;
}

/** A streamed answer (watch, keepalive) read line by line as JSON. */
export class JsonLineStream {
  readonly messages: any[] = [];
  private buffered = '';
  private ended = false;
  private failure: unknown;

  private constructor(
    private readonly abort: AbortController,
    readonly status: number,
    body: ReadableStream<Uint8Array>,
  ) {
    void this.pump(body);
  }

  static async open(url: string, path: string, body: unknown): Promise<JsonLineStream> {
    const abort = new AbortController();
    const res = await fetch(url + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), signal: abort.signal });
    return new JsonLineStream(abort, res.status, res.body!);
  }

  /** Resolves with the messages once `count` have arrived. */
  async take(count: number, what = `${count} messages`, ms = 20000): Promise<any[]> {
    await until(() => {
      if (this.messages.length >= count) return true;
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) throw new Error(`stream ended after ${this.messages.length} messages, waiting for ${what}`);
      return undefined;
    }, what, ms);
    return this.messages.slice(0, count);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        this.buffered += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = this.buffered.indexOf('\n')) >= 0) {
          const line = this.buffered.slice(0, nl).trim();
          this.buffered = this.buffered.slice(nl + 1);
          if (line !== '') this.messages.push(JSON.parse(line));
        }
      }
      if (this.buffered.trim() !== '') this.messages.push(JSON.parse(this.buffered));
    } catch (err) {
      if (!this.abort.signal.aborted) this.failure = err;
    } finally {
      this.ended = true;
    }
  }
}

export const b64 = (s: string) => Buffer.from(s).toString('base64');
export const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString();
