import path from 'node:path';
import { expect } from 'chai';
import type { StatusResponse } from '@raftkv/kv-server';
import { launcherModule, type ClusterStatusModule, type LayoutModule } from './launcher-modules.js';

const options = { nodes: 3, basePort: 3000, dir: '/tmp/c', enableFaultInjection: false, heartbeatMs: 100, electionMs: 1000 };

describe('cluster layout (ports, directories, flags)', () => {
  let layout: LayoutModule;
  before(async () => {
    layout = await launcherModule<LayoutModule>('layout.js');
  });

  it('gives node i the client port base+2(i-1) and the peer port right after it', () => {
    const nodes = layout.clusterLayout({ ...options, nodes: 5 });
    expect(nodes.map((n) => [n.name, n.clientUrl, n.peerUrl])).to.deep.equal([
      ['n1', 'http://127.0.0.1:3000', 'http://127.0.0.1:3001'],
      ['n2', 'http://127.0.0.1:3002', 'http://127.0.0.1:3003'],
      ['n3', 'http://127.0.0.1:3004', 'http://127.0.0.1:3005'],
      ['n4', 'http://127.0.0.1:3006', 'http://127.0.0.1:3007'],
      ['n5', 'http://127.0.0.1:3008', 'http://127.0.0.1:3009'],
    ]);
  });

  it('builds etcd flags naming every peer, with fault injection only when asked', () => {
    const [n1] = layout.clusterLayout(options);
    const value = (flag: string): string | undefined => n1!.args[n1!.args.indexOf(flag) + 1];
    expect(value('--initial-cluster')).to.equal('n1=http://127.0.0.1:3001,n2=http://127.0.0.1:3003,n3=http://127.0.0.1:3005');
    expect(value('--data-dir')).to.equal(path.join('/tmp/c', 'data', 'n1'));
    expect(value('--initial-cluster-token')).to.equal('raftkv-local');
    expect(value('--heartbeat-interval')).to.equal('100');
    expect(value('--election-timeout')).to.equal('1000');
    expect(n1!.logFile).to.equal(path.join('/tmp/c', 'logs', 'n1.log'));
    expect(n1!.args).to.not.include('--enable-fault-injection');
    expect(layout.clusterLayout({ ...options, enableFaultInjection: true })[0]!.args).to.include('--enable-fault-injection');
  });

  it('tells raftkv nodes every member\'s client URL, and leaves the flag out for etcd', () => {
    const flagOf = (args: string[]): string | undefined => args[args.indexOf('--initial-cluster-client-urls') + 1];
    const [raftkv] = layout.clusterLayout({ ...options, memberClientUrls: true });
    expect(flagOf(raftkv!.args)).to.equal('n1=http://127.0.0.1:3000,n2=http://127.0.0.1:3002,n3=http://127.0.0.1:3004');
    expect(layout.clusterLayout(options)[0]!.args).to.not.include('--initial-cluster-client-urls');
  });

  it('keeps a second cluster\'s files apart by its base port', () => {
    expect(layout.defaultClusterDir(2379, '/repo')).to.equal('/repo/.cluster');
    expect(layout.defaultClusterDir(3379, '/repo')).to.equal('/repo/.cluster/base-3379');
  });

  it('rejects node counts and base ports it cannot lay out', () => {
    expect(() => layout.clusterLayout({ ...options, nodes: 0 })).to.throw(/--nodes/);
    expect(() => layout.clusterLayout({ ...options, nodes: 16 })).to.throw(/--nodes/);
    expect(() => layout.clusterLayout({ ...options, basePort: 80 })).to.throw(/--base-port/);
    expect(() => layout.clusterLayout({ ...options, basePort: 65532 })).to.throw(/--base-port/);
  });
});

describe('cluster roles from status answers', () => {
  let status: ClusterStatusModule;
  let layout: LayoutModule;
  before(async () => {
    status = await launcherModule<ClusterStatusModule>('cluster-status.js');
    layout = await launcherModule<LayoutModule>('layout.js');
  });

  const answer = (memberId: string, leader: string): StatusResponse => ({
    header: { clusterId: '9', memberId, revision: 1, raftTerm: 2 },
    version: '3.4.23',
    dbSize: 0,
    leader,
    raftIndex: 5,
    raftTerm: 2,
    raftAppliedIndex: 5,
    dbSizeInUse: 0,
    errors: [],
  });

  it('names the leader only when every answering node agrees on it', () => {
    const [n1, n2, n3] = layout.clusterLayout(options);
    const agreed = [
      { node: n1!, status: answer('1', '2') },
      { node: n2!, status: answer('2', '2') },
      { node: n3!, error: 'ECONNREFUSED' },
    ];
    expect(status.agreedLeader(agreed)).to.equal('n2');
    expect(agreed.map(status.roleOf)).to.deep.equal(['follower', 'leader', 'down']);
    expect(status.agreedLeader([{ node: n1!, status: answer('1', '0') }, { node: n2!, status: answer('2', '2') }])).to.equal(undefined);
    expect(status.agreedLeader([{ node: n1!, status: answer('1', '1') }, { node: n2!, status: answer('2', '2') }])).to.equal(undefined);
    expect(status.roleOf({ node: n1!, status: answer('1', '0') })).to.equal('no leader');
  });
});
