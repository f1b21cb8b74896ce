/** What the demo measures: each client operation, and each leader observation, with timestamps (ms since the start). */

export type Outcome = 'ok' | 'error' | 'timeout';

export interface OpRecord {
  kind: 'write' | 'read';
  /** The node the client talked to. */
  node: string;
  startMs: number;
  endMs: number;
  outcome: Outcome;
  /** Error text for failed operations (first line). */
  error?: string;
  /** The key written (writes only). */
  key?: string;
}

/** One status round: who each node says leads, and at which term. */
export interface LeaderObservation {
  atMs: number;
  /** The leader of the highest term any node reports, if any node knows one. */
  leader?: string;
  term: number;
}

/** A leader first seen at a new term. */
export interface Election {
  atMs: number;
  leader: string;
  term: number;
}

/** Elections in a sequence of observations: each rise of the term under a known leader after the first one seen. */
export function electionsIn(observations: LeaderObservation[]): Election[] {
  const elections: Election[] = [];
  let lastTerm: number | undefined;
  for (const o of observations)
    if (o.leader !== undefined && (lastTerm === undefined || o.term > lastTerm)) {
      if (lastTerm !== undefined) elections.push({ atMs: o.atMs, leader: o.leader, term: o.term });
      lastTerm = o.term;
    }
  return elections;
}
