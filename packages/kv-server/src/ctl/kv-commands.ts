/** put, get, del, txn and compaction: etcdctl's KV commands over the JSON API. */
import readline from 'node:readline';
import type { Command } from 'commander';
import type { KeyValue } from '../mvcc/types.js';
import { readAll, type CtlContext } from './context.js';
import { UsageError } from './exit-codes.js';
import { buildRangeRequest, parseCount, resolveKeyRange } from './key-range.js';
import { parseLeaseId } from './lease-command.js';
import { formatDelete, formatGet, formatPut, formatTxn } from './simple-output.js';
import { renderTable } from './table.js';
import { splitTxnScript, txnFromSections, type TxnSections } from './txn-parser.js';
import {
  decodeDeleteRange,
  decodePut,
  decodeRange,
  decodeTxn,
  encodeCompaction,
  encodeDeleteRange,
  encodePut,
  encodeRange,
  encodeTxn,
} from './wire.js';

export type ContextFactory = () => CtlContext;

function kvTable(kvs: KeyValue[]): string {
  const rows = kvs.map((kv) => [kv.key.toString('utf8'), kv.value.toString('utf8'), String(kv.createRevision), String(kv.modRevision), String(kv.version)]);
  return renderTable(['KEY', 'VALUE', 'CREATE REVISION', 'MOD REVISION', 'VERSION'], rows);
}

export function addKvCommands(program: Command, ctx: ContextFactory): void {
  program
    .command('put')
    .description('puts the given key into the store (value from stdin when omitted)')
    .argument('<key>')
    .argument('[value]')
    .option('--prev-kv', 'return the previous key-value pair before modification')
    .option('--lease <leaseID>', 'lease ID (in hexadecimal) to attach to the key')
    .action(async (key: string, value: string | undefined, opts: { prevKv?: boolean; lease?: string }) => {
      const c = ctx();
      const text = value ?? (await readAll(c.io.stdin));
      const req = { key: Buffer.from(key, 'utf8'), value: Buffer.from(text, 'utf8'), prevKv: opts.prevKv === true };
      const body = encodePut(req);
      // As a decimal string: etcd's lease ids go beyond 2^53.
      if (opts.lease !== undefined) body.lease = parseLeaseId(opts.lease);
      const raw = await c.client().call('/v3/kv/put', body);
      if (c.format === 'json') c.json(raw);
      else c.io.stdout(formatPut(decodePut(raw)));
    });

  program
    .command('get')
    .description('gets the key or a range of keys')
    .argument('<key>')
    .argument('[range_end]')
    .option('--prefix', 'get keys with matching prefix')
    .option('--from-key', 'get keys that are greater than or equal to the given key')
    .option('--rev <revision>', 'specify the kv revision')
    .option('--limit <n>', 'maximum number of results')
    .option('--keys-only', 'get only the keys')
    .option('--count-only', 'get only the count')
    .option('--print-value-only', 'only write values when using the "simple" output format')
    .option('--consistency <l|s>', 'linearizable (l) or serializable (s)', 'l')
    .option('--sort-by <target>', 'sort target: CREATE, KEY, MODIFY, VALUE or VERSION')
    .option('--order <order>', 'order of results: ASCEND or DESCEND')
    .action(async (key: string, rangeEnd: string | undefined, opts: Record<string, string | boolean | undefined>) => {
      const c = ctx();
      const req = buildRangeRequest(key, rangeEnd, {
        prefix: opts.prefix === true,
        fromKey: opts.fromKey === true,
        keysOnly: opts.keysOnly === true,
        countOnly: opts.countOnly === true,
        ...(typeof opts.rev === 'string' ? { rev: parseCount(opts.rev, '--rev') } : {}),
        ...(typeof opts.limit === 'string' ? { limit: parseCount(opts.limit, '--limit') } : {}),
        ...(typeof opts.sortBy === 'string' ? { sortBy: opts.sortBy } : {}),
        ...(typeof opts.order === 'string' ? { order: opts.order } : {}),
      });
      if (opts.consistency === 's') req.serializable = true;
      else if (opts.consistency !== 'l') throw new UsageError(`unknown consistency "${String(opts.consistency)}": use l (linearizable) or s (serializable)`);
      const raw = await c.client().call('/v3/kv/range', encodeRange(req));
      if (c.format === 'json') return c.json(raw);
      const resp = decodeRange(raw);
      if (c.format === 'table' && !req.countOnly) c.io.stdout(kvTable(resp.kvs));
      else c.io.stdout(formatGet(resp, req.countOnly === true, { valueOnly: opts.printValueOnly === true }));
    });

  program
    .command('del')
    .alias('delete')
    .description('removes the specified key or range of keys [key, range_end)')
    .argument('<key>')
    .argument('[range_end]')
    .option('--prefix', 'delete keys with matching prefix')
    .option('--from-key', 'delete keys that are greater than or equal to the given key')
    .option('--prev-kv', 'return deleted key-value pairs')
    .action(async (key: string, rangeEnd: string | undefined, opts: { prefix?: boolean; fromKey?: boolean; prevKv?: boolean }) => {
      const c = ctx();
      const range = resolveKeyRange(key, rangeEnd, { prefix: opts.prefix === true, fromKey: opts.fromKey === true });
      const raw = await c.client().call('/v3/kv/deleterange', encodeDeleteRange({ ...range, prevKv: opts.prevKv === true }));
      if (c.format === 'json') c.json(raw);
      else c.io.stdout(formatDelete(decodeDeleteRange(raw)));
    });

  program
    .command('txn')
    .description('runs a transaction read from stdin: compares, blank line, success ops, blank line, failure ops')
    .option('-i, --interactive', 'input the transaction with prompts')
    .action(async (opts: { interactive?: boolean }) => {
      const c = ctx();
      const sections = opts.interactive ? await readTxnInteractively(c) : splitTxnScript(await readAll(c.io.stdin));
      const raw = await c.client().call('/v3/kv/txn', encodeTxn(txnFromSections(sections)));
      if (c.format === 'json') c.json(raw);
      else c.io.stdout(formatTxn(decodeTxn(raw)));
    });

  program
    .command('compaction')
    .description('compacts the event history up to the given revision')
    .argument('<revision>')
    .option('--physical', 'wait for the compaction to physically remove old revisions')
    .action(async (revText: string, opts: { physical?: boolean }) => {
      const c = ctx();
      const revision = parseCount(revText, 'revision');
      if (revision === 0) throw new UsageError('revision must be positive');
      const raw = await c.client().call('/v3/kv/compaction', encodeCompaction({ revision, physical: opts.physical === true }));
      if (c.format === 'json') c.json(raw);
      else c.io.stdout(`compacted revision ${revision}\n`);
    });
}

const PROMPTS = ['compares:', 'success requests (get, put, del):', 'failure requests (get, put, del):'];

/** etcdctl's `txn -i`: a prompt before each section, each section ends at a blank line (or end of input). */
async function readTxnInteractively(c: CtlContext): Promise<TxnSections> {
  const rl = readline.createInterface({ input: c.io.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const sections: string[][] = [];
  try {
    for (const prompt of PROMPTS) {
      c.io.stdout(`${prompt}\n`);
      const section: string[] = [];
      for (let next = await lines.next(); !next.done && next.value.trim() !== ''; next = await lines.next()) section.push(next.value);
      sections.push(section);
      c.io.stdout('\n');
    }
  } finally {
    rl.close();
  }
  return { compares: sections[0]!, success: sections[1]!, failure: sections[2]! };
}
