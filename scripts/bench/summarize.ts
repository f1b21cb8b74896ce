/**
 * `node scripts/dist/bench/summarize.js <result.json>…`: the medians of several benchmark runs as Markdown tables
 * (each number is the median of that number over the runs), with the runs' commits and load averages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { medianModel, modelOf, renderModel } from './report.js';
import type { SystemResult } from './system-run.js';

interface ResultFile {
  startedAt: string;
  git?: { commit: string; dirty: boolean };
  machine: { cores: number; cpuModel: string; loadAverageBefore: number[]; loadAverageAfter?: number[]; fdatasync?: { latencyMs: { p50: number } } };
  versions: { etcd?: string };
  results: SystemResult[];
}

const loads = (l: number[] | undefined): string => (l ? l.map((x) => x.toFixed(2)).join(' ') : '?');

function main(files: string[]): number {
  if (files.length === 0) {
    process.stderr.write('usage: node scripts/dist/bench/summarize.js <bench/results/….json>…\n');
    return 2;
  }
  let runs: ResultFile[];
  try {
    runs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as ResultFile);
  } catch (err) {
    process.stderr.write(`summarize: ${(err as Error).message}\n`);
    return 1;
  }
  const lines = [`Medians of ${runs.length} run(s):`, ''];
  runs.forEach((r, i) => {
    const commit = r.git ? `${r.git.commit.slice(0, 10)}${r.git.dirty ? ' (dirty)' : ''}` : 'unknown commit';
    const sync = r.machine.fdatasync ? `, fdatasync p50 ${r.machine.fdatasync.latencyMs.p50.toFixed(2)} ms` : '';
    lines.push(`- ${path.basename(files[i]!)}: ${commit}, ${r.machine.cores} cores, load average ${loads(r.machine.loadAverageBefore)} before, ${loads(r.machine.loadAverageAfter)} after${sync}`);
  });
  lines.push('', renderModel(medianModel(runs.map((r) => modelOf(r.results))), 'markdown'));
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
