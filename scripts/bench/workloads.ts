/** The benchmark's workload catalogue and `--only` selection. */

export type LoadKind = 'put' | 'range-linearizable' | 'range-serializable' | 'txn-cas';
/** `leader`: every client talks to the leader; `all`: requests rotate over every member. */
export type Target = 'leader' | 'all';

export interface LoadWorkload {
  name: string;
  kind: LoadKind;
  clients: number;
  target: Target;
}

export const PUT_CLIENTS = [1, 16, 64, 256];
export const READ_CLIENTS = [1, 64];

export const LOAD_WORKLOADS: LoadWorkload[] = [
  ...(['leader', 'all'] as const).flatMap((target) => PUT_CLIENTS.map((clients) => ({ name: `put-${clients}-${target}`, kind: 'put' as const, clients, target }))),
  ...(['range-linearizable', 'range-serializable'] as const).flatMap((kind) =>
    READ_CLIENTS.map((clients) => ({ name: `${kind}-${clients}`, kind, clients, target: 'all' as const })),
  ),
  { name: 'txn-cas-64', kind: 'txn-cas', clients: 64, target: 'all' },
];

/** Measured once per system after the load workloads: failover after SIGKILL of the leader, restart of a loaded node. */
export const SPECIAL_WORKLOADS = ['restart', 'failover'] as const;
export type SpecialWorkload = (typeof SPECIAL_WORKLOADS)[number];

export const ALL_WORKLOAD_NAMES: string[] = [...LOAD_WORKLOADS.map((w) => w.name), ...SPECIAL_WORKLOADS];

/**
 * The workloads named by `--only`, in catalogue order. A pattern matches a name exactly or as a dash-separated
 * prefix: `put` selects every put, `put-64` both put-64 targets, `range-serializable` both serializable reads.
 */
export function selectWorkloads(patterns: string[] | undefined): string[] {
  if (patterns === undefined) return [...ALL_WORKLOAD_NAMES];
  const chosen = new Set<string>();
  for (const pattern of patterns) {
    const matches = ALL_WORKLOAD_NAMES.filter((name) => name === pattern || name.startsWith(`${pattern}-`));
    if (matches.length === 0) throw new Error(`unknown workload "${pattern}"; workloads: ${ALL_WORKLOAD_NAMES.join(', ')}`);
    for (const m of matches) chosen.add(m);
  }
  return ALL_WORKLOAD_NAMES.filter((name) => chosen.has(name));
}
