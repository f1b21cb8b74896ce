import { EntryType, MessageType, type RaftMessage } from './messages.js';
import { ProgressState } from './progress.js';
import type { Raft } from './raft.js';

export function tickLeader(r: Raft): void {
  r.heartbeatElapsed++;
  r.electionElapsed++;
  if (r.electionElapsed >= r.cfg.electionTicks) {
    r.electionElapsed = 0;
    if (r.cfg.checkQuorum && !quorumActive(r)) {
      // Cut off from a majority: stop acting as leader so clients look elsewhere.
      r.becomeFollower(r.term, null);
      return;
    }
    // A transfer that has not finished within an election timeout is abandoned.
    r.leadTransferee = null;
  }
  if (r.heartbeatElapsed >= r.cfg.heartbeatTicks) {
    r.heartbeatElapsed = 0;
    r.bcastHeartbeat();
    resendStalledSnapshots(r);
  }
}

/** Whether a majority was heard from since the last check; clears the marks for the next round. */
function quorumActive(r: Raft): boolean {
  let active = 0;
  for (const [id, pr] of r.progress) {
    if (id === r.id || pr.recentActive) active++;
    if (id !== r.id) pr.recentActive = false;
  }
  return active >= r.quorum();
}

/** A chunk unanswered for a whole heartbeat interval is presumed lost and sent again. */
function resendStalledSnapshots(r: Raft): void {
  for (const [id, pr] of r.progress) {
    if (pr.state !== ProgressState.Snapshot || !pr.snapshotSend) continue;
    if (pr.snapshotSend.idleTicks++ >= 1) r.sendSnapshotChunk(id, pr);
  }
}

export function stepLeader(r: Raft, m: RaftMessage): void {
  switch (m.type) {
    case MessageType.Propose:
      if (r.leadTransferee === null && m.entries.length > 0) {
        r.appendAndBroadcast(m.entries.filter((e) => e.type === EntryType.Normal).map((e) => e.data));
      }
      return;
    case MessageType.ReadIndex:
      r.reads.add({ from: m.from, context: m.context });
      return;
    case MessageType.AppendResponse:
      handleAppendResponse(r, m);
      return;
    case MessageType.HeartbeatResponse:
      handleHeartbeatResponse(r, m);
      return;
    case MessageType.SnapshotResponse:
      handleSnapshotResponse(r, m);
      return;
    default:
      return;
  }
}

function handleAppendResponse(r: Raft, m: RaftMessage): void {
  const pr = r.progress.get(m.from);
  if (!pr || m.from === r.id) return;
  pr.recentActive = true;
  if (m.reject) {
    // Fast backtracking: skip every entry of a term the follower cannot match.
    let probeFrom = m.rejectHint;
    if (m.conflictTerm > 0) probeFrom = r.log.findConflictByTerm(m.rejectHint, m.conflictTerm).index;
    if (pr.maybeDecrTo(m.index, probeFrom)) {
      if (pr.state === ProgressState.Replicate) pr.becomeProbe();
      r.sendAppend(m.from);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index)) return;
  r.noteFollowerMatches();
  if (pr.state === ProgressState.Probe) pr.becomeReplicate();
  else if (pr.state === ProgressState.Snapshot && pr.snapshotSend && pr.match >= pr.snapshotSend.snapshot.meta.index) {
    pr.becomeProbe();
    r.releaseOutgoingSnapshot();
  } else if (pr.state === ProgressState.Replicate) pr.inflights.freeLE(m.index);

  if (r.maybeCommit()) r.onCommitAdvanced();
  else if (wasPaused) r.sendAppend(m.from);
  // Fill the window: the follower is keeping up, pipeline what is left.
  while (r.sendAppend(m.from, false)) {}
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) r.sendTimeoutNow(m.from);
}

function handleHeartbeatResponse(r: Raft, m: RaftMessage): void {
  const pr = r.progress.get(m.from);
  if (!pr || m.from === r.id) return;
  pr.recentActive = true;
  pr.probeSent = false;
  // Appends (or their answers) may have been lost: free a slot so replication cannot stall.
  if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirst();
  // Behind: ask again, wanting an answer even if nothing new goes (the last one may have been lost).
  if (pr.match < r.log.lastIndex()) r.sendAppend(m.from, true, true);
  const round = r.reads.ack(m.from, m.context, r.quorum());
  if (round) r.releaseReads(round);
}

function handleSnapshotResponse(r: Raft, m: RaftMessage): void {
  const pr = r.progress.get(m.from);
  if (!pr) return;
  pr.recentActive = true;
  const s = pr.snapshotSend;
  if (pr.state !== ProgressState.Snapshot || !s || s.snapshot.meta.index !== m.index) return;
  const offset = m.snapshotOffset ?? 0;
  // The follower says how much it holds; it may also ask to restart from 0.
  if (offset !== 0 && offset <= s.acked) return;
  s.acked = Math.min(offset, s.snapshot.data.byteLength);
  r.sendSnapshotChunk(m.from, pr);
}
