/** Polls every node's status in the background: who leads at which term, and each node's own view and indexes. */
import type { NodeStatus } from '../cluster/cluster-status.js';
import type { LeaderObservation } from './records.js';

export interface NodeView {
  name: string;
  /** The leader this node knows (name), undefined when none or when it did not answer. */
  leader?: string;
  term: number;
  raftIndex: number;
  appliedIndex: number;
  answered: boolean;
}

/** Member id → name, from the statuses' headers. */
export function memberNames(statuses: NodeStatus[]): Map<string, string> {
  return new Map(statuses.filter((s) => s.status).map((s) => [s.status!.header.memberId, s.node.name]));
}

export function nodeViews(statuses: NodeStatus[], names: Map<string, string>): NodeView[] {
  return statuses.map((s) => {
    if (!s.status) return { name: s.node.name, term: 0, raftIndex: 0, appliedIndex: 0, answered: false };
    const view: NodeView = {
      name: s.node.name,
      term: Number(s.status.raftTerm),
      raftIndex: Number(s.status.raftIndex),
      appliedIndex: Number(s.status.raftAppliedIndex),
      answered: true,
    };
    const leader = s.status.leader === '0' ? undefined : names.get(s.status.leader);
    if (leader !== undefined) view.leader = leader;
    return view;
  });
}

/** The leader at the highest term any node knows a leader for (a cut-off old leader may still think it leads). */
export function observe(atMs: number, views: NodeView[]): LeaderObservation {
  const withLeader = views.filter((v) => v.leader !== undefined).sort((a, b) => b.term - a.term);
  const top = withLeader[0];
  const term = Math.max(0, ...views.map((v) => v.term));
  return top ? { atMs, leader: top.leader!, term: top.term } : { atMs, term };
}

export class StatusMonitor {
  readonly observations: LeaderObservation[] = [];
  latest: NodeView[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly query: () => Promise<NodeStatus[]>,
    private readonly names: Map<string, string>,
    private readonly now: () => number,
    private readonly intervalMs: number,
  ) {}

  /** One round now: the views of every node. */
  async poll(): Promise<NodeView[]> {
    const views = nodeViews(await this.query(), this.names);
    this.latest = views;
    this.observations.push(observe(this.now(), views));
    return views;
  }

  start(): void {
    const loop = (): void => {
      this.running = this.poll().then(
        () => undefined,
        () => undefined,
      );
      void this.running.then(() => {
        if (this.timer !== undefined) this.timer = setTimeout(loop, this.intervalMs);
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The last observation with a known leader. */
  current(): LeaderObservation | undefined {
    for (let i = this.observations.length - 1; i >= 0; i--) if (this.observations[i]!.leader !== undefined) return this.observations[i];
    return undefined;
  }
}
