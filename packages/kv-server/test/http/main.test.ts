import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPorts } from '@raftkv/cnet';
import { b64 } from './harness.js';

const BIN = fileURLToPath(new URL('../../../bin/raftkv.js', import.meta.url));

function run(args: string[], cwd: string): { child: ChildProcess; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, stderr: () => stderr };
}

describe('bin/raftkv: the node as a process', function () {
  this.timeout(30000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftkv-bin-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits with code 2 and names the problem on an unknown flag', async () => {
    const p = run(['--no-such-flag'], dir);
    expect(await p.exit).to.equal(2);
    expect(p.stderr()).to.match(/unknown option '--no-such-flag'/);
  });

  it('exits with code 2 on an invalid value', async () => {
    const p = run(['--election-timeout', 'soon'], dir);
    expect(await p.exit).to.equal(2);
    expect(p.stderr()).to.match(/--election-timeout needs a positive integer/);
  });

  it('serves a single-member cluster, logs JSON to stderr, and exits 0 on SIGTERM', async () => {
    const [client, peer] = await freeLoopbackPorts(2);
    const url = `http://127.0.0.1:${client}`;
    const p = run(
      [
        '--name', 'solo',
        '--listen-client-urls', url,
        '--advertise-client-urls', url,
        '--listen-peer-urls', `http://127.0.0.1:${peer}`,
        '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
        '--initial-cluster', `solo=http://127.0.0.1:${peer}`,
        '--heartbeat-interval', '50',
        '--election-timeout', '500',
      ],
      dir,
    );
    try {
      const deadline = Date.now() + 20000;
      for (;;) {
        const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`node never became healthy: ${p.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const put = await fetch(`${url}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: b64('x'), value: b64('y') }) });
      expect(put.status).to.equal(200);
      p.child.kill('SIGTERM');
      expect(await p.exit).to.equal(0);
      const firstLine = JSON.parse(p.stderr().split('\n')[0]!) as { level: number; name: string };
      expect(firstLine.name).to.equal('solo');
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });
});
