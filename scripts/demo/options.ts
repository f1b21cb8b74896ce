/** The demo's command line: scene timings and raft timings, checked so each scene can show what it claims. */
import { Command, CommanderError } from 'commander';

export interface DemoOptions {
  sceneSeconds: number;
  /** Scene 2: messages from the leader take delayMs ± jitterMs, below the election timeout. */
  delayMs: number;
  jitterMs: number;
  /** Scene 3: messages from the leader take this long, past the election timeout. */
  longDelayMs: number;
  heartbeatMs: number;
  electionMs: number;
  /** Concurrent writers (and readers) per node. */
  clientsPerNode: number;
  /** Cluster directory; a fresh temp dir when absent. */
  dir?: string;
  keep: boolean;
  /** Columns of the timeline; the terminal's width when absent. */
  width?: number;
  seed: number;
}

export class DemoArgError extends Error {}

function number(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min) throw new DemoArgError(`${flag} needs a number ≥ ${min}, got "${text}"`);
  return n;
}

function integer(text: string, flag: string, min: number): number {
  const n = number(text, flag, min);
  if (!Number.isInteger(n)) throw new DemoArgError(`${flag} needs an integer, got "${text}"`);
  return n;
}

/** Rejects timings under which a scene could not show its point (e.g. a "short" delay that triggers elections). */
export function checkDemoOptions(o: DemoOptions): void {
  if (o.heartbeatMs * 2 > o.electionMs)
    throw new DemoArgError(`--election-timeout (${o.electionMs}) must be at least twice --heartbeat-interval (${o.heartbeatMs})`);
  if (o.delayMs + o.jitterMs >= o.electionMs)
    throw new DemoArgError(`--delay-ms + --jitter-ms (${o.delayMs + o.jitterMs}) must stay below --election-timeout (${o.electionMs}): scene 2 shows a slow leader that keeps its place`);
  if (o.jitterMs > o.delayMs) throw new DemoArgError(`--jitter-ms (${o.jitterMs}) cannot exceed --delay-ms (${o.delayMs})`);
  if (o.longDelayMs <= o.electionMs)
    throw new DemoArgError(`--long-delay-ms (${o.longDelayMs}) must exceed --election-timeout (${o.electionMs}): scene 3 shows a leader replaced`);
}

/** Parsed and checked options, 'help' when help was printed; throws DemoArgError on bad input. */
export function parseDemoArgs(argv: string[], writeHelp: (text: string) => void = (t) => process.stdout.write(t)): DemoOptions | 'help' {
  const program = new Command('demo')
    .description('starts a 3-node raftkv cluster with fault injection and walks through delay, election and partition scenes')
    .option('--scene-seconds <s>', 'length of each scene', '8')
    .option('--delay-ms <ms>', 'scene 2: delay of every message from the leader', '300')
    .option('--jitter-ms <ms>', 'scene 2: the delay varies by ± this much', '50')
    .option('--long-delay-ms <ms>', 'scene 3: delay past the election timeout (past twice it, an election is certain)', '2500')
    .option('--heartbeat-interval <ms>', 'raft heartbeat interval', '100')
    .option('--election-timeout <ms>', 'raft election timeout', '1000')
    .option('--clients-per-node <n>', 'concurrent writers (and as many readers) per node', '2')
    .option('--dir <path>', 'cluster directory (default: a fresh temp directory)')
    .option('--keep', 'keep the cluster directory (data and logs) after the demo')
    .option('--width <columns>', 'width of the timeline (default: the terminal\'s)')
    .option('--seed <n>', 'seed of the fault plans\' jitter', '1')
    .exitOverride()
    .configureOutput({ writeOut: writeHelp, writeErr: () => undefined });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 'help';
      throw new DemoArgError(err.message.replace(/^error: /, ''));
    }
    throw err;
  }
  const f = program.opts<Record<string, string | boolean | undefined>>();
  const options: DemoOptions = {
    sceneSeconds: number(String(f.sceneSeconds), '--scene-seconds', 1),
    delayMs: number(String(f.delayMs), '--delay-ms', 0),
    jitterMs: number(String(f.jitterMs), '--jitter-ms', 0),
    longDelayMs: number(String(f.longDelayMs), '--long-delay-ms', 0),
    heartbeatMs: integer(String(f.heartbeatInterval), '--heartbeat-interval', 1),
    electionMs: integer(String(f.electionTimeout), '--election-timeout', 1),
    clientsPerNode: integer(String(f.clientsPerNode), '--clients-per-node', 1),
    keep: f.keep === true,
    seed: integer(String(f.seed), '--seed', 0),
  };
  if (typeof f.dir === 'string') options.dir = f.dir;
  if (typeof f.width === 'string') options.width = integer(f.width, '--width', 40);
  checkDemoOptions(options);
  return options;
}
