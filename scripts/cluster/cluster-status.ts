/** Asks every node for /v3/maintenance/status and turns the answers into roles and a table. */
import { EtcdJsonClient, renderTable, type StatusResponse } from '@raftkv/kv-server';
import type { NodeLayout } from './layout.js';
import { isNodeProcess, processState, type ProcessState } from './processes.js';
import type { NodeState } from './state.js';

export interface NodeStatus {
  node: NodeLayout;
  status?: StatusResponse;
  error?: string;
}

/** One status round; a node that does not answer within `timeoutMs` gets an error instead. */
export async function queryStatuses(nodes: NodeLayout[], timeoutMs: number): Promise<NodeStatus[]> {
  const client = new EtcdJsonClient({ endpoints: nodes.map((n) => n.clientUrl), commandTimeoutMs: timeoutMs });
  try {
    return await Promise.all(
      nodes.map(async (node) => {
        try {
          return { node, status: await client.status(node.clientUrl) };
        } catch (err) {
          return { node, error: (err as Error).message };
        }
      }),
    );
  } finally {
    client.close();
  }
}

export function roleOf(s: NodeStatus): string {
  if (!s.status) return 'down';
  if (s.status.leader === '0') return 'no leader';
  return s.status.leader === s.status.header.memberId ? 'leader' : 'follower';
}

/** The leader's name when every node that answered agrees on one non-zero leader that is itself among them. */
export function agreedLeader(statuses: NodeStatus[]): string | undefined {
  const answered = statuses.filter((s) => s.status);
  if (answered.length === 0) return undefined;
  const leaders = new Set(answered.map((s) => s.status!.leader));
  if (leaders.size !== 1 || leaders.has('0')) return undefined;
  return answered.find((s) => roleOf(s) === 'leader')?.node.name;
}

export function statusTable(statuses: NodeStatus[], processes?: Map<string, { pid: number; state: ProcessState }>): string {
  const headers = ['NAME', 'CLIENT URL', 'PEER URL', 'ROLE', 'TERM', 'APPLIED INDEX'];
  if (processes) headers.push('PID', 'PROCESS');
  const rows = statuses.map((s) => {
    const row = [s.node.name, s.node.clientUrl, s.node.peerUrl, roleOf(s), s.status ? String(s.status.raftTerm) : '-', s.status ? String(s.status.raftAppliedIndex) : '-'];
    const p = processes?.get(s.node.name);
    if (processes) row.push(p ? String(p.pid) : '-', p ? p.state : '-');
    return row;
  });
  return renderTable(headers, rows);
}

export function processStates(nodes: NodeState[]): Map<string, { pid: number; state: ProcessState }> {
  return new Map(nodes.map((n) => [n.name, { pid: n.pid, state: isNodeProcess(n.pid, n) ? processState(n.pid) : 'gone' }]));
}
