/**
 * `node scripts/dist/bench/profile-top.js <file> [--top N]`: the summary of a node --cpu-prof profile (.cpuprofile) or of
 * a heap-sampler.ts profile (.heapprofile), told apart by their shape.
 */
import fs from 'node:fs';
import { summarizeHeapProfile, type HeapProfile } from './heap-summary.js';
import { summarizeProfile, type CpuProfile } from './profile-summary.js';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const n = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
if (args.length !== 1 || !Number.isInteger(n) || n <= 0) {
  process.stderr.write('usage: node scripts/dist/bench/profile-top.js <file.cpuprofile|file.heapprofile> [--top N]\n');
  process.exitCode = 2;
} else {
  try {
    const profile = JSON.parse(fs.readFileSync(args[0]!, 'utf8')) as CpuProfile | HeapProfile;
    process.stdout.write(`${'head' in profile ? summarizeHeapProfile(profile, n) : summarizeProfile(profile, n)}\n`);
  } catch (err) {
    process.stderr.write(`profile-top: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
