import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Launcher, alive, freeBasePort, readStateFile, runClusterCommand, tempClusterDir, waitFor } from './launcher-harness.js';

const FAKE_NODE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-node.js');
const FAILING_NODE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'failing-node.js');

/** The PROCESS column of `cluster status` for one node. */
function processColumn(statusOutput: string, name: string): string | undefined {
  const row = statusOutput.split('\n').find((l) => l.startsWith(`| ${name.padStart(4)} |`) || l.includes(`| ${name} |`));
  return row?.split('|').map((c) => c.trim()).at(-2);
}

describe('cluster launcher (with a fake node executable)', function () {
  this.timeout(60_000);
  let dir: string;
  let launcher: Launcher | undefined;

  beforeEach(() => {
    dir = tempClusterDir();
  });

  afterEach(async () => {
    await launcher?.cleanup();
    launcher = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts every node with etcd flags on its own ports, waits for the leader and prints the table', async () => {
    const base = await freeBasePort(6);
    launcher = new Launcher(dir, ['--binary', FAKE_NODE, '--base-port', String(base), '--enable-fault-injection']);
    await launcher.waitForOutput(/cluster ready/, 30_000);

    expect(launcher.stdout).to.match(/\|\s+n1 \| http:\/\/127\.0\.0\.1:\d+ \| http:\/\/127\.0\.0\.1:\d+ \|\s+leader \|\s+2 \|\s+5 \|/);
    expect(launcher.stdout).to.match(/\|\s+n3 \|.*\|\s+follower \|/);
    expect(launcher.stdout).to.contain(`export RAFTKV_ENDPOINTS=http://127.0.0.1:${base},http://127.0.0.1:${base + 2},http://127.0.0.1:${base + 4}`);

    const argv = JSON.parse(fs.readFileSync(path.join(dir, 'data', 'n2', 'argv.json'), 'utf8')) as string[];
    const value = (flag: string): string | undefined => argv[argv.indexOf(flag) + 1];
    expect(value('--name')).to.equal('n2');
    expect(value('--listen-client-urls')).to.equal(`http://127.0.0.1:${base + 2}`);
    expect(value('--listen-peer-urls')).to.equal(`http://127.0.0.1:${base + 3}`);
    expect(value('--initial-cluster')).to.equal(`n1=http://127.0.0.1:${base + 1},n2=http://127.0.0.1:${base + 3},n3=http://127.0.0.1:${base + 5}`);
    expect(value('--initial-cluster-state')).to.equal('new');
    expect(value('--data-dir')).to.equal(path.join(dir, 'data', 'n2'));
    expect(argv).to.include('--enable-fault-injection');
    expect(fs.readFileSync(path.join(dir, 'logs', 'n2.log'), 'utf8')).to.contain('fake node n2 listening');

    const state = launcher.state()!;
    expect(state.launcherPid).to.equal(launcher.pid);
    expect(state.nodes.map((n) => n.name)).to.deep.equal(['n1', 'n2', 'n3']);
    expect(state.nodes.every((n) => alive(n.pid))).to.equal(true);

    await launcher.interrupt(20_000);
    expect(launcher.exitCode).to.equal(0);
    expect(state.nodes.filter((n) => alive(n.pid))).to.deep.equal([]);
    expect(readStateFile(dir)).to.equal(undefined);
    expect(fs.readFileSync(path.join(dir, 'logs', 'n1.log'), 'utf8')).to.contain('fake node n1 stopping');
  });

  it('pauses, resumes, kills and restarts one node through the state file', async () => {
    const base = await freeBasePort(6);
    const locate = ['--base-port', String(base), '--dir', dir];
    launcher = new Launcher(dir, ['--binary', FAKE_NODE, '--base-port', String(base)]);
    await launcher.waitForOutput(/cluster ready/, 30_000);

    expect((await runClusterCommand(['pause', 'n2', ...locate])).code).to.equal(0);
    expect(processColumn((await runClusterCommand(['status', ...locate])).stdout, 'n2')).to.equal('paused');
    expect((await runClusterCommand(['resume', 'n2', ...locate])).code).to.equal(0);
    const status = await runClusterCommand(['status', ...locate]);
    expect(processColumn(status.stdout, 'n2')).to.equal('running');
    expect(status.stdout).to.match(/\|\s+n2 \|.*\|\s+follower \|/);

    const killed = launcher.state()!.nodes.find((n) => n.name === 'n3')!;
    expect((await runClusterCommand(['kill', 'n3', ...locate])).stdout).to.contain(`n3 (pid ${killed.pid}) killed`);
    await waitFor('n3 gone', () => !alive(killed.pid), 10_000);
    await launcher.waitForOutput(/n3 \(pid \d+\) exited with signal SIGKILL/, 10_000);
    const down = await runClusterCommand(['status', ...locate]);
    expect(down.stdout).to.match(/\|\s+n3 \|.*\|\s+down \|/);

    const restarted = await runClusterCommand(['restart', 'n3', ...locate]);
    expect(restarted.code).to.equal(0);
    const newPid = launcher.state()!.nodes.find((n) => n.name === 'n3')!.pid;
    expect(newPid).to.not.equal(killed.pid);
    await waitFor('restarted n3 answering', async () => /\|\s+n3 \|.*\|\s+follower \|/.test((await runClusterCommand(['status', ...locate])).stdout), 15_000);

    // Ctrl-C stops the restarted node too, though the launcher did not start it.
    await launcher.interrupt(20_000);
    expect(launcher.exitCode).to.equal(0);
    expect(alive(newPid)).to.equal(false);
  });

  it('stops a running cluster from another shell with `stop`', async () => {
    const base = await freeBasePort(2);
    launcher = new Launcher(dir, ['--binary', FAKE_NODE, '--base-port', String(base), '--nodes', '1']);
    await launcher.waitForOutput(/cluster ready: 1 nodes, leader n1/, 30_000);
    const pid = launcher.state()!.nodes[0]!.pid;
    const stop = await runClusterCommand(['stop', '--base-port', String(base), '--dir', dir]);
    expect(stop.code).to.equal(0);
    await waitFor('launcher exit', () => launcher!.exitCode !== null, 10_000);
    expect(alive(pid)).to.equal(false);
    expect(readStateFile(dir)).to.equal(undefined);
  });

  it('refuses to start on ports already in use, or a second time from the same directory', async () => {
    const base = await freeBasePort(2);
    launcher = new Launcher(dir, ['--binary', FAKE_NODE, '--base-port', String(base), '--nodes', '1']);
    await launcher.waitForOutput(/cluster ready/, 30_000);

    const otherDir = tempClusterDir();
    try {
      const clash = await runClusterCommand(['start', '--binary', FAKE_NODE, '--base-port', String(base), '--nodes', '1', '--dir', otherDir]);
      expect(clash.code).to.equal(1);
      expect(clash.stderr).to.contain(`port(s) ${base} already in use`);
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
    const again = await runClusterCommand(['start', '--binary', FAKE_NODE, '--base-port', String(base + 100), '--nodes', '1', '--dir', dir]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('a cluster is already running');
  });

  it('stops the other nodes and exits 1 with the log tail when a node dies during startup', async () => {
    const base = await freeBasePort(6);
    launcher = new Launcher(dir, ['--binary', FAILING_NODE, '--base-port', String(base)]);
    expect(await launcher.waitForExit(30_000)).to.equal(1);
    expect(launcher.stdout).to.match(/error: n\d exited with code 3 during startup/);
    expect(launcher.stdout).to.contain('cannot open data dir (on purpose)');
    expect(readStateFile(dir)).to.equal(undefined);
  });

  it('keeps the nodes running with a warning when no leader shows up within --wait-timeout', async () => {
    const base = await freeBasePort(6);
    launcher = new Launcher(dir, ['--binary', FAKE_NODE, '--base-port', String(base), '--wait-timeout', '1000'], { FAKE_NODE_NO_LEADER: '1' });
    await launcher.waitForOutput(/warning: no agreed leader after 1000 ms/, 30_000);
    expect(launcher.stdout).to.match(/\|\s+n1 \|.*\|\s+no leader \|/);
    const pids = launcher.state()!.nodes.map((n) => n.pid);
    expect(pids.every(alive)).to.equal(true);
    await launcher.interrupt(20_000);
    expect(launcher.exitCode).to.equal(0);
    expect(pids.filter(alive)).to.deep.equal([]);
  });

  it('reports bad options as errors without starting anything', async () => {
    const bad = await runClusterCommand(['start', '--binary', FAKE_NODE, '--nodes', '0', '--dir', dir]);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('--nodes must be an integer from 1 to 15');
    const missing = await runClusterCommand(['start', '--binary', path.join(dir, 'no-such-node.js'), '--base-port', String(await freeBasePort(6)), '--dir', dir]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain('not found');
    const noState = await runClusterCommand(['status', '--dir', dir]);
    expect(noState.code).to.equal(1);
    expect(noState.stderr).to.contain('no cluster state');
  });
});
