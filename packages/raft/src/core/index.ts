import type { CoreConfig, PersistedState, RaftCore } from './api.js';
import { Raft } from './raft.js';

export { Raft } from './raft.js';
/** The core's in-memory log, for tools that measure what a node keeps. */
export { RaftLog } from './log.js';
export { TRANSFER_CONTEXT, isForwardedRequest, mayLeaveBeforeDurable } from './message-util.js';

/** Builds the Raft core for node `config.id` from exactly what was durable at start. */
export function createRaftCore(config: CoreConfig, persisted: PersistedState): RaftCore {
  return new Raft(config, persisted);
}

/** The durable state of a node that never ran. */
export function emptyPersistedState(): PersistedState {
  return { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], applied: 0 };
}
