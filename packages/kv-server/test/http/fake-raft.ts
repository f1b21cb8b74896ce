import { EventEmitter } from 'node:events';
import { NoLeaderError, Role, type RaftHandle, type RaftNodeEvents, type RaftStatus } from '@raftkv/raft';

/**
 * A single-node stand-in for RaftNode: a proposal is "committed" on the next macrotask and handed to `apply`.
 * Tests can take the leader away, drop proposals, or count how often a proposal was handed in.
 */
export class FakeRaft implements RaftHandle {
  readonly id: string;
  private readonly emitter = new EventEmitter();
  private leader: string | null;
  private term = 1;
  private index = 0;
  dropProposals = false;
  /** Delay before a proposal commits; retries that arrive meanwhile reach the log as duplicates. */
  commitDelayMs = 0;
  proposals = 0;
  readIndexCalls = 0;
  stopped = false;

  constructor(
    private readonly apply: (data: Uint8Array, index: number) => Promise<void> | void,
    id = 'n1',
  ) {
    this.id = id;
    this.leader = id;
  }

  propose(data: Uint8Array): void {
    if (this.leader === null) throw new NoLeaderError();
    this.proposals++;
    if (this.dropProposals) return;
    const index = ++this.index;
    const commit = () => void this.apply(data, index);
    if (this.commitDelayMs > 0) setTimeout(commit, this.commitDelayMs);
    else setImmediate(commit);
  }

  async readIndex(): Promise<number> {
    this.readIndexCalls++;
    if (this.leader === null) throw new NoLeaderError();
    return this.index;
  }

  async transferLeadership(): Promise<boolean> {
    return false;
  }

  status(): RaftStatus {
    return {
      id: this.id,
      role: this.leader === this.id ? Role.Leader : Role.Follower,
      term: this.term,
      leader: this.leader,
      commitIndex: this.index,
      appliedIndex: this.index,
      firstIndex: 1,
      lastIndex: this.index,
      snapshotIndex: 0,
      snapshotsTaken: 0,
    };
  }

  /** Simulates an election outcome: a new term with `leader` (or none). */
  setLeader(leader: string | null): void {
    this.term++;
    this.leader = leader;
    this.emitter.emit('leader', leader, this.term);
  }

  on<E extends keyof RaftNodeEvents>(event: E, listener: RaftNodeEvents[E]): this {
    this.emitter.on(event, listener);
    return this;
  }

  off<E extends keyof RaftNodeEvents>(event: E, listener: RaftNodeEvents[E]): this {
    this.emitter.off(event, listener);
    return this;
  }

  listenerCount(event: keyof RaftNodeEvents): number {
    return this.emitter.listenerCount(event);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  /** As a RaftNode reports a synced log write. */
  reportLogSave(seconds: number): void {
    this.emitter.emit('logSaved', seconds);
  }
}
