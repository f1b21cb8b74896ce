/** A terminal-width timeline of the demo: scene, leader, elections, write latency and throughput per column (pure). */
import type { SecondSample } from './window-stats.js';

const BARS = '▁▂▃▄▅▆▇█';
const LABEL_WIDTH = 11;

/** Merges runs of `per` consecutive seconds into one column each. */
export function mergeColumns(samples: SecondSample[], per: number): SecondSample[] {
  const out: SecondSample[] = [];
  for (let i = 0; i < samples.length; i += per) {
    const group = samples.slice(i, i + per);
    const last = group[group.length - 1]!;
    const p99s = group.map((s) => s.p99).filter((v) => Number.isFinite(v));
    const merged: SecondSample = {
      scene: last.scene,
      elections: group.reduce((n, s) => n + s.elections, 0),
      acked: group.reduce((n, s) => n + s.acked, 0),
      failed: group.reduce((n, s) => n + s.failed, 0),
      p99: p99s.length === 0 ? NaN : Math.max(...p99s),
    };
    if (last.leader !== undefined) merged.leader = last.leader;
    out.push(merged);
  }
  return out;
}

/** One bar per value, scaled from `low` (▁) to `high` (█); NaN is a blank. */
export function sparkline(values: number[], low: number, high: number, scale: (v: number) => number = (v) => v): string {
  const lo = scale(low);
  const span = scale(high) - lo;
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      const level = span > 0 ? Math.round(((scale(Math.min(Math.max(v, low), high)) - lo) / span) * (BARS.length - 1)) : 0;
      return BARS[level]!;
    })
    .join('');
}

/** The short form of a node name in one column: its last character ("n2" → "2"). */
function leaderMark(name: string | undefined): string {
  return name === undefined ? '-' : name.slice(-1);
}

function row(label: string, cells: string): string {
  return `${label.padEnd(LABEL_WIDTH - 1)}│${cells}`;
}

/** The timeline's lines, none wider than `width` (≥ 40) columns. */
export function renderTimeline(samples: SecondSample[], width: number): string[] {
  const room = Math.max(1, width - LABEL_WIDTH);
  const per = Math.max(1, Math.ceil(samples.length / room));
  const cols = mergeColumns(samples, per);
  const latencies = cols.map((c) => c.p99).filter((v) => Number.isFinite(v));
  const low = latencies.length === 0 ? 1 : Math.max(1, Math.min(...latencies));
  const high = latencies.length === 0 ? 1 : Math.max(low, ...latencies);
  const rates = cols.map((c) => c.acked / per);
  const maxRate = Math.max(0, ...rates);
  const lines = [
    row('scene', cols.map((c) => (c.scene === 0 ? ' ' : String(c.scene % 10))).join('')),
    row('leader', cols.map((c) => leaderMark(c.leader)).join('')),
    row('elections', cols.map((c) => (c.elections === 0 ? ' ' : c.elections > 9 ? '#' : String(c.elections))).join('')),
    row('p99 write', sparkline(cols.map((c) => c.p99), low, high, Math.log)),
    row('writes/s', sparkline(rates, 0, maxRate)),
    row('failures', cols.map((c) => (c.failed === 0 ? ' ' : '!')).join('')),
  ];
  const unit = per === 1 ? 'one column = 1 s' : `one column = ${per} s`;
  const legend = `${unit}; leader: node number; p99 write ▁ ${Math.round(low)} ms … █ ${Math.round(high)} ms (log); writes/s ▁ 0 … █ ${Math.round(maxRate)}; failures: ! = a write failed or timed out`;
  return [...lines, ...wrap(legend, width)];
}

/** Breaks text at spaces into lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
