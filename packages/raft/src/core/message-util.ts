import { MessageType, type RaftMessage } from './messages.js';

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
    context: new Uint8Array(0),
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
