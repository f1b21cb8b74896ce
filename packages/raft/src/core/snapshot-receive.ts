import { MessageType, type RaftMessage, type SnapshotMeta } from './messages.js';
import type { Raft } from './raft.js';

/** A snapshot arriving in chunks: only the next expected chunk is taken, so order is kept. */
export interface IncomingSnapshot {
  meta: SnapshotMeta;
  chunks: Uint8Array[];
  received: number;
}

/** InstallSnapshot receiver: gathers chunks, and on the last one installs the snapshot (Figure 13). */
export function handleSnapshotChunk(r: Raft, m: RaftMessage): void {
  const meta = m.snapshotMeta;
  if (!meta) return;
  if (meta.index <= r.log.committed) {
    // Already have it all: tell the leader where we are so it resumes with Appends.
    r.incomingSnapshot = null;
    r.send({ type: MessageType.AppendResponse, to: m.from, index: r.log.committed });
    return;
  }
  const offset = m.snapshotOffset ?? 0;
  const data = m.snapshotData ?? new Uint8Array(0);
  let incoming = r.incomingSnapshot;
  if (!incoming || incoming.meta.index !== meta.index || incoming.meta.term !== meta.term) {
    if (offset !== 0) {
      // A chunk of a snapshot we have not started: ask for it from the beginning.
      r.send({ type: MessageType.SnapshotResponse, to: m.from, index: meta.index, snapshotOffset: 0 });
      return;
    }
    incoming = { meta, chunks: [], received: 0 };
    r.incomingSnapshot = incoming;
  }
  if (offset === incoming.received) {
    incoming.chunks.push(data);
    incoming.received += data.byteLength;
    if (m.snapshotDone) {
      r.incomingSnapshot = null;
      installSnapshot(r, meta, concat(incoming.chunks, incoming.received));
      // Our log now matches the leader's up to the snapshot (and maybe beyond, but only this is known).
      r.send({ type: MessageType.AppendResponse, to: m.from, index: r.log.committed });
      return;
    }
  }
  r.send({ type: MessageType.SnapshotResponse, to: m.from, index: meta.index, snapshotOffset: incoming.received });
}

function installSnapshot(r: Raft, meta: SnapshotMeta, data: Uint8Array): void {
  if (r.log.matchTerm(meta.index, meta.term)) {
    // Our log already holds the snapshot's last entry: it and everything before it are committed.
    r.log.commitTo(meta.index);
    return;
  }
  r.log.restore({ meta, data });
  r.setVoters(meta.config.voters);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
