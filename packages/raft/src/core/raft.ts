import type { CoreConfig, CoreStatus, PersistedState, RaftCore } from './api.js';
import { RaftLog } from './log.js';
import {
  type ClusterConfig,
  type EarlyOutput,
  type Entry,
  type HardState,
  MessageType,
  type NodeId,
  type RaftMessage,
  type Ready,
  type ReadState,
  Role,
  type Snapshot,
  type SnapshotMeta,
  type SoftState,
  EntryType,
} from './messages.js';
import { Progress, ProgressState } from './progress.js';
import { ReadIndexQueue, type ReadRound } from './read-index.js';
import { stepFollower, tickFollower } from './follower.js';
import { stepCandidate } from './candidate.js';
import { stepLeader, tickLeader } from './leader.js';
import { isForwardedRequest, isTransferCampaign, isWellFormed, NO_CONTEXT, NO_ENTRIES, TRANSFER_CONTEXT } from './message-util.js';
import type { IncomingSnapshot } from './snapshot-receive.js';

export interface ResolvedConfig extends Required<Omit<CoreConfig, 'initialConfig'>> {}

const DEFAULTS = {
  preVote: true,
  checkQuorum: true,
  maxInflightMessages: 64,
  maxInflightBytes: 8 * 1024 * 1024,
  maxMessageBytes: 1024 * 1024,
  snapshotChunkBytes: 512 * 1024,
};

export function resolveConfig(config: CoreConfig): ResolvedConfig {
  if (!(config.electionTicks > 0) || !(config.heartbeatTicks > 0)) {
    throw new Error('electionTicks and heartbeatTicks must be positive');
  }
  if (config.heartbeatTicks >= config.electionTicks) {
    throw new Error('heartbeatTicks must be smaller than electionTicks');
  }
  const { initialConfig: _ignored, ...rest } = config;
  const resolved = { ...DEFAULTS };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) (resolved as Record<string, unknown>)[k] = v;
  return resolved as ResolvedConfig;
}

/**
 * The Raft state machine (Ongaro & Ousterhout, Figure 2, plus pre-vote, check-quorum, ReadIndex,
 * leadership transfer and snapshots), in the shape of etcd-io/raft: step()/tick() dispatch to the
 * current role's functions, and all output leaves through ready()/advance().
 */
export class Raft implements RaftCore {
  readonly id: NodeId;
  readonly cfg: ResolvedConfig;
  term: number;
  vote: NodeId | null;
  leader: NodeId | null = null;
  role: Role = Role.Follower;
  readonly log: RaftLog;
  voters: readonly NodeId[] = [];
  /** Handed out by status(), which runs on every request: one frozen copy rather than a new one per call. */
  private clusterConfig: ClusterConfig = { voters: [] };

  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;

  /** Leader: one per voter, itself included (its match is its own durable last index). */
  progress = new Map<NodeId, Progress>();
  /** Candidate/pre-candidate: the answers so far. */
  votes = new Map<NodeId, boolean>();
  leadTransferee: NodeId | null = null;
  readonly reads = new ReadIndexQueue();
  incomingSnapshot: IncomingSnapshot | null = null;

  private msgs: RaftMessage[] = [];
  /** Leader: new entries or a new commit index not sent yet; one Append per follower goes out at ready(). */
  private broadcastPending = false;
  private readStates: ReadState[] = [];
  private prevHardState: HardState;
  private prevSoftState: SoftState;
  private outstanding: Ready | null = null;
  /** The last committed index takeEarly() handed out while the outstanding Ready persisted (0: none yet). */
  private earlyCommitted = 0;
  /**
   * Leader: the application's snapshot for followers behind the log's start (offerSnapshot), held while one may
   * still need it. Without one, the core asks for it (snapshotWanted) and the follower waits in Probe.
   */
  private outgoingSnapshot: Snapshot | null = null;
  private snapshotWanted = false;

  constructor(config: CoreConfig, persisted: PersistedState) {
    this.id = config.id;
    this.cfg = resolveConfig(config);
    const clusterConfig: ClusterConfig = persisted.snapshot?.config ?? config.initialConfig;
    if (clusterConfig.voters.length === 0) throw new Error('cluster configuration has no voters');
    this.setVoters(clusterConfig.voters);
    this.log = new RaftLog(persisted.snapshot, persisted.entries, persisted.hardState.commit, persisted.applied);
    this.term = persisted.hardState.term;
    this.vote = persisted.hardState.vote;
    this.prevHardState = { ...persisted.hardState };
    this.prevSoftState = { leader: null, role: Role.Follower };
    this.resetRandomizedElectionTimeout();
  }

  // ---- public API -------------------------------------------------------------------------

  tick(): void {
    if (this.role === Role.Leader) tickLeader(this);
    else tickFollower(this);
  }

  step(m: RaftMessage): void {
    if (!isWellFormed(m, this.id, this.voters)) return;
    if (m.term > this.term && m.term !== 0) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        // Lease: while a live leader is heard from, a disruptive (e.g. rejoining) node is ignored.
        const inLease = this.cfg.checkQuorum && this.leader !== null && this.electionElapsed < this.cfg.electionTicks;
        if (inLease && !isTransferCampaign(m)) return;
      }
      if (m.type === MessageType.PreVote || (m.type === MessageType.PreVoteResponse && !m.reject)) {
        // A pre-vote never changes terms: only a real election does.
      } else {
        const fromLeader = m.type === MessageType.Append || m.type === MessageType.Heartbeat || m.type === MessageType.Snapshot;
        this.becomeFollower(m.term, fromLeader ? m.from : null);
      }
    } else if (m.term < this.term && m.term !== 0) {
      this.stepStale(m);
      return;
    }

    if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role) {
      case Role.Follower:
        stepFollower(this, m);
        break;
      case Role.PreCandidate:
      case Role.Candidate:
        stepCandidate(this, m);
        break;
      case Role.Leader:
        stepLeader(this, m);
        break;
    }
  }

  propose(data: Uint8Array): boolean {
    if (this.role === Role.Leader) {
      if (this.leadTransferee !== null) return false;
      this.appendAndBroadcast([data]);
      return true;
    }
    if (this.role === Role.Follower && this.leader !== null) {
      this.send({
        type: MessageType.Propose,
        to: this.leader,
        term: 0,
        entries: [{ term: 0, index: 0, type: EntryType.Normal, data }],
      });
      return true;
    }
    return false;
  }

  readIndex(context: Uint8Array): boolean {
    if (this.role === Role.Leader) {
      // The round starts at the next ready(): every read asked for until then shares it.
      this.reads.add({ from: this.id, context });
      return true;
    }
    if (this.role === Role.Follower && this.leader !== null) {
      this.send({ type: MessageType.ReadIndex, to: this.leader, term: 0, context });
      return true;
    }
    return false;
  }

  transferLeadership(to: NodeId): void {
    if (this.role !== Role.Leader || to === this.id || !this.voters.includes(to)) return;
    if (this.leadTransferee === to) return;
    this.leadTransferee = to;
    // The transfer is abandoned if it has not happened within an election timeout.
    this.electionElapsed = 0;
    const pr = this.progress.get(to)!;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to);
  }

  campaign(): void {
    this.startCampaign(false);
  }

  peerUnreachable(peer: NodeId): void {
    if (this.role === Role.Leader || peer !== this.leader) return;
    // The leader's lease ends now, so this node grants votes; it campaigns when its randomized timeout runs
    // out, counted as if a whole election timeout had already passed (the random rest keeps followers apart).
    this.leader = null;
    this.electionElapsed = Math.max(this.electionElapsed, this.cfg.electionTicks);
  }

  compact(index: number): SnapshotMeta | null {
    if (index <= this.log.snapshotIndex) return null;
    const meta: SnapshotMeta = { index, term: this.log.compact(index), config: { voters: [...this.voters] } };
    if (this.outgoingSnapshot && this.outgoingSnapshot.meta.index < this.log.snapshotIndex) this.releaseOutgoingSnapshot();
    return meta;
  }

  offerSnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    // Useful only to a leader, and only if a follower installing it can continue from the log after it.
    if (this.role !== Role.Leader || index < this.log.snapshotIndex || index > this.log.committed) return;
    if (this.log.term(index) !== term) return;
    if (this.outgoingSnapshot && this.outgoingSnapshot.meta.index >= index) return;
    this.outgoingSnapshot = snapshot;
    // Followers waiting for it are probed again at their next heartbeat answer; start them now.
    for (const to of this.voters) {
      const pr = this.progress.get(to);
      if (to === this.id || !pr || pr.state !== ProgressState.Probe || pr.next > this.log.snapshotIndex) continue;
      pr.probeSent = false;
      this.sendAppend(to);
    }
  }

  hasReady(): boolean {
    if (this.outstanding !== null) return false;
    return (
      this.broadcastPending ||
      this.readRoundStartable() ||
      this.msgs.length > 0 ||
      this.readStates.length > 0 ||
      this.snapshotWanted ||
      this.log.unstableSnapshot !== null ||
      this.log.stableIndex < this.log.lastIndex() ||
      this.log.committed > this.log.applied ||
      !sameHardState(this.hardState(), this.prevHardState) ||
      !sameSoftState(this.softState(), this.prevSoftState)
    );
  }

  ready(): Ready {
    if (this.outstanding !== null) throw new Error('ready() called again before advance()');
    this.flushBroadcast();
    this.maybeStartReadRound();
    const snapshot = this.log.unstableSnapshot;
    const rd: Ready = {
      entries: this.log.unstableEntries(),
      messages: this.msgs,
      // After a snapshot install the application restores it first; entries follow in later batches.
      committedEntries: snapshot ? [] : this.log.nextCommitted(),
      readStates: this.readStates,
    };
    this.msgs = [];
    this.readStates = [];
    coalesceAcks(rd.messages);
    if (snapshot) rd.snapshot = snapshot;
    if (this.snapshotWanted) {
      rd.snapshotWanted = true;
      this.snapshotWanted = false;
    }
    const hs = this.hardState();
    if (!sameHardState(hs, this.prevHardState)) {
      rd.hardState = hs;
      this.prevHardState = hs;
    }
    const ss = this.softState();
    if (!sameSoftState(ss, this.prevSoftState)) {
      rd.softState = ss;
      this.prevSoftState = ss;
    }
    this.outstanding = rd;
    return rd;
  }

  advance(rd: Ready): void {
    if (rd !== this.outstanding) throw new Error('advance() with a Ready that is not the outstanding one');
    this.outstanding = null;
    if (rd.snapshot) this.log.snapshotStable(rd.snapshot);
    const lastEntry = rd.entries[rd.entries.length - 1];
    if (lastEntry) this.log.stableTo(lastEntry.index, lastEntry.term);
    const handedOut = Math.max(rd.committedEntries[rd.committedEntries.length - 1]?.index ?? 0, this.earlyCommitted);
    if (handedOut > 0) this.log.appliedTo(handedOut);
    if (this.role === Role.Leader) {
      // The leader's own copy counts toward a quorum only once durable.
      this.progress.get(this.id)?.maybeUpdate(this.log.stableIndex);
      if (this.maybeCommit()) this.onCommitAdvanced();
    }
  }

  takeEarly(): EarlyOutput {
    const rd = this.outstanding;
    if (rd === null || rd.snapshot || this.log.unstableSnapshot !== null) return NOTHING_EARLY;
    const from = Math.max(this.log.applied, rd.committedEntries[rd.committedEntries.length - 1]?.index ?? 0, this.earlyCommitted) + 1;
    const to = Math.min(this.log.committed, this.log.lastIndex());
    const committedEntries: Entry[] = to >= from ? this.log.slice(from, to + 1) : NO_ENTRIES;
    if (committedEntries.length > 0) this.earlyCommitted = to;
    const messages = this.role === Role.Leader ? this.earlyCommitNotices(rd) : this.takeForwardedRequests();
    // Called after every input while a write persists: nothing to hand out allocates nothing.
    return committedEntries.length === 0 && messages.length === 0 ? NOTHING_EARLY : { committedEntries, messages };
  }

  /**
   * A follower's proposals and reads for the leader, out of the messages waiting for the next Ready: a client's
   * write forwarded while this node's own write persists need not wait for that disk.
   */
  private takeForwardedRequests(): RaftMessage[] {
    if (!this.msgs.some(isForwardedRequest)) return NO_MESSAGES;
    const out: RaftMessage[] = [];
    const rest: RaftMessage[] = [];
    for (const m of this.msgs) (isForwardedRequest(m) ? out : rest).push(m);
    this.msgs = rest;
    return out;
  }

  /**
   * Leader, while its own write persists and nothing newer waits to be replicated: an Append to each follower that
   * has not heard the latest commit index, so a follower holding a client's write need not wait for the leader's
   * disk as well as a quorum's. Under load (proposals waiting) the next Ready's Appends carry the commit, as before,
   * and nothing extra is sent.
   */
  private earlyCommitNotices(rd: Ready): RaftMessage[] {
    const writing = rd.entries[rd.entries.length - 1]?.index ?? 0;
    if (this.log.lastIndex() > Math.max(this.log.stableIndex, writing)) return NO_MESSAGES;
    const start = this.msgs.length;
    const committed = this.log.committed;
    for (const to of this.voters) {
      if (to === this.id) continue;
      const pr = this.progress.get(to);
      if (pr && pr.state === ProgressState.Replicate && pr.sentCommit < committed) this.sendAppend(to);
    }
    return this.msgs.length > start ? this.msgs.splice(start) : NO_MESSAGES;
  }

  durableIndex(): number {
    return this.log.stableIndex;
  }

  setVoters(voters: readonly NodeId[]): void {
    this.voters = Object.freeze([...voters]);
    this.clusterConfig = Object.freeze({ voters: this.voters });
  }

  status(): CoreStatus {
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      leader: this.leader,
      vote: this.vote,
      commitIndex: this.log.committed,
      appliedIndex: this.log.applied,
      firstIndex: this.log.firstIndex(),
      lastIndex: this.log.lastIndex(),
      config: this.clusterConfig,
    };
  }

  // ---- role transitions -------------------------------------------------------------------

  becomeFollower(term: number, leader: NodeId | null): void {
    this.reset(term);
    this.role = Role.Follower;
    this.leader = leader;
    this.log.holdForFollowers(Infinity);
  }

  becomePreCandidate(): void {
    if (this.role === Role.Leader) throw new Error('leader cannot become pre-candidate');
    // Term and vote stay: a pre-vote only asks whether an election could be won.
    this.votes.clear();
    this.leader = null;
    this.role = Role.PreCandidate;
    this.electionElapsed = 0;
    this.resetRandomizedElectionTimeout();
  }

  becomeCandidate(): void {
    if (this.role === Role.Leader) throw new Error('leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = Role.Candidate;
    this.log.holdForFollowers(Infinity);
  }

  becomeLeader(): void {
    if (this.role === Role.Follower) throw new Error('follower cannot become leader');
    // Same term: reset() keeps the vote (a leader clearing its vote could vote twice in its own term).
    this.reset(this.term);
    this.role = Role.Leader;
    this.leader = this.id;
    const next = this.log.lastIndex() + 1;
    for (const v of this.voters) {
      this.progress.set(v, new Progress(next, this.cfg.maxInflightMessages, this.cfg.maxInflightBytes));
    }
    const self = this.progress.get(this.id);
    if (self) {
      self.maybeUpdate(this.log.stableIndex);
      self.becomeReplicate();
      self.recentActive = true;
    }
    this.noteFollowerMatches();
    // A no-op in the new term lets the leader commit (and learn) everything before it (§5.4.2, §8).
    this.appendAndBroadcast([new Uint8Array(0)]);
  }

  /** Leader: tells the log how far every follower has matched, so entries still to be sent stay unpacked. */
  noteFollowerMatches(): void {
    let lowest = Infinity;
    const voters = this.voters;
    for (let i = 0; i < voters.length; i++) {
      if (voters[i] === this.id) continue;
      lowest = Math.min(lowest, this.matchOf(voters[i]!));
    }
    this.log.holdForFollowers(lowest);
  }

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
      this.incomingSnapshot = null;
    }
    this.leader = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.votes.clear();
    this.progress.clear();
    this.leadTransferee = null;
    this.reads.reset();
    this.broadcastPending = false;
    this.outgoingSnapshot = null;
    this.snapshotWanted = false;
  }

  private resetRandomizedElectionTimeout(): void {
    const e = this.cfg.electionTicks;
    this.randomizedElectionTimeout = e + Math.min(e - 1, Math.floor(this.cfg.random() * e));
  }

  // ---- elections ---------------------------------------------------------------------------

  promotable(): boolean {
    return this.voters.includes(this.id);
  }

  quorum(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  startCampaign(transfer: boolean): void {
    if (this.role === Role.Leader || !this.promotable()) return;
    const pre = this.cfg.preVote && !transfer;
    if (pre) this.becomePreCandidate();
    else this.becomeCandidate();
    const voteTerm = pre ? this.term + 1 : this.term;
    if (this.poll(this.id, true) === 'won') {
      this.onElectionWon(pre);
      return;
    }
    for (const to of this.voters) {
      if (to === this.id) continue;
      this.send({
        type: pre ? MessageType.PreVote : MessageType.Vote,
        to,
        term: voteTerm,
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
        context: transfer ? TRANSFER_CONTEXT : NO_CONTEXT,
      });
    }
  }

  onElectionWon(pre: boolean): void {
    if (pre) this.startCampaign(true);
    else this.becomeLeader();
  }

  /** Records one answer; tells whether the election is now won, lost, or still open. */
  poll(from: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
    if (!this.votes.has(from)) this.votes.set(from, granted);
    let yes = 0;
    let no = 0;
    for (const v of this.voters) {
      const answer = this.votes.get(v);
      if (answer === true) yes++;
      else if (answer === false) no++;
    }
    if (yes >= this.quorum()) return 'won';
    if (no > this.voters.length - this.quorum()) return 'lost';
    return 'pending';
  }

  private handleVoteRequest(m: RaftMessage): void {
    const pre = m.type === MessageType.PreVote;
    const respType = pre ? MessageType.PreVoteResponse : MessageType.VoteResponse;
    const canVote =
      this.vote === m.from ||
      (this.vote === null && this.leader === null) ||
      // A pre-vote for a future term binds nothing.
      (pre && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      // Granted pre-votes carry the candidate's future term so it can count them.
      this.send({ type: respType, to: m.from, term: m.term, reject: false });
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: respType, to: m.from, term: this.term, reject: true });
    }
  }

  /** A message from an older term: ignored, except where answering helps its sender catch up. */
  private stepStale(m: RaftMessage): void {
    if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === MessageType.Append || m.type === MessageType.Heartbeat)) {
      // A leader cut off while we moved on must learn our term, or it would never step down.
      this.send({ type: MessageType.AppendResponse, to: m.from });
    } else if (m.type === MessageType.PreVote) {
      this.send({ type: MessageType.PreVoteResponse, to: m.from, reject: true });
    }
  }

  // ---- replication (leader) ----------------------------------------------------------------

  appendAndBroadcast(datas: Uint8Array[]): void {
    let index = this.log.lastIndex();
    this.log.append(datas.map((data) => ({ term: this.term, index: ++index, type: EntryType.Normal, data })));
    // Everything proposed before the next ready() goes out together (etcd sends appends from the Ready too).
    this.broadcastPending = true;
    // A single voter commits as soon as its own copy is durable (see advance()).
  }

  bcastAppend(): void {
    for (const to of this.voters) if (to !== this.id) this.sendAppend(to);
  }

  /**
   * Sends each follower what it was not sent yet: the new entries (more Appends only when they exceed one
   * message, up to the in-flight window) or, with nothing new, the new commit index in one empty Append.
   */
  private flushBroadcast(): void {
    if (!this.broadcastPending) return;
    this.broadcastPending = false;
    if (this.role !== Role.Leader) return;
    const last = this.log.lastIndex();
    for (const to of this.voters) {
      if (to === this.id) continue;
      const pr = this.progress.get(to)!;
      if (pr.next > last && pr.sentCommit >= this.log.committed) continue;
      if (this.sendAppend(to)) while (this.sendAppend(to, false)) {}
    }
  }

  /**
   * Sends the next Append to `to` if its flow control allows; returns whether one went out. `answerWanted`: the
   * follower must answer even an Append with nothing new (the leader is asking again after a possible loss).
   */
  sendAppend(to: NodeId, sendIfEmpty = true, answerWanted = false): boolean {
    const pr = this.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      this.sendSnapshot(to, pr);
      return false;
    }
    const last = this.log.lastIndex();
    const entries = pr.next <= last ? this.log.slice(pr.next, last + 1, this.cfg.maxMessageBytes) : NO_ENTRIES;
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({
      type: MessageType.Append,
      to,
      index: prevIndex,
      logTerm: prevTerm,
      entries,
      commit: this.log.committed,
      // Nothing new to match: the follower's answer would only repeat what its last one said (match is prevIndex),
      // or what its answer to the Append still in flight will say (in Replicate that one ends at prevIndex), so it
      // sends none. A lost answer is asked for again at the next heartbeat answer (answerWanted).
      commitOnly:
        !answerWanted &&
        entries.length === 0 &&
        pr.state === ProgressState.Replicate &&
        (pr.match === prevIndex || pr.inflights.count() > 0),
    });
    pr.sentCommit = this.log.committed;
    let bytes = 0;
    for (const e of entries) bytes += e.data.byteLength;
    pr.sentEntries(prevIndex + entries.length, bytes, entries.length);
    return true;
  }

  /**
   * The follower needs entries before the log's start. Without a snapshot of the application to send, ask for one
   * (as etcd-io/raft's ErrSnapshotTemporarilyUnavailable) and wait in Probe until a heartbeat answer or the offer.
   */
  private sendSnapshot(to: NodeId, pr: Progress): void {
    const snapshot = this.outgoingSnapshot;
    if (!snapshot || snapshot.meta.index < this.log.snapshotIndex) {
      this.snapshotWanted = true;
      // A pipeline (Replicate) that ran past the log's start stops here too.
      if (pr.state !== ProgressState.Probe) pr.becomeProbe();
      pr.probeSent = true;
      return;
    }
    pr.becomeSnapshot(snapshot);
    this.sendSnapshotChunk(to, pr);
  }

  /** A snapshot send ended: drop the (large) snapshot unless another follower is still receiving it. */
  releaseOutgoingSnapshot(): void {
    for (const pr of this.progress.values()) if (pr.state === ProgressState.Snapshot) return;
    this.outgoingSnapshot = null;
  }

  sendSnapshotChunk(to: NodeId, pr: Progress): void {
    const s = pr.snapshotSend;
    if (!s) return;
    const { data, meta } = s.snapshot;
    const offset = s.acked;
    const chunk = data.subarray(offset, offset + this.cfg.snapshotChunkBytes);
    this.send({
      type: MessageType.Snapshot,
      to,
      index: meta.index,
      logTerm: meta.term,
      snapshotMeta: meta,
      snapshotOffset: offset,
      snapshotData: chunk,
      snapshotDone: offset + chunk.byteLength >= data.byteLength,
    });
    s.idleTicks = 0;
  }

  sendTimeoutNow(to: NodeId): void {
    this.send({ type: MessageType.TimeoutNow, to });
  }

  bcastHeartbeat(): void {
    const context = this.reads.currentContext();
    for (const to of this.voters) {
      if (to === this.id) continue;
      const pr = this.progress.get(to)!;
      // Only up to what the follower is known to hold: its log beyond match may still differ.
      this.send({ type: MessageType.Heartbeat, to, commit: Math.min(pr.match, this.log.committed), context });
    }
  }

  /** Commits the highest index a quorum holds, but only an entry of the current term (§5.4.2, Figure 8). */
  maybeCommit(): boolean {
    const candidate = this.quorumMatch();
    if (candidate <= this.log.committed || this.log.term(candidate) !== this.term) return false;
    return this.log.commitTo(candidate);
  }

  /**
   * The highest index a quorum of voters has matched. Runs on every acknowledgement: no sorted copy and no
   * iterators (indexed loops over 3-7 voters allocate nothing).
   */
  private quorumMatch(): number {
    const quorum = this.quorum();
    const voters = this.voters;
    let best = 0;
    for (let i = 0; i < voters.length; i++) {
      const m = this.matchOf(voters[i]!);
      if (m <= best) continue;
      let atLeast = 0;
      for (let j = 0; j < voters.length; j++) if (this.matchOf(voters[j]!) >= m) atLeast++;
      if (atLeast >= quorum) best = m;
    }
    return best;
  }

  private matchOf(voter: NodeId): number {
    return this.progress.get(voter)?.match ?? 0;
  }

  onCommitAdvanced(): void {
    // Followers learn the new commit index with the next ready()'s Appends.
    this.broadcastPending = true;
  }

  // ---- ReadIndex (leader) ------------------------------------------------------------------

  /** A leader serves reads only once it has committed an entry of its own term (§6.4). */
  private readRoundStartable(): boolean {
    return (
      this.role === Role.Leader && this.reads.canStartRound() && this.log.term(this.log.committed) === this.term
    );
  }

  /** Starts one confirmation round for all waiting reads. */
  private maybeStartReadRound(): void {
    if (!this.readRoundStartable()) return;
    const round = this.reads.startRound(this.log.committed, this.id);
    if (!round) return;
    if (this.quorum() === 1) this.releaseReads(this.reads.releaseRound()!);
    else this.bcastHeartbeat();
  }

  releaseReads(round: ReadRound): void {
    for (const read of round.reads) {
      if (read.from === this.id) this.readStates.push({ index: round.index, context: read.context });
      else this.send({ type: MessageType.ReadIndexResponse, to: read.from, index: round.index, context: read.context });
    }
  }

  pushReadState(rs: ReadState): void {
    this.readStates.push(rs);
  }

  // ---- plumbing ----------------------------------------------------------------------------

  /** Fills in what `partial` leaves out field by field: two object spreads per message cost more than the rest of sending. */
  send(partial: Partial<RaftMessage> & { type: MessageType; to: NodeId }): void {
    const m: RaftMessage = {
      type: partial.type,
      from: partial.from ?? this.id,
      to: partial.to,
      term: partial.term ?? this.term,
      logTerm: partial.logTerm ?? 0,
      index: partial.index ?? 0,
      entries: partial.entries ?? NO_ENTRIES,
      commit: partial.commit ?? 0,
      reject: partial.reject ?? false,
      rejectHint: partial.rejectHint ?? 0,
      conflictTerm: partial.conflictTerm ?? 0,
      context: partial.context ?? NO_CONTEXT,
    };
    if (partial.snapshotMeta !== undefined) m.snapshotMeta = partial.snapshotMeta;
    if (partial.snapshotOffset !== undefined) m.snapshotOffset = partial.snapshotOffset;
    if (partial.snapshotData !== undefined) m.snapshotData = partial.snapshotData;
    if (partial.snapshotDone !== undefined) m.snapshotDone = partial.snapshotDone;
    if (partial.commitOnly === true) m.commitOnly = true;
    this.msgs.push(m);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private softState(): SoftState {
    return { leader: this.leader, role: this.role };
  }
}

/**
 * Of several accepting AppendResponses to one peer in the same term, only the highest index tells the leader
 * anything (match only grows, and one acknowledgement frees every Append up to it), so the rest are dropped.
 */
function coalesceAcks(msgs: RaftMessage[]): void {
  let acks = 0;
  for (let i = 0; i < msgs.length; i++) if (msgs[i]!.type === MessageType.AppendResponse && !msgs[i]!.reject) acks++;
  // Most Readies hold at most one acknowledgement: then there is nothing to coalesce and no map to build.
  if (acks < 2) return;
  const highest = new Map<string, number>();
  for (const m of msgs) {
    if (m.type !== MessageType.AppendResponse || m.reject) continue;
    const key = `${m.to}\u0000${m.term}`;
    highest.set(key, Math.max(highest.get(key) ?? -1, m.index));
  }
  if (highest.size === 0) return;
  let kept = 0;
  for (const m of msgs) {
    if (m.type === MessageType.AppendResponse && !m.reject) {
      const key = `${m.to}\u0000${m.term}`;
      const top = highest.get(key);
      if (top === undefined || m.index !== top) continue;
      highest.delete(key); // keep one message at that index
    }
    msgs[kept++] = m;
  }
  msgs.length = kept;
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}

const NO_MESSAGES: RaftMessage[] = Object.freeze([]) as unknown as RaftMessage[];
const NOTHING_EARLY: EarlyOutput = Object.freeze({ committedEntries: NO_ENTRIES, messages: NO_MESSAGES });
