import { MessageType, type RaftMessage, Role } from './messages.js';
import type { Raft } from './raft.js';
import { handleAppend, handleHeartbeat } from './follower.js';
import { handleSnapshotChunk } from './snapshot-receive.js';

/** Candidates and pre-candidates: count answers, and yield to a leader of their term. */
export function stepCandidate(r: Raft, m: RaftMessage): void {
  switch (m.type) {
    case MessageType.Append:
      r.becomeFollower(m.term, m.from);
      handleAppend(r, m);
      return;
    case MessageType.Heartbeat:
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case MessageType.Snapshot:
      r.becomeFollower(m.term, m.from);
      handleSnapshotChunk(r, m);
      return;
    case MessageType.VoteResponse:
    case MessageType.PreVoteResponse:
      countVote(r, m);
      return;
    default:
      // Proposals and reads are dropped without a leader; the caller retries.
      return;
  }
}

/** Only answers to this very election count: the right kind and, for votes, this term. */
function countVote(r: Raft, m: RaftMessage): void {
  const pre = r.role === Role.PreCandidate;
  if (pre !== (m.type === MessageType.PreVoteResponse)) return;
  // Granted answers carry the campaign's term; rejections carry the voter's (equal to ours here).
  const campaignTerm = pre ? r.term + 1 : r.term;
  if (m.reject ? m.term !== r.term && m.term !== campaignTerm : m.term !== campaignTerm) return;
  const result = r.poll(m.from, !m.reject);
  if (result === 'won') r.onElectionWon(pre);
  else if (result === 'lost') r.becomeFollower(r.term, null);
}
