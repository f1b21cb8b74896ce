/** The medians of several benchmark result files as Markdown: what `summarize.js` prints. */
import path from 'node:path';
import { medianModel, modelOf, renderModel, type StoredSystemResult } from './report.js';

/** The parts of a bench/results/*.json file the summary reads (files from older versions of the benchmark included). */
export interface ResultFile {
  startedAt: string;
  git?: { commit: string; dirty: boolean };
  machine: { cores: number; cpuModel: string; loadAverageBefore: number[]; loadAverageAfter?: number[]; fdatasync?: { latencyMs: { p50: number } } };
  versions: { etcd?: string };
  results: StoredSystemResult[];
}

const loads = (l: number[] | undefined): string => (l ? l.map((x) => x.toFixed(2)).join(' ') : '?');

/** One line per run (file name, commit, load averages), then the tables of medians. */
export function summarizeRuns(runs: Array<{ file: string; run: ResultFile }>): string {
  const lines = [`Medians of ${runs.length} run(s):`, ''];
  for (const { file, run: r } of runs) {
    const commit = r.git ? `${r.git.commit.slice(0, 10)}${r.git.dirty ? ' (dirty)' : ''}` : 'unknown commit';
    const sync = r.machine.fdatasync ? `, fdatasync p50 ${r.machine.fdatasync.latencyMs.p50.toFixed(2)} ms` : '';
    lines.push(`- ${path.basename(file)}: ${commit}, ${r.machine.cores} cores, load average ${loads(r.machine.loadAverageBefore)} before, ${loads(r.machine.loadAverageAfter)} after${sync}`);
  }
  lines.push('', renderModel(medianModel(runs.map(({ run }) => modelOf(run.results))), 'markdown'));
  return `${lines.join('\n')}\n`;
}
