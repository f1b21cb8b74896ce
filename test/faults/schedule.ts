/**
 * Fault schedules drawn from a seed: a sequence of episodes, each a fault that starts, holds, and is healed
 * before the next one. Pure: the same seed, kinds and durations always give the same schedule.
 */
import { shuffled, streamOf, type Rng } from './random.js';

export const FAULT_KINDS = [
  'kill', // SIGKILL a random node, restart it after the hold
  'kill-leader',
  'pause', // SIGSTOP a random node past the election timeout, then SIGCONT
  'pause-leader',
  'isolate-leader', // cut every link between the leader and the others
  'isolate-follower', // cut a follower off (the leader keeps its majority)
  'isolate-kill-leader', // cut the leader off, SIGKILL it halfway through, heal and restart it
  'split', // a random minority on one side, the majority on the other
  'bridge', // two sides that cannot talk, and one node that sees both
  'delay', // every message delayed past the election timeout
  'lossy', // every link drops, duplicates and reorders some messages
  'kill-all', // SIGKILL every node at once, restart them all after the hold
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultEpisode {
  /** ms after the workload starts. */
  at: number;
  kind: FaultKind;
  /** How long the fault holds before it is healed, ms. */
  holdMs: number;
  /** For node faults: the chosen node (leader faults resolve the leader when they run). */
  node?: string;
  /** For partitions: the sides; for a bridge, sides[2] is the single bridge node. */
  sides?: string[][];
}

export interface ScheduleOptions {
  seed: number;
  nodes: number;
  /** Workload length, ms; every episode is healed at least `tailMs` before it ends. */
  durationMs: number;
  kinds: readonly FaultKind[];
  electionMs: number;
  /** Quiet time before the first fault, ms (default 2000). */
  leadMs?: number;
  /** Quiet time at the end of the workload, ms (default 3000). */
  tailMs?: number;
  /** Take the kinds in a seeded order, each once before any repeats (short runs that must see every kind). */
  cycleKinds?: boolean;
}

export function isFaultKind(text: string): text is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(text);
}

export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

/** How long each kind holds: long enough to matter (past an election timeout), short enough to see many. */
function holdRange(kind: FaultKind, electionMs: number): [number, number] {
  switch (kind) {
    case 'pause':
    case 'pause-leader':
      return [2 * electionMs, 6 * electionMs];
    case 'kill-all':
      return [500, 3000];
    case 'delay':
    case 'lossy':
      return [4 * electionMs, 8 * electionMs];
    default:
      return [3 * electionMs, 10 * electionMs];
  }
}

export function drawSchedule(o: ScheduleOptions): FaultEpisode[] {
  if (o.kinds.length === 0) return [];
  const rng = streamOf(o.seed, 0x5eed);
  const names = nodeNames(o.nodes);
  const episodes: FaultEpisode[] = [];
  let at = o.leadMs ?? 2000;
  const end = o.durationMs - (o.tailMs ?? 3000);
  let cycle: FaultKind[] = [];
  for (;;) {
    if (o.cycleKinds && cycle.length === 0) cycle = shuffled(rng, o.kinds);
    const kind = o.cycleKinds ? cycle.shift()! : rng.pick(o.kinds);
    const [min, max] = holdRange(kind, o.electionMs);
    const holdMs = rng.int(min, max);
    if (at + holdMs > end) break;
    episodes.push({ at, kind, holdMs, ...targets(kind, names, rng) });
    at += holdMs + rng.int(1000, 3000);
  }
  return episodes;
}

function targets(kind: FaultKind, names: string[], rng: Rng): Pick<FaultEpisode, 'node' | 'sides'> {
  switch (kind) {
    case 'kill':
    case 'pause':
      return { node: rng.pick(names) };
    case 'split': {
      const order = shuffled(rng, names);
      const minority = rng.int(1, Math.floor((names.length - 1) / 2));
      return { sides: [order.slice(0, minority), order.slice(minority)] };
    }
    case 'bridge': {
      const [bridge, ...rest] = shuffled(rng, names);
      const half = Math.ceil(rest.length / 2);
      return { sides: [rest.slice(0, half), rest.slice(half), [bridge!]] };
    }
    default:
      return {};
  }
}

/** The pairs to cut (cnet cuts each pair both ways): every node of one side against every node of the other. */
export function cutsBetween(left: readonly string[], right: readonly string[]): Array<[string, string]> {
  return left.flatMap((a) => right.map((b): [string, string] => [a, b]));
}

export function describeEpisode(e: FaultEpisode): string {
  const when = `t+${(e.at / 1000).toFixed(1)}s`;
  const hold = `for ${(e.holdMs / 1000).toFixed(1)}s`;
  if (e.kind === 'bridge' && e.sides) return `${when} bridge: ${e.sides[0]!.join(',')} | ${e.sides[1]!.join(',')} via ${e.sides[2]![0]} ${hold}`;
  if (e.sides) return `${when} ${e.kind}: ${e.sides.map((s) => s.join(',')).join(' | ')} ${hold}`;
  return `${when} ${e.kind}${e.node ? ` ${e.node}` : ''} ${hold}`;
}
