import type { Raft } from '../core/raft.js';
import type { Entry, NodeId } from '../core/messages.js';
import type { SimStorage } from './sim-storage.js';

const decoder = new TextDecoder();
export const commandOf = (e: Entry): string => decoder.decode(e.data);

/**
 * The safety properties of Raft (§5.4, Figure 3), checked as the simulation runs. Each check is
 * incremental (it looks at what just changed), so it can run after every event.
 */
export class InvariantChecker {
  readonly violations: string[] = [];
  private leaderOfTerm = new Map<number, NodeId>();
  /** Every (index, term) ever written to a log: its command and the term of the entry before it. */
  private written = new Map<string, { command: string; prevTerm: number }>();
  /** The committed history as observed so far: term and command per index (index 0 unused). */
  readonly committedTerm: number[] = [0];
  private readonly committedCommand: string[] = [''];
  /** The command applied at each index by any node. */
  private appliedCommand: string[] = [''];

  constructor(private readonly now: () => number) {}

  fail(message: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.now()} ${message}`);
  }

  /** Election safety: at most one leader per term. */
  checkLeader(core: Raft): void {
    const known = this.leaderOfTerm.get(core.term);
    if (known === undefined) {
      this.leaderOfTerm.set(core.term, core.id);
      this.checkLeaderCompleteness(core);
    } else if (known !== core.id) {
      this.fail(`election safety: ${known} and ${core.id} both lead term ${core.term}`);
    }
  }

  /** Leader completeness: a new leader's log holds every entry committed so far. */
  private checkLeaderCompleteness(core: Raft): void {
    const log = core.log;
    for (let i = log.firstIndex(); i < this.committedTerm.length; i++) {
      if (log.term(i) !== this.committedTerm[i]) {
        this.fail(`leader completeness: ${core.id} leads term ${core.term} without committed entry ${i}`);
        return;
      }
    }
  }

  /** Log matching, inductively: an (index, term) always has the same command and predecessor term. */
  checkWritten(id: NodeId, entries: Entry[], prevTermOfFirst: number | undefined): void {
    let prevTerm = prevTermOfFirst;
    for (const e of entries) {
      const key = `${e.index}:${e.term}`;
      const command = commandOf(e);
      const seen = this.written.get(key);
      if (prevTerm !== undefined && e.term < prevTerm) this.fail(`log order: ${id} has term ${e.term} at ${e.index} after term ${prevTerm}`);
      if (!seen) this.written.set(key, { command, prevTerm: prevTerm ?? -1 });
      else if (seen.command !== command || (prevTerm !== undefined && seen.prevTerm !== -1 && seen.prevTerm !== prevTerm)) {
        this.fail(`log matching: ${id} holds a different entry ${key}`);
      }
      prevTerm = e.term;
    }
  }

  /** A node's commit index moved from `from` to `to`: those entries join the committed history. */
  checkCommitted(core: Raft, from: number, to: number): void {
    for (let i = from + 1; i <= to; i++) {
      const term = core.log.term(i);
      if (term === undefined || i <= core.log.snapshotIndex) continue;
      const command = commandOf(core.log.slice(i, i + 1)[0]!);
      if (i < this.committedTerm.length) {
        if (this.committedTerm[i] !== term || this.committedCommand[i] !== command) {
          this.fail(`committed entry changed: ${core.id} commits ${i}:${term} over ${i}:${this.committedTerm[i]}`);
        }
      } else if (i === this.committedTerm.length) {
        this.committedTerm.push(term);
        this.committedCommand.push(command);
      }
    }
  }

  /** State-machine safety: no two nodes apply different commands at one index. */
  checkApplied(id: NodeId, index: number, command: string): void {
    if (index < this.appliedCommand.length) {
      if (this.appliedCommand[index] !== command) this.fail(`state machine safety: ${id} applies a different command at ${index}`);
    } else if (index === this.appliedCommand.length) {
      this.appliedCommand.push(command);
    } else {
      this.fail(`state machine safety: ${id} applies ${index} with a gap (known up to ${this.appliedCommand.length - 1})`);
    }
  }

  /** No committed entry is ever lost: each is durable on a majority. */
  checkDurable(storages: SimStorage[]): void {
    const quorum = Math.floor(storages.length / 2) + 1;
    for (let i = 1; i < this.committedTerm.length; i++) {
      const holders = storages.filter((s) => s.holds(i, this.committedTerm[i]!)).length;
      if (holders < quorum) {
        this.fail(`committed entry ${i} is durable on only ${holders} of ${storages.length} nodes`);
        return;
      }
    }
  }
}
