import { createHash } from 'node:crypto';

/** Member and cluster ids computed exactly as etcd does, so they are stable across restarts and nodes. */

/** etcd: sha1(sorted peer URLs joined + cluster token), first 8 bytes big-endian. */
export function computeMemberId(peerUrls: string[], clusterToken: string): bigint {
  const joined = [...peerUrls].sort().join('');
  return createHash('sha1').update(joined + clusterToken).digest().readBigUInt64BE(0);
}

/** etcd: sha1 of the sorted member ids as 8-byte big-endian words, first 8 bytes. */
export function computeClusterId(memberIds: bigint[]): bigint {
  const sorted = [...memberIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const buf = Buffer.alloc(8 * sorted.length);
  sorted.forEach((id, i) => buf.writeBigUInt64BE(id, 8 * i));
  return createHash('sha1').update(buf).digest().readBigUInt64BE(0);
}

export interface MemberInfo {
  name: string;
  id: bigint;
  peerUrls: string[];
  clientUrls: string[];
}

export class ClusterIdentity {
  readonly clusterId: bigint;
  readonly memberId: bigint;
  private readonly byName = new Map<string, MemberInfo>();

  constructor(
    readonly self: string,
    members: Array<Omit<MemberInfo, 'id'>>,
    clusterToken: string,
  ) {
    for (const m of members) this.byName.set(m.name, { ...m, id: computeMemberId(m.peerUrls, clusterToken) });
    const me = this.byName.get(self);
    if (!me) throw new Error(`member ${self} is not in the initial cluster`);
    this.memberId = me.id;
    this.clusterId = computeClusterId([...this.byName.values()].map((m) => m.id));
  }

  members(): MemberInfo[] {
    return [...this.byName.values()];
  }

  idOf(name: string | null): bigint {
    return name === null ? 0n : (this.byName.get(name)?.id ?? 0n);
  }
}
