import { MessageType, type RaftMessage } from './messages.js';
import type { Raft } from './raft.js';
import { handleSnapshotChunk } from './snapshot-receive.js';

/** Followers and candidates: campaign once the randomized election timeout passes without a leader. */
export function tickFollower(r: Raft): void {
  r.electionElapsed++;
  if (r.promotable() && r.electionElapsed >= r.randomizedElectionTimeout) {
    r.electionElapsed = 0;
    r.startCampaign(false);
  }
}

export function stepFollower(r: Raft, m: RaftMessage): void {
  switch (m.type) {
    case MessageType.Propose:
    case MessageType.ReadIndex:
      // Forwarded to the leader we know of; dropped (the caller retries) when there is none.
      if (r.leader !== null && r.leader !== r.id) r.send({ ...m, to: r.leader, from: r.id, term: 0 });
      return;
    case MessageType.Append:
      heardFromLeader(r, m);
      handleAppend(r, m);
      return;
    case MessageType.Heartbeat:
      heardFromLeader(r, m);
      handleHeartbeat(r, m);
      return;
    case MessageType.Snapshot:
      heardFromLeader(r, m);
      handleSnapshotChunk(r, m);
      return;
    case MessageType.TimeoutNow:
      // The leader hands over: campaign at once, skipping pre-vote and the others' leases.
      r.startCampaign(true);
      return;
    case MessageType.ReadIndexResponse:
      r.pushReadState({ index: m.index, context: m.context });
      return;
    default:
      return;
  }
}

/** Only a current leader's message resets the election timer, never a stale or unrelated one. */
function heardFromLeader(r: Raft, m: RaftMessage): void {
  r.electionElapsed = 0;
  r.leader = m.from;
}

/** AppendEntries receiver rules 1–5 (Figure 2), with a conflict hint on rejection (§5.3). */
export function handleAppend(r: Raft, m: RaftMessage): void {
  const log = r.log;
  if (m.index < log.committed) {
    // Everything up to our commit index already matches the leader's log.
    r.send({ type: MessageType.AppendResponse, to: m.from, index: log.committed });
    return;
  }
  if (log.matchTerm(m.index, m.logTerm)) {
    const lastNew = log.appendFromLeader(m.index, m.entries);
    log.commitTo(Math.min(m.commit, lastNew));
    // A commit-only Append needs no answer: the leader already knows we match up to its index (one message
    // fewer per write for each follower, and the leader handles one fewer).
    if (!(m.commitOnly === true && m.entries.length === 0)) r.send({ type: MessageType.AppendResponse, to: m.from, index: lastNew });
    return;
  }
  const hint = log.findConflictByTerm(Math.min(m.index, log.lastIndex()), m.logTerm);
  r.send({
    type: MessageType.AppendResponse,
    to: m.from,
    index: m.index,
    reject: true,
    rejectHint: hint.index,
    conflictTerm: hint.term,
  });
}

export function handleHeartbeat(r: Raft, m: RaftMessage): void {
  r.log.commitTo(m.commit);
  r.send({ type: MessageType.HeartbeatResponse, to: m.from, context: m.context });
}
