/** What every raftkv-ctl command gets: its streams, the output format and a client built from the global flags. */
import { EtcdJsonClient } from './etcd-json-client.js';
import { UsageError } from './exit-codes.js';
import { parseGoDuration } from '../config/duration.js';

export interface CtlIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whole standard input (for `put <key>` without value and `txn`). */
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
}

export type OutputFormat = 'simple' | 'json' | 'table';

export interface GlobalFlags {
  endpoints: string;
  writeOut: string;
  commandTimeout: string;
  dialTimeout: string;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:2379';

/** --endpoints default: RAFTKV_ENDPOINTS, else ETCDCTL_ENDPOINTS, else the local default. */
export function defaultEndpoints(env: Record<string, string | undefined>): string {
  return env.RAFTKV_ENDPOINTS || env.ETCDCTL_ENDPOINTS || DEFAULT_ENDPOINT;
}

/** Go-style durations as etcdctl takes them: "5s", "500ms", "1m"; a bare number is seconds. */
export function parseDuration(text: string, flag: string): number {
  const ms = parseGoDuration(text, 1000);
  if (ms === null) throw new UsageError(`invalid duration "${text}" for ${flag}: use a positive duration, e.g. 5s or 500ms`);
  return ms;
}

export class CtlContext {
  readonly format: OutputFormat;
  readonly endpoints: string[];
  private readonly commandTimeoutMs: number;
  private readonly attemptTimeoutMs: number;
  private made: EtcdJsonClient | undefined;

  constructor(
    readonly io: CtlIo,
    flags: GlobalFlags,
  ) {
    if (flags.writeOut !== 'simple' && flags.writeOut !== 'json' && flags.writeOut !== 'table')
      throw new UsageError(`unsupported output format "${flags.writeOut}": use simple, json or table`);
    this.format = flags.writeOut;
    this.endpoints = flags.endpoints.split(',').map((e) => e.trim()).filter((e) => e !== '');
    if (this.endpoints.length === 0) throw new UsageError('--endpoints needs at least one endpoint');
    this.commandTimeoutMs = parseDuration(flags.commandTimeout, '--command-timeout');
    this.attemptTimeoutMs = parseDuration(flags.dialTimeout, '--dial-timeout');
  }

  client(): EtcdJsonClient {
    if (!this.made) {
      try {
        this.made = new EtcdJsonClient({
          endpoints: this.endpoints,
          commandTimeoutMs: this.commandTimeoutMs,
          attemptTimeoutMs: this.attemptTimeoutMs,
        });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    return this.made;
  }

  /** Prints an API answer as JSON, one line, as the server sent it. */
  json(value: unknown): void {
    this.io.stdout(`${JSON.stringify(value)}\n`);
  }

  close(): void {
    this.made?.close();
  }
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
