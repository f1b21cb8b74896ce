/**
 * Builds cnet FaultPlans from `raftkv-ctl fault …` arguments. Pure: member names and the seed come in.
 * A plan replaces the node's previous one, so each command describes the whole wanted state.
 */
import type { FaultPlan, LinkFaults } from '@raftkv/cnet';
import { UsageError } from './exit-codes.js';

/** Which directed links a fault applies to; absent sides mean every member. */
export interface LinkSelection {
  from?: string[];
  to?: string[];
}

export type FaultSpec =
  | ({ kind: 'delay'; delayMs: number; jitterMs?: number; reorder?: boolean } & LinkSelection)
  | ({ kind: 'drop'; rate: number } & LinkSelection)
  | ({ kind: 'duplicate'; rate: number } & LinkSelection)
  /** Cut every link between `group` and the other members. */
  | { kind: 'partition-from-rest'; group: string[] }
  /** Cut every link among the named members (two or more). */
  | { kind: 'partition-between'; nodes: string[] }
  | { kind: 'heal' };

function checkKnown(names: string[], members: string[], what: string): void {
  for (const name of names)
    if (!members.includes(name)) throw new UsageError(`unknown member "${name}" in ${what}; members: ${members.join(', ')}`);
}

function checkRate(rate: number): void {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new UsageError(`rate must be between 0 and 1, got ${rate}`);
}

function checkMs(ms: number, what: string): void {
  if (!Number.isFinite(ms) || ms < 0) throw new UsageError(`${what} must be a non-negative number of ms, got ${ms}`);
}

function linkFaults(spec: FaultSpec): LinkFaults {
  switch (spec.kind) {
    case 'delay': {
      checkMs(spec.delayMs, '--ms');
      const faults: LinkFaults = { delayMs: spec.delayMs };
      if (spec.jitterMs !== undefined && spec.jitterMs !== 0) {
        checkMs(spec.jitterMs, '--jitter');
        faults.jitterMs = spec.jitterMs;
      }
      if (spec.reorder) faults.reorder = true;
      return faults;
    }
    case 'drop':
      checkRate(spec.rate);
      return { dropRate: spec.rate };
    case 'duplicate':
      checkRate(spec.rate);
      return { duplicateRate: spec.rate };
    default:
      throw new Error(`not a link fault: ${spec.kind}`);
  }
}

/** Every unordered pair [a, b] with a in `left`, b in `right`, a ≠ b, each pair once. */
function pairs(left: string[], right: string[]): Array<[string, string]> {
  const seen = new Set<string>();
  const out: Array<[string, string]> = [];
  for (const a of left)
    for (const b of right) {
      const key = [a, b].sort().join('\u0000');
      if (a === b || seen.has(key)) continue;
      seen.add(key);
      out.push([a, b]);
    }
  return out;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

export function buildFaultPlan(spec: FaultSpec, members: string[], seed: number): FaultPlan {
  if (!Number.isInteger(seed)) throw new UsageError(`seed must be an integer, got ${seed}`);
  switch (spec.kind) {
    case 'heal':
      return { seed };
    case 'partition-from-rest': {
      const group = unique(spec.group);
      if (group.length === 0) throw new UsageError('partition needs at least one member to cut off');
      checkKnown(group, members, 'partition');
      const rest = members.filter((m) => !group.includes(m));
      if (rest.length === 0) throw new UsageError('partition --from-rest needs at least one member outside the group');
      return { seed, partitions: pairs(group, rest) };
    }
    case 'partition-between': {
      const nodes = unique(spec.nodes);
      if (nodes.length < 2) throw new UsageError('partition --between needs two or more members, e.g. --between n1,n2');
      checkKnown(nodes, members, 'partition --between');
      return { seed, partitions: pairs(nodes, nodes) };
    }
    default: {
      const faults = linkFaults(spec);
      if (spec.from === undefined && spec.to === undefined) return { seed, default: faults };
      const from = unique(spec.from ?? members);
      const to = unique(spec.to ?? members);
      checkKnown(from, members, '--from');
      checkKnown(to, members, '--to');
      const links: Record<string, LinkFaults> = {};
      for (const f of from) for (const t of to) if (f !== t) links[`${f}->${t}`] = { ...faults };
      if (Object.keys(links).length === 0) throw new UsageError('the selection names no link between two different members');
      return { seed, links };
    }
  }
}

/** Splits "n1,n2" and repeated flags into names, dropping blanks. */
export function parseNameList(values: string | string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const list = (Array.isArray(values) ? values : [values]).flatMap((v) => v.split(',')).map((v) => v.trim());
  return list.filter((v) => v !== '');
}
