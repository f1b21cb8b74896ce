import { expect } from 'chai';
import { FlagError, helpText, parseFlags } from '../../src/config/flags.js';
import type { ServerConfig } from '../../src/config/server-config.js';
import { computeClusterId, computeMemberId } from '../../src/config/cluster-identity.js';

function parse(args: string[]): ServerConfig {
  const config = parseFlags(args);
  if (config === 'help' || config === 'version') throw new Error(`unexpected ${config}`);
  return config;
}

function parseError(args: string[]): string {
  try {
    parseFlags(args);
  } catch (err) {
    expect(err).to.be.instanceOf(FlagError);
    return (err as Error).message;
  }
  throw new Error(`expected ${args.join(' ')} to fail`);
}

describe('flags: etcd-style command line', () => {
  it("defaults like etcd: name 'default', data dir <name>.etcd, client 2379, peer 2380", () => {
    const c = parse([]);
    expect(c.name).to.equal('default');
    expect(c.dataDir).to.equal('default.etcd');
    expect(c.listenClientUrls.map((u) => u.port)).to.deep.equal(['2379']);
    expect(c.listenPeerUrls.map((u) => u.port)).to.deep.equal(['2380']);
    expect([...c.initialCluster]).to.deep.equal([['default', ['http://localhost:2380']]]);
    expect(c.maxRequestBytes).to.equal(1572864);
    expect([c.backendBatchIntervalMs, c.backendBatchLimit]).to.deep.equal([100, 10000]);
    expect(c.enableFaultInjection).to.equal(false);
  });

  it('reads a three-member cluster and every numeric flag', () => {
    const c = parse([
      '--name', 'n2',
      '--data-dir', '/tmp/x',
      '--listen-client-urls', 'http://127.0.0.1:2479',
      '--advertise-client-urls', 'http://127.0.0.1:2479',
      '--listen-peer-urls', 'http://127.0.0.1:2480',
      '--initial-advertise-peer-urls', 'http://127.0.0.1:2480',
      '--initial-cluster', 'n1=http://127.0.0.1:2380,n2=http://127.0.0.1:2480,n3=http://127.0.0.1:2580',
      '--initial-cluster-state', 'existing',
      '--initial-cluster-token', 'tok',
      '--heartbeat-interval', '50',
      '--election-timeout', '500',
      '--snapshot-count', '1000',
      '--backend-batch-interval', '25ms',
      '--backend-batch-limit', '500',
      '--max-request-bytes', '4096',
      '--log-level', 'warn',
      '--enable-fault-injection',
    ]);
    expect(c.name).to.equal('n2');
    expect(c.dataDir).to.equal('/tmp/x');
    expect([...c.initialCluster.keys()]).to.deep.equal(['n1', 'n2', 'n3']);
    expect(c.initialClusterState).to.equal('existing');
    expect(c.initialClusterToken).to.equal('tok');
    expect([c.heartbeatIntervalMs, c.electionTimeoutMs, c.snapshotCount, c.maxRequestBytes]).to.deep.equal([50, 500, 1000, 4096]);
    expect([c.backendBatchIntervalMs, c.backendBatchLimit]).to.deep.equal([25, 500]);
    expect(parse(['--backend-batch-interval', '1.5s']).backendBatchIntervalMs).to.equal(1500);
    expect(c.logLevel).to.equal('warn');
    expect(c.enableFaultInjection).to.equal(true);
    expect(c.initialClusterClientUrls.get('n2')).to.deep.equal(['http://127.0.0.1:2479']);
  });

  it('refuses unknown flags, bad values and inconsistent membership with a clear message', () => {
    expect(parseError(['--bogus'])).to.match(/unknown option '--bogus'/);
    expect(parseError(['--heartbeat-interval', 'abc'])).to.match(/--heartbeat-interval needs a positive integer/);
    expect(parseError(['--snapshot-count', '-5'])).to.match(/--snapshot-count/);
    expect(parseError(['--backend-batch-interval', '100'])).to.match(/--backend-batch-interval needs a positive duration/);
    expect(parseError(['--backend-batch-interval', '0ms'])).to.match(/--backend-batch-interval needs a positive duration/);
    expect(parseError(['--backend-batch-limit', '0'])).to.match(/--backend-batch-limit needs a positive integer/);
    expect(parseError(['--initial-cluster-state', 'maybe'])).to.match(/Allowed choices are new, existing/);
    expect(parseError(['--log-level', 'loud'])).to.match(/Allowed choices/);
    expect(parseError(['--listen-client-urls', 'localhost:2379'])).to.match(/not a URL|only http/);
    expect(parseError(['--listen-client-urls', 'https://localhost:2379'])).to.match(/only http:\/\//);
    expect(parseError(['--listen-client-urls', 'http://localhost'])).to.match(/explicit port/);
    expect(parseError(['--name', 'n9', '--initial-cluster', 'n1=http://127.0.0.1:2380'])).to.match(/no member named "n9"/);
    expect(parseError(['--heartbeat-interval', '300', '--election-timeout', '1000'])).to.match(/5 times/);
    expect(parseError(['stray'])).to.match(/too many arguments|unexpected/i);
    expect(parseError(['--initial-cluster', 'default'])).to.match(/expected name=URL/);
  });

  it('answers --help without starting', () => {
    expect(parseFlags(['--help'])).to.equal('help');
    expect(helpText()).to.match(/--backend-batch-interval <duration>.*\(default: 100ms\)/);
  });

  it('answers --version without starting, as etcd does', () => {
    expect(parseFlags(['--version'])).to.equal('version');
  });
});

describe('ids: member and cluster ids as etcd computes them', () => {
  it('matches the ids a real etcd 3.4 gave member e1 of token tok1', () => {
    // Observed from etcd 3.4.23 started with --initial-cluster e1=http://127.0.0.1:23801 --initial-cluster-token tok1.
    const member = computeMemberId(['http://127.0.0.1:23801'], 'tok1');
    expect(member.toString()).to.equal('6090535317558273548');
    expect(computeClusterId([member]).toString()).to.equal('17765137548823575923');
  });

  it('does not depend on the order of peer URLs or members', () => {
    const a = computeMemberId(['http://a:1', 'http://b:2'], 't');
    expect(computeMemberId(['http://b:2', 'http://a:1'], 't')).to.equal(a);
    const b = computeMemberId(['http://c:3'], 't');
    expect(computeClusterId([a, b])).to.equal(computeClusterId([b, a]));
    expect(computeMemberId(['http://c:3'], 'other')).to.not.equal(b);
  });
});
