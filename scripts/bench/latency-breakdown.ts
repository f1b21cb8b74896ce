/** `node scripts/dist/bench/latency-breakdown.js <trace-n1.json> …`: where the traced nodes' requests waited (see latency-trace.ts). */
import fs from 'node:fs';
import { summarizeTraces, type NodeTrace } from './latency-summary.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node scripts/dist/bench/latency-breakdown.js <trace-n1.json> [trace-n2.json …]\n');
  process.exitCode = 2;
} else {
  try {
    const traces = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as NodeTrace);
    process.stdout.write(`${summarizeTraces(traces)}\n`);
  } catch (err) {
    process.stderr.write(`latency-breakdown: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
