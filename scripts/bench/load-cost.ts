/**
 * `npm run bench:load [-- --puts N --keys K --opens R]`: how long a restarting node takes to load its KV store (the
 * MVCC index, the dedup table and the leases, rebuilt from LevelDB), without the Raft log, the network or an
 * election. Builds a store of N puts to K random keys once, then opens it R times, each in a fresh process as a
 * restart would. Steadier than the benchmark's restart measurement; compare two builds in alternating runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { KvStateMachine } from '@raftkv/kv-server';
import { positiveInt } from './options.js';
import { PutEntries } from './put-entries.js';
import { median } from './stats.js';

interface OpenTiming {
  wallMs: number;
  cpuMs: number;
}

const program = new Command('load-cost')
  .description("time to open a node's KV store after a restart (256-byte values, 8-byte keys)")
  .option('--puts <n>', 'puts in the store', positiveInt, 400_000)
  .option('--keys <n>', 'distinct keys they go to', positiveInt, 100_000)
  .option('--opens <n>', 'opens timed, each in a fresh process', positiveInt, 5)
  .option('--open <dir>', 'time one open of the store in <dir> and print it as JSON (what each fresh process runs)')
  .parse();
const opts = program.opts<{ puts: number; keys: number; opens: number; open?: string }>();

async function timeOpen(dir: string): Promise<OpenTiming> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const sm = await KvStateMachine.open(join(dir, 'kv'));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await sm.close();
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

async function build(dir: string): Promise<void> {
  const sm = await KvStateMachine.open(join(dir, 'kv'));
  try {
    const putEntries = new PutEntries(opts.keys);
    // In slices, so the encoded entries of a large store are never all in memory at once.
    for (let left = opts.puts; left > 0; left -= 16_000)
      for (const entries of putEntries.batches(Math.min(left, 16_000), 16)) await sm.apply(entries);
    await sm.sync();
  } finally {
    await sm.close();
  }
}

function openInFreshProcess(dir: string): OpenTiming {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--open', dir], { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) throw new Error(`open failed (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as OpenTiming;
}

if (opts.open !== undefined) {
  process.stdout.write(`${JSON.stringify(await timeOpen(opts.open))}\n`);
} else {
  const dir = await mkdtemp(join(tmpdir(), 'raftkv-load-cost-'));
  try {
    await build(dir);
    const runs = Array.from({ length: opts.opens }, () => openInFreshProcess(dir));
    const walls = runs.map((r) => r.wallMs);
    process.stdout.write(
      `${opts.puts} puts to ${opts.keys} keys: open ${median(walls).toFixed(0)} ms at the median ` +
        `(${walls.map((ms) => ms.toFixed(0)).join(', ')}), CPU ${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms (all threads)\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
