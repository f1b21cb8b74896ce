import { MessageType, Role, type Entry, type RaftMessage } from './messages.js';

/** The context of most messages: shared, since a zero-length array cannot change (one allocation per message less). */
export const NO_CONTEXT: Uint8Array = new Uint8Array(0);

/** The entries of every message without any: shared and frozen, so a receiver that tried to change them would throw. */
export const NO_ENTRIES: Entry[] = Object.freeze([]) as unknown as Entry[];

/** Vote context of a campaign started by TimeoutNow: it may bypass the leader lease. */
export const TRANSFER_CONTEXT: Uint8Array = new TextEncoder().encode('transfer');

export function emptyMessage(): RaftMessage {
  return {
    type: MessageType.Append,
    from: '',
    to: '',
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    conflictTerm: 0,
    context: NO_CONTEXT,
  };
}

export function isTransferCampaign(m: RaftMessage): boolean {
  return m.type === MessageType.Vote && bytesEqual(m.context, TRANSFER_CONTEXT);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether a message from the network is well-formed enough to act on: addressed to us, from a
 * known voter, with entries that form a run right after `index` in terms no newer than the message.
 * Anything else is dropped rather than allowed to corrupt the log.
 */
export function isWellFormed(m: RaftMessage, self: string, voters: readonly string[]): boolean {
  if (m.to !== self || m.from === self || !voters.includes(m.from)) return false;
  if (!(m.term >= 0) || !(m.index >= 0) || !(m.logTerm >= 0) || !(m.commit >= 0)) return false;
  if (m.type === MessageType.Append) {
    for (let i = 0; i < m.entries.length; i++) {
      const e = m.entries[i]!;
      if (e.index !== m.index + 1 + i || e.term > m.term || e.term < (i === 0 ? m.logTerm : m.entries[i - 1]!.term)) return false;
    }
  }
  if (m.type === MessageType.Snapshot) {
    const meta = m.snapshotMeta;
    if (!meta || meta.index < 1 || meta.term < 1 || meta.term > m.term || meta.config.voters.length === 0) return false;
  }
  return true;
}

/** A leader's replication: Appends, heartbeats and snapshot chunks. */
function isReplication(m: RaftMessage): boolean {
  return m.type === MessageType.Append || m.type === MessageType.Heartbeat || m.type === MessageType.Snapshot;
}

/** A client's proposal or read that a follower passes on to its leader: it states nothing this node stores. */
export function isForwardedRequest(m: RaftMessage): boolean {
  return m.type === MessageType.Propose || m.type === MessageType.ReadIndex;
}

/**
 * Whether a message of a Ready may leave before that Ready's write is durable: a leader's replication (Raft thesis
 * §10.2.1: its own copy counts toward a quorum only once durable) and a follower's forwarded requests (they promise
 * nothing). Votes and acknowledgements wait for the write.
 */
export function mayLeaveBeforeDurable(m: RaftMessage, role: Role): boolean {
  return role === Role.Leader ? isReplication(m) : isForwardedRequest(m);
}
