/**
 * Runs a fault schedule against a live cluster: kills, pauses, partitions and delays, each healed after its hold.
 * Keeps a log of what it did and when a majority of nodes was up and connected (for the availability figure).
 */
import type { ClusterProcesses } from './cluster-processes.js';
import type { KvHttpClient } from './kv-http.js';
import { streamOf, type Rng } from './random.js';
import { cutsBetween, describeEpisode, type FaultEpisode } from './schedule.js';
import { abortableSleep } from './timing.js';

export interface NemesisLogEntry {
  time: number;
  text: string;
}

/** A span of time during which a majority of nodes was (or was not) up and able to talk. */
export interface MajoritySpan {
  from: number;
  to: number;
  majorityUp: boolean;
}

export class Nemesis {
  readonly log: NemesisLogEntry[] = [];
  readonly spans: MajoritySpan[] = [];
  private spanStart: number;
  private majorityUp = true;
  private readonly memberNames = new Map<string, string>(); // member id -> name
  private readonly rng: Rng;

  constructor(
    private readonly cluster: ClusterProcesses,
    private readonly admin: KvHttpClient,
    private readonly options: { seed: number; electionMs: number; clock: () => number; onLog?: (line: string) => void },
  ) {
    this.spanStart = options.clock();
    this.rng = streamOf(options.seed, 0x4e3e);
  }

  /** Runs every episode at its time (relative to `start`), healing each; stops early (healed) when aborted. */
  async run(schedule: readonly FaultEpisode[], start: number, signal: AbortSignal): Promise<void> {
    for (const episode of schedule) {
      const wait = start + episode.at - this.options.clock();
      if (!(await abortableSleep(wait, signal))) return;
      const injectedAt = this.options.clock();
      const heal = await this.inject(episode, signal);
      await abortableSleep(injectedAt + episode.holdMs - this.options.clock(), signal);
      await heal();
      if (signal.aborted) return;
    }
  }

  /** Resumes paused nodes, starts dead ones and clears every fault plan, until every node has accepted it. */
  async healAll(deadlineMs: number): Promise<void> {
    for (const node of this.cluster.nodes) {
      if (node.state === 'paused') this.cluster.resume(node.name);
      if (node.state === 'down') this.cluster.start(node.name);
    }
    await this.setPlanEverywhere(null, deadlineMs);
    this.markMajority(true);
  }

  /** Closes the last availability span. */
  finish(): void {
    this.markMajority(this.majorityUp, true);
  }

  private note(text: string): void {
    const entry = { time: this.options.clock(), text };
    this.log.push(entry);
    this.options.onLog?.(text);
  }

  private markMajority(up: boolean, force = false): void {
    if (up === this.majorityUp && !force) return;
    const now = this.options.clock();
    this.spans.push({ from: this.spanStart, to: now, majorityUp: this.majorityUp });
    this.spanStart = now;
    this.majorityUp = up;
  }

  /** Starts one episode's fault; returns what heals it. */
  private async inject(e: FaultEpisode, signal: AbortSignal): Promise<() => Promise<void>> {
    const names = this.cluster.nodes.map((n) => n.name);
    const majority = Math.floor(names.length / 2) + 1;
    switch (e.kind) {
      case 'kill':
      case 'kill-leader': {
        const node = e.kind === 'kill' ? e.node! : await this.leaderOrAny();
        this.note(`${describeEpisode(e)}: SIGKILL ${node}`);
        await this.cluster.kill(node);
        this.markMajority(names.length - 1 >= majority);
        return async () => {
          this.cluster.start(node);
          this.note(`restarted ${node}`);
          this.markMajority(true);
        };
      }
      case 'pause':
      case 'pause-leader': {
        const node = e.kind === 'pause' ? e.node! : await this.leaderOrAny();
        this.note(`${describeEpisode(e)}: SIGSTOP ${node}`);
        this.cluster.pause(node);
        this.markMajority(names.length - 1 >= majority);
        return async () => {
          this.cluster.resume(node);
          this.note(`SIGCONT ${node}`);
          this.markMajority(true);
        };
      }
      case 'kill-all': {
        this.note(`${describeEpisode(e)}: SIGKILL every node`);
        await Promise.all(names.map((n) => this.cluster.kill(n)));
        this.markMajority(false);
        return async () => {
          for (const n of names) this.cluster.start(n);
          this.note('restarted every node');
          this.markMajority(true);
        };
      }
      case 'isolate-leader':
      case 'isolate-follower': {
        const leader = await this.leaderOrAny();
        const node = e.kind === 'isolate-leader' ? leader : this.rng.pick(names.filter((n) => n !== leader));
        const rest = names.filter((n) => n !== node);
        return this.partition(e, `${node} alone (leader ${leader})`, cutsBetween([node], rest));
      }
      case 'isolate-kill-leader': {
        // The cut-off leader may hold entries the majority never saw; it restarts (from disk) into the healed network.
        const leader = await this.leaderOrAny();
        const healPartition = await this.partition(e, `${leader} alone (leader)`, cutsBetween([leader], names.filter((n) => n !== leader)));
        await abortableSleep(e.holdMs / 2, signal);
        this.note(`SIGKILL the isolated ${leader}`);
        await this.cluster.kill(leader);
        return async () => {
          await healPartition();
          this.cluster.start(leader);
          this.note(`restarted ${leader}`);
        };
      }
      case 'split':
        return this.partition(e, e.sides!.map((s) => s.join(',')).join(' | '), cutsBetween(e.sides![0]!, e.sides![1]!));
      case 'bridge':
        return this.partition(e, `${e.sides![0]!.join(',')} | ${e.sides![1]!.join(',')} via ${e.sides![2]![0]}`, cutsBetween(e.sides![0]!, e.sides![1]!));
      case 'delay': {
        const delayMs = Math.round(1.5 * this.options.electionMs);
        this.note(`${describeEpisode(e)}: every message delayed ${delayMs} ms (+ up to ${this.options.electionMs} ms jitter)`);
        await this.setPlanEverywhere({ seed: this.options.seed, default: { delayMs, jitterMs: this.options.electionMs } }, 10_000);
        this.markMajority(false);
        return async () => {
          await this.setPlanEverywhere(null, 20_000);
          this.note('delays cleared');
          this.markMajority(true);
        };
      }
      case 'lossy': {
        const link = { dropRate: 0.2, duplicateRate: 0.1, delayMs: 5, jitterMs: 100, reorder: true };
        this.note(`${describeEpisode(e)}: every link ${JSON.stringify(link)}`);
        await this.setPlanEverywhere({ seed: this.options.seed, default: link }, 10_000);
        return async () => {
          await this.setPlanEverywhere(null, 20_000);
          this.note('lossy links cleared');
        };
      }
    }
  }

  /** Every partition in the schedule leaves some majority connected (a bridge reaches both sides). */
  private async partition(e: FaultEpisode, what: string, cuts: Array<[string, string]>): Promise<() => Promise<void>> {
    this.note(`${describeEpisode(e)}: partition ${what}`);
    await this.setPlanEverywhere({ seed: this.options.seed, partitions: cuts }, 10_000);
    return async () => {
      await this.setPlanEverywhere(null, 20_000);
      this.note('partition healed');
      this.markMajority(true);
    };
  }

  /**
   * Sends the plan to every running node, retrying one that does not answer until the deadline (a node still
   * starting up has no client port yet). Nodes that are down start without a plan, which is what a heal wants.
   */
  private async setPlanEverywhere(plan: object | null, deadlineMs: number): Promise<void> {
    const deadline = this.options.clock() + deadlineMs;
    await Promise.all(
      this.cluster.nodes.map(async (node) => {
        for (;;) {
          if (node.state === 'down') return;
          try {
            await this.admin.setFaultPlan(node.clientUrl, plan);
            return;
          } catch (err) {
            if (this.options.clock() > deadline) {
              this.note(`could not set the fault plan on ${node.name}: ${(err as Error).message}`);
              return;
            }
            await abortableSleep(200);
          }
        }
      }),
    );
  }

  /** The node most running nodes name as leader (highest term wins ties); a random running node if none within 5 s. */
  async leaderOrAny(): Promise<string> {
    const leader = await this.findLeader(5000);
    if (leader !== undefined) return leader;
    const up = this.cluster.upNodes();
    const any = up.length > 0 ? this.rng.pick(up) : this.rng.pick(this.cluster.nodes.map((n) => n.name));
    this.note(`no leader known; chose ${any}`);
    return any;
  }

  async findLeader(timeoutMs: number): Promise<string | undefined> {
    const deadline = this.options.clock() + timeoutMs;
    while (this.options.clock() < deadline) {
      const statuses = await Promise.all(
        this.cluster.nodes
          .filter((n) => n.state === 'running')
          .map(async (n) => {
            const status = await this.admin.status(n.clientUrl).catch(() => undefined);
            if (status) this.memberNames.set(status.memberId, n.name);
            return status;
          }),
      );
      let best: { leader: string; term: number; votes: number } | undefined;
      for (const s of statuses) {
        if (s === undefined || s.leader === '0') continue;
        const votes = statuses.filter((o) => o?.leader === s.leader && o.term === s.term).length;
        if (!best || s.term > best.term || (s.term === best.term && votes > best.votes)) best = { leader: s.leader, term: s.term, votes };
      }
      const name = best && this.memberNames.get(best.leader);
      if (name !== undefined && this.cluster.node(name).state === 'running') return name;
      await abortableSleep(200);
    }
    return undefined;
  }
}
