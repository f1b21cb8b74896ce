/** etcdctl's "simple" output: what `etcdctl get/put/del/txn/…` print by default. */
import type { DeleteRangeResponse, KeyValue, PutResponse, RangeResponse, ResponseOp, TxnResponse } from '../mvcc/types.js';
import type { HealthResult } from './etcd-json-client.js';
import type { Member, StatusResponse } from './wire.js';

export interface GetPrintOptions {
  /** Only values, as `--print-value-only`. */
  valueOnly?: boolean;
}

function kvLines(kv: KeyValue, options: GetPrintOptions = {}): string {
  return options.valueOnly ? `${kv.value.toString('utf8')}\n` : `${kv.key.toString('utf8')}\n${kv.value.toString('utf8')}\n`;
}

export function formatPut(resp: PutResponse): string {
  return `OK\n${resp.prevKv ? kvLines(resp.prevKv) : ''}`;
}

export function formatGet(resp: RangeResponse, countOnly = false, options: GetPrintOptions = {}): string {
  if (countOnly) return `${resp.count}\n`;
  return resp.kvs.map((kv) => kvLines(kv, options)).join('');
}

export function formatDelete(resp: DeleteRangeResponse): string {
  return `${resp.deleted}\n${resp.prevKvs.map((kv) => kvLines(kv)).join('')}`;
}

function formatResponseOp(op: ResponseOp): string {
  if ('responsePut' in op) return formatPut(op.responsePut);
  if ('responseRange' in op) return formatGet(op.responseRange);
  if ('responseDeleteRange' in op) return formatDelete(op.responseDeleteRange);
  return formatTxn(op.responseTxn);
}

/** SUCCESS or FAILURE, then each response after a blank line. */
export function formatTxn(resp: TxnResponse): string {
  return `${resp.succeeded ? 'SUCCESS' : 'FAILURE'}\n${resp.responses.map((r) => `\n${formatResponseOp(r)}`).join('')}`;
}

/** Member ids as etcdctl prints them: hexadecimal. */
export function hexId(decimalId: string): string {
  try {
    return BigInt(decimalId).toString(16);
  } catch {
    return decimalId;
  }
}

/** Go's %.0f rounds halves to even: 20.5 → 20. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  if (value - floor !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Sizes as go-humanize prints them (SI units): 20480 → "20 kB". */
export function humanBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const exp = Math.min(Math.floor(Math.log(bytes) / Math.log(1000)), units.length - 1);
  const value = Math.floor((bytes / 1000 ** exp) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : roundHalfEven(value)} ${units[exp]}`;
}

export function memberRow(m: Member): string[] {
  return [hexId(m.id), m.name === '' ? 'unstarted' : 'started', m.name, m.peerURLs.join(','), m.clientURLs.join(','), String(m.isLearner)];
}

export const MEMBER_HEADERS = ['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER'];

export function statusRow(endpoint: string, s: StatusResponse): string[] {
  return [
    endpoint,
    hexId(s.header.memberId),
    s.version,
    humanBytes(s.dbSize),
    String(s.leader === s.header.memberId),
    'false',
    String(s.raftTerm),
    String(s.raftIndex),
    String(s.raftAppliedIndex),
    s.errors.join(', '),
  ];
}

export const STATUS_HEADERS = ['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'IS LEARNER', 'RAFT TERM', 'RAFT INDEX', 'RAFT APPLIED INDEX', 'ERRORS'];

export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(3)}s` : `${ms.toFixed(3)}ms`;
}

export function healthRow(h: HealthResult): string[] {
  return [h.endpoint, String(h.health), formatDuration(h.tookMs), h.error ?? ''];
}

export const HEALTH_HEADERS = ['ENDPOINT', 'HEALTH', 'TOOK', 'ERROR'];

export function formatHealthLine(h: HealthResult): string {
  return h.health
    ? `${h.endpoint} is healthy: successfully committed proposal: took = ${formatDuration(h.tookMs)}\n`
    : `${h.endpoint} is unhealthy: failed to commit proposal: ${h.error ?? 'unhealthy'}\n`;
}

/** The comma-separated lines of etcdctl's simple output for list-like results. */
export function formatRows(rows: string[][]): string {
  return rows.map((r) => `${r.join(', ')}\n`).join('');
}
