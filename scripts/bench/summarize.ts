/**
 * `node scripts/dist/bench/summarize.js <result.json>…`: the medians of several benchmark runs as Markdown tables
 * (each number is the median of that number over the runs), with the runs' commits and load averages.
 */
import fs from 'node:fs';
import { summarizeRuns, type ResultFile } from './run-summary.js';

function main(files: string[]): number {
  if (files.length === 0) {
    process.stderr.write('usage: node scripts/dist/bench/summarize.js <bench/results/….json>…\n');
    return 2;
  }
  let runs: Array<{ file: string; run: ResultFile }>;
  try {
    runs = files.map((file) => ({ file, run: JSON.parse(fs.readFileSync(file, 'utf8')) as ResultFile }));
  } catch (err) {
    process.stderr.write(`summarize: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(summarizeRuns(runs));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
