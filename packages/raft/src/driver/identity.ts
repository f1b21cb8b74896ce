import type { Logger } from '@raftkv/cnet';
import type { ClusterConfig } from '../core/messages.js';
import type { RaftStorage } from '../storage/storage.js';
import type { RaftNodeOptions } from './options.js';

/**
 * On first start, records which cluster and node a store belongs to and the membership it was bootstrapped
 * with; later starts refuse a store of another cluster or node and use the stored membership.
 */
export async function openIdentity(
  storage: RaftStorage,
  opts: Pick<RaftNodeOptions, 'id' | 'clusterId' | 'peers'>,
  logger: Logger,
): Promise<ClusterConfig> {
  const config: ClusterConfig = { voters: Object.keys(opts.peers).sort() };
  if (!storage.loadIdentity || !storage.saveIdentity) return config;
  const stored = await storage.loadIdentity();
  if (stored === null) {
    await storage.saveIdentity({ clusterId: opts.clusterId, nodeId: opts.id, config });
    return config;
  }
  if (stored.clusterId !== opts.clusterId) {
    throw new Error(`RaftNode: the data dir belongs to cluster '${stored.clusterId}', not '${opts.clusterId}'`);
  }
  if (stored.nodeId !== opts.id) {
    throw new Error(`RaftNode: the data dir belongs to node '${stored.nodeId}', not '${opts.id}'`);
  }
  if (stored.config.voters.join(',') !== config.voters.join(',')) {
    logger.warn({ stored: stored.config.voters, flags: config.voters }, 'raft: peers differ from the stored membership; using the stored one');
  }
  return stored.config;
}
