/** raftkv-ctl watch: etcdctl's watch over the JSON gateway's streamed POST /v3/watch. */
import type { Command } from 'commander';
import type { CtlContext } from './context.js';
import { EtcdRequestError, NoEndpointReachableError } from './etcd-json-client.js';
import { parseCount, resolveKeyRange } from './key-range.js';
import { b64, type WireObject } from './wire.js';

type ContextFactory = () => CtlContext;

const text = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : '', 'base64').toString('utf8');

/** etcdctl's simple watch output: the event type, then (with --prev-kv) the previous pair, then the pair. */
export function formatWatchEvent(event: WireObject, withPrevKv: boolean): string {
  const kv = (event.kv ?? {}) as WireObject;
  const prev = event.prev_kv as WireObject | undefined;
  let out = `${typeof event.type === 'string' ? event.type : 'PUT'}\n`;
  if (withPrevKv && prev !== undefined) out += `${text(prev.key)}\n${text(prev.value)}\n`;
  return `${out}${text(kv.key)}\n${text(kv.value)}\n`;
}

export function addWatchCommand(program: Command, ctx: ContextFactory): void {
  program
    .command('watch')
    .description('watches events on a key or range of keys, printing each as it happens')
    .argument('<key>')
    .argument('[range_end]')
    .option('--prefix', 'watch on a prefix')
    .option('--rev <revision>', 'revision to start watching from')
    .option('--prev-kv', 'get the previous key-value pair before the event happens')
    .option('--max-events <n>', 'exit after this many events (default: watch until interrupted)')
    .action(async (key: string, rangeEnd: string | undefined, opts: { prefix?: boolean; rev?: string; prevKv?: boolean; maxEvents?: string }) => {
      const c = ctx();
      const range = resolveKeyRange(key, rangeEnd, { prefix: opts.prefix === true });
      const create: WireObject = { key: b64(range.key) };
      if (range.rangeEnd !== undefined) create.range_end = b64(range.rangeEnd);
      if (opts.rev !== undefined) create.start_revision = parseCount(opts.rev, '--rev');
      if (opts.prevKv) create.prev_kv = true;
      const maxEvents = opts.maxEvents === undefined ? Infinity : parseCount(opts.maxEvents, '--max-events');
      const body = await openWatch(c.endpoints, JSON.stringify({ create_request: create }));
      let seen = 0;
      for await (const message of jsonLines(body.stream)) {
        const result = (message.result ?? {}) as WireObject;
        if (result.compact_revision !== undefined) {
          const reason = `watch was canceled (etcdserver: mvcc: required revision has been compacted; compacted at ${String(result.compact_revision)})`;
          throw new EtcdRequestError(body.endpoint, 200, 11, reason);
        }
        for (const event of (result.events as WireObject[] | undefined) ?? []) {
          c.io.stdout(c.format === 'json' ? `${JSON.stringify(event)}\n` : formatWatchEvent(event, opts.prevKv === true));
          if (++seen >= maxEvents) return;
        }
      }
    });
}

/** Opens the stream at the first endpoint that answers; an error answer is thrown as the server gave it. */
async function openWatch(endpoints: string[], request: string): Promise<{ endpoint: string; stream: ReadableStream<Uint8Array> }> {
  const failures: string[] = [];
  for (const endpoint of endpoints) {
    const base = (/^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`).replace(/\/$/, '');
    let res: Response;
    try {
      res = await fetch(`${base}/v3/watch`, { method: 'POST', body: request });
    } catch (err) {
      failures.push(`${endpoint}: ${(err as Error).message}`);
      continue;
    }
    if (res.status !== 200) {
      const answer = (await res.json().catch(() => ({}))) as WireObject;
      throw new EtcdRequestError(endpoint, res.status, Number(answer.code ?? 2), String(answer.error ?? `HTTP ${res.status}`));
    }
    return { endpoint, stream: res.body! };
  }
  throw new NoEndpointReachableError(failures);
}

async function* jsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<WireObject> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    const parts = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = parts.pop()!;
    for (const p of parts) if (p.trim() !== '') yield JSON.parse(p) as WireObject;
  }
}
