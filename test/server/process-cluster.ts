/** Helpers for tests on a cluster of real `raftkv` processes (test/faults' ClusterProcesses). */
import type { ClusterProcesses } from '../faults/cluster-processes.js';
import { postJson } from '../faults/kv-http.js';

export const REQUEST_MS = 5000;
export const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
export const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

/** Polls `probe` until it returns a value (not undefined) or the deadline passes; errors count as "not yet". */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POSTs JSON to one node; anything but 200 is an error carrying the body. */
export async function call(endpoint: string, path: string, body: unknown): Promise<any> {
  const { status, body: answer } = await postJson(endpoint, path, body, REQUEST_MS);
  if (status !== 200) throw new Error(`${path} on ${endpoint}: ${status} ${JSON.stringify(answer)}`);
  return answer;
}

export interface NodeStatus {
  leader: string;
  memberId: string;
  applied: number;
  committed: number;
  dbSize: number;
}

export async function status(endpoint: string): Promise<NodeStatus> {
  const s = await call(endpoint, '/v3/maintenance/status', {});
  return {
    leader: s.leader ?? '0',
    memberId: s.header.member_id,
    applied: Number(s.raftAppliedIndex ?? 0),
    committed: Number(s.raftIndex ?? 0),
    dbSize: Number(s.dbSize ?? 0),
  };
}

/** The name of the node every running node agrees leads. */
export function leaderName(cluster: ClusterProcesses): Promise<string> {
  return until('one leader agreed by every running node', async () => {
    const running = cluster.nodes.filter((n) => n.state === 'running');
    const statuses = await Promise.all(running.map((n) => status(n.clientUrl)));
    const leader = statuses[0]!.leader;
    if (leader === '0' || statuses.some((s) => s.leader !== leader)) return undefined;
    return running[statuses.findIndex((s) => s.memberId === leader)]?.name;
  });
}
