/** The medians of several benchmark result files as Markdown: what `summarize.js` prints. */
import path from 'node:path';
import { medianModel, modelOf, pairedModel, renderModel, renderPaired, type StoredSystemResult } from './report.js';

/** The parts of a bench/results/*.json file the summary reads (files from older versions of the benchmark included). */
export interface ResultFile {
  startedAt: string;
  git?: { commit: string; dirty: boolean };
  machine: { cores: number; cpuModel: string; loadAverageBefore: number[]; loadAverageAfter?: number[]; fdatasync?: { latencyMs: { p50: number } } };
  versions: { etcd?: string };
  results: StoredSystemResult[];
}

const loads = (l: number[] | undefined): string => (l ? l.map((x) => x.toFixed(2)).join(' ') : '?');

/**
 * One line per run (file name, commit, load averages), then the tables of medians; with two or more runs of both
 * systems, also each run's raftkv/etcd ratio summarized (a shared machine drifts between runs, less within one).
 */
export function summarizeRuns(runs: Array<{ file: string; run: ResultFile }>): string {
  const lines = [`Medians of ${runs.length} run(s):`, ''];
  for (const { file, run: r } of runs) {
    const commit = r.git ? `${r.git.commit.slice(0, 10)}${r.git.dirty ? ' (dirty)' : ''}` : 'unknown commit';
    const sync = r.machine.fdatasync ? `, fdatasync p50 ${r.machine.fdatasync.latencyMs.p50.toFixed(2)} ms` : '';
    lines.push(`- ${path.basename(file)}: ${commit}, ${r.machine.cores} cores, load average ${loads(r.machine.loadAverageBefore)} before, ${loads(r.machine.loadAverageAfter)} after${sync}`);
  }
  const models = runs.map(({ run }) => modelOf(run.results));
  lines.push('', renderModel(medianModel(models), 'markdown'));
  const paired = pairedModel(models);
  if (paired.loads.some((r) => r.p99.length >= 2) || paired.others.some((r) => r.ratios.length >= 2))
    lines.push('Run by run, raftkv/etcd: the median of the runs\' ratios (lowest-highest), and in how many runs raftkv did as well or better:', '', renderPaired(paired));
  return `${lines.join('\n')}\n`;
}
