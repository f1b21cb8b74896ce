/**
 * `npm run bench:apply [-- --puts N --batch B]`: the CPU time one node spends applying a put (what a follower does
 * for every entry: decode the command, update the MVCC store and dedup table, queue the level writes), measured in
 * one process on a fresh store, without the network or the Raft log. Steadier than the cluster benchmark on a shared
 * machine, so it shows what a change to the apply path buys; compare two builds in alternating runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { KvStateMachine } from '@raftkv/kv-server';
import { positiveInt } from './options.js';
import { PutEntries } from './put-entries.js';

const program = new Command('apply-cost')
  .description('CPU time per applied put in the KV state machine (8-byte keys of 100,000, 256-byte values)')
  .option('--puts <n>', 'puts measured, after as many again unmeasured', positiveInt, 100_000)
  .option('--batch <n>', 'entries per apply call (a Ready of the leader held about 14 at 64 clients)', positiveInt, 16)
  .parse();
const { puts, batch } = program.opts<{ puts: number; batch: number }>();
const putEntries = new PutEntries(100_000);

const dir = await mkdtemp(join(tmpdir(), 'raftkv-apply-cost-'));
const sm = await KvStateMachine.open(join(dir, 'kv'));
try {
  for (const entries of putEntries.batches(puts, batch)) await sm.apply(entries); // warm-up: JIT and a store that already has keys
  const measured = putEntries.batches(puts, batch);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const entries of measured) await sm.apply(entries);
  await sm.sync();
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  const applied = measured.length * batch;
  process.stdout.write(
    `${applied} puts in batches of ${batch}: ${((used.user + used.system) / applied).toFixed(1)} µs CPU per put ` +
      `(all threads, including the level writes), ${((wallMs * 1000) / applied).toFixed(1)} µs wall\n`,
  );
} finally {
  await sm.close();
  await rm(dir, { recursive: true, force: true });
}
