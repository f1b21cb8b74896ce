import fs from 'node:fs';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { EtcdJsonClient, runCtl } from '@raftkv/kv-server';
import { Launcher, alive, freeBasePort, runClusterCommand, tempClusterDir, waitFor } from './launcher-harness.js';

async function ctl(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // A generous bound: the machine is shared, and speed is not what this test is about.
  const code = await runCtl(['--command-timeout', '30s', ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdin: Readable.from([]), env: {} });
  return { code, stdout, stderr };
}

/** Retries a write until it succeeds or the deadline passes: after a leader dies, the next election takes a while. */
async function eventually<T>(what: string, action: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await action();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what} kept failing for ${timeoutMs} ms: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('local raftkv cluster (the raftkv executable, started by the launcher)', function () {
  this.timeout(180_000);
  let dir: string;
  let launcher: Launcher | undefined;
  let client: EtcdJsonClient | undefined;

  beforeEach(() => {
    dir = tempClusterDir();
  });

  afterEach(async () => {
    client?.close();
    await launcher?.cleanup();
    launcher = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves writes through the ctl, survives the leader being killed and restarted, and stops cleanly', async () => {
    const base = await freeBasePort(6);
    const locate = ['--base-port', String(base), '--dir', dir];
    launcher = new Launcher(dir, ['--base-port', String(base), '--enable-fault-injection']);
    await launcher.waitForOutput(/cluster ready: 3 nodes, leader (n\d)/, 60_000);
    const leaderName = /cluster ready: 3 nodes, leader (n\d)/.exec(launcher.stdout)![1]!;
    const nodes = launcher.state()!.nodes;
    const endpoints = nodes.map((n) => n.clientUrl).join(',');
    client = new EtcdJsonClient({ endpoints: nodes.map((n) => n.clientUrl), commandTimeoutMs: 10_000, attemptTimeoutMs: 3000 });

    expect(await ctl(['--endpoints', endpoints, 'put', 'greeting', 'hello'])).to.deep.equal({ code: 0, stdout: 'OK\n', stderr: '' });
    expect((await ctl(['--endpoints', endpoints, 'get', 'greeting'])).stdout).to.equal('greeting\nhello\n');
    const members = await ctl(['--endpoints', endpoints, 'member', 'list']);
    expect(members.stdout.split('\n').filter((l) => l !== '')).to.have.length(3);

    const leader = nodes.find((n) => n.name === leaderName)!;
    expect((await runClusterCommand(['kill', leaderName, ...locate])).code).to.equal(0);
    await waitFor('the old leader gone', () => !alive(leader.pid), 10_000);
    await eventually('a write after the leader died', () => client!.put({ key: Buffer.from('greeting'), value: Buffer.from('again') }), 60_000);
    const read = await client.range({ key: Buffer.from('greeting') });
    expect(read.kvs[0]!.value.toString()).to.equal('again');

    expect((await runClusterCommand(['restart', leaderName, ...locate])).code).to.equal(0);
    await waitFor(
      `${leaderName} back, caught up`,
      async () => {
        const status = await client!.status(leader.clientUrl).catch(() => undefined);
        return status !== undefined && status.leader !== '0' && status.raftAppliedIndex >= read.header.revision;
      },
      60_000,
    );
    const back = await ctl(['--endpoints', leader.clientUrl, 'get', 'greeting']);
    expect(back.stdout).to.equal('greeting\nagain\n');

    const partition = await ctl(['--endpoints', endpoints, 'fault', 'partition', leaderName, '--from-rest']);
    expect(partition.code, partition.stderr).to.equal(0);
    expect((await ctl(['--endpoints', endpoints, 'fault', 'heal'])).code).to.equal(0);

    const pids = launcher.state()!.nodes.map((n) => n.pid);
    await launcher.interrupt(30_000);
    expect(launcher.exitCode).to.equal(0);
    expect(pids.filter(alive)).to.deep.equal([]);
  });
});
