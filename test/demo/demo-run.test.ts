import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from './demo-modules.js';

const DEMO = path.join(REPO_ROOT, 'scripts/dist/demo.js');
/** Short scenes and raft timings so the whole run stays well under a minute, even on a busy machine. */
const SHORT = ['--scene-seconds', '2', '--heartbeat-interval', '50', '--election-timeout', '500', '--delay-ms', '150', '--jitter-ms', '30', '--long-delay-ms', '1200', '--clients-per-node', '1', '--width', '80'];

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startDemo(args: string[]): Run {
  const child = spawn(process.execPath, [DEMO, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Pids whose command line mentions `text` (Linux /proc). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}

describe('npm run demo (end to end, short scenes)', function () {
  this.timeout(90_000);
  const runs: Run[] = [];
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftkv-demo-test-'));
  });

  afterEach(async () => {
    for (const run of runs.splice(0)) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill('SIGKILL');
        await run.exited;
      }
    }
    for (const pid of processesMentioning(dir)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('walks through the five scenes and ends with every acknowledged write on every node, exit 0', async () => {
    const run = startDemo([...SHORT, '--dir', dir]);
    runs.push(run);
    const timer = setTimeout(() => run.child.kill('SIGTERM'), 75_000);
    const { code } = await run.exited.finally(() => clearTimeout(timer));
    const text = run.output();
    expect(code, text).to.equal(0);
    for (let n = 1; n <= 5; n++) expect(text).to.contain(`scene ${n}/5:`);
    expect(text).to.contain('timeline:');
    const lines = text.trimEnd().split('\n');
    const last = lines[lines.length - 1]!;
    const match = /^demo: (\d+) acknowledged writes, all present on all nodes$/.exec(last);
    expect(match, text).to.not.equal(null);
    expect(Number(match![1])).to.be.above(0);
    // Every node was stopped, and without --keep the data and logs are gone.
    expect(processesMentioning(dir)).to.deep.equal([]);
    expect(fs.existsSync(path.join(dir, 'data'))).to.equal(false);
  });

  it('stops every node when interrupted (Ctrl-C) in the middle of a scene, keeping the logs with --keep', async () => {
    const run = startDemo([...SHORT, '--scene-seconds', '30', '--dir', dir, '--keep']);
    runs.push(run);
    expect(await waitFor(() => run.output().includes('scene 1/5:'), 45_000), run.output()).to.equal(true);
    expect(processesMentioning(path.join(dir, 'data'))).to.have.length(3);
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code, run.output()).to.equal(130);
    expect(processesMentioning(path.join(dir, 'data'))).to.deep.equal([]);
    expect(fs.existsSync(path.join(dir, 'logs', 'n1.log'))).to.equal(true);
  });

  it('refuses timings that contradict a scene, before starting anything', async () => {
    const run = startDemo(['--election-timeout', '500', '--delay-ms', '600', '--dir', dir]);
    runs.push(run);
    const { code } = await run.exited;
    expect(code).to.equal(2);
    expect(run.output()).to.match(/--delay-ms \+ --jitter-ms/);
    expect(fs.existsSync(path.join(dir, 'data'))).to.equal(false);
  });
});
