import { expect } from 'chai';
import { Readable } from 'node:stream';
import { runCtl } from '../../src/ctl/program.js';
import { startCluster, type TestCluster } from '../support/server-cluster.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('raftkv-ctl lease, watch and put --lease against a raftkv node', function () {
  this.timeout(60000);
  let cluster: TestCluster;
  let endpoint: string;
  before(async () => {
    cluster = await startCluster(1);
    endpoint = cluster.nodes[0]!.clientUrls[0]!;
  });
  after(async () => cluster.close());

  /** Runs a command; `live` sees stdout as it is written (for watch). */
  async function ctl(args: string[], live?: (stdout: string) => void): Promise<Run> {
    const run: Run = { code: -1, stdout: '', stderr: '' };
    run.code = await runCtl(['--endpoints', endpoint, ...args], {
      stdout: (t) => {
        run.stdout += t;
        live?.(run.stdout);
      },
      stderr: (t) => (run.stderr += t),
      stdin: Readable.from([]),
      env: {},
    });
    return run;
  }

  it('grants, lists, attaches keys with put --lease, shows time to live, keeps alive and revokes, printing as etcdctl', async () => {
    const granted = await ctl(['lease', 'grant', '100']);
    expect(granted.code, granted.stderr).to.equal(0);
    const match = /^lease ([0-9a-f]{16}) granted with TTL\(100s\)\n$/.exec(granted.stdout);
    expect(match, granted.stdout).to.not.equal(null);
    const id = match![1]!;
    expect((await ctl(['put', 'lk1', 'v1', '--lease', id])).stdout).to.equal('OK\n');
    expect((await ctl(['put', 'lk2', 'v2', `--lease=${id}`])).stdout).to.equal('OK\n');
    expect((await ctl(['lease', 'list'])).stdout).to.equal(`found 1 leases\n${id}\n`);
    const ttl = await ctl(['lease', 'timetolive', id, '--keys']);
    expect(ttl.stdout).to.match(new RegExp(`^lease ${id} granted with TTL\\(100s\\), remaining\\((99|100)s\\), attached keys\\(\\[lk1 lk2\\]\\)\\n$`));
    expect((await ctl(['lease', 'keep-alive', '--once', id])).stdout).to.equal(`lease ${id} keepalived with TTL(100)\n`);
    expect((await ctl(['lease', 'revoke', id])).stdout).to.equal(`lease ${id} revoked\n`);
    expect((await ctl(['get', 'lk', '--prefix'])).stdout).to.equal('');
    expect((await ctl(['lease', 'timetolive', id])).stdout).to.equal(`lease ${id} already expired\n`);
  });

  it('fails as etcdctl does for an unknown lease and a malformed lease id', async () => {
    const put = await ctl(['put', 'k', 'v', '--lease', '1234']);
    expect(put.code).to.equal(1);
    expect(put.stderr).to.equal('Error: etcdserver: requested lease not found\n');
    const keepAlive = await ctl(['lease', 'keep-alive', '--once', '1234']);
    expect(keepAlive.code).to.equal(1);
    expect(keepAlive.stderr).to.contain('requested lease not found');
    const bad = await ctl(['lease', 'revoke', 'xyz']);
    expect(bad.code).to.equal(2);
  });

  it('watches a prefix from a revision with previous values, printing events as etcdctl does', async () => {
    const first = await ctl(['put', 'wk1', 'a', '-w', 'json']);
    const rev = JSON.parse(first.stdout).header.revision as string;
    await ctl(['put', 'wk1', 'b']);
    const watching = ctl(['watch', 'wk', '--prefix', '--rev', rev, '--prev-kv', '--max-events', '3']);
    await ctl(['del', 'wk1']);
    const run = await watching;
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('PUT\nwk1\na\nPUT\nwk1\na\nwk1\nb\nDELETE\nwk1\nb\nwk1\n\n');
  });

  it('prints live events of a single key until it has seen --max-events', async () => {
    let done = false;
    const watching = ctl(['watch', 'live', '--max-events', '2']).finally(() => (done = true));
    // The watch starts at the revision after the one current when it registers: write until it has seen two.
    let n = 0;
    while (!done && n < 500) await ctl(['put', 'live', `v${n++}`]);
    const run = await watching;
    expect(run.code, run.stderr).to.equal(0);
    const values = [...run.stdout.matchAll(/PUT\nlive\nv(\d+)\n/g)].map((m) => Number(m[1]));
    expect(run.stdout).to.match(/^(PUT\nlive\nv\d+\n){2}$/);
    expect(values[1]).to.equal(values[0]! + 1);
  });

  it('reports a watch from a compacted revision as cancelled', async () => {
    const put = await ctl(['put', 'c1', 'x', '-w', 'json']);
    const rev = Number(JSON.parse(put.stdout).header.revision);
    await ctl(['put', 'c1', 'y']);
    expect((await ctl(['compaction', String(rev + 1)])).code).to.equal(0);
    const run = await ctl(['watch', 'c1', '--rev', String(rev)]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('required revision has been compacted');
  });
});
