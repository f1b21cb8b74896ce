import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/scripts-module.js';
import { benchModule, type HeapSummaryModule } from './bench-modules.js';

describe('bench heap profiles', () => {
  let heap: HeapSummaryModule;
  before(async () => {
    heap = await benchModule<HeapSummaryModule>('heap-summary.js');
  });

  it('gives bytes allocated per function, self and inclusive, counting a recursion once', () => {
    const frame = (functionName: string) => ({ functionName, url: 'file:///r/packages/raft/dist/src/core/a.js', lineNumber: 0 });
    type Node = { callFrame: ReturnType<typeof frame>; selfSize: number; children: Node[] };
    const node = (name: string, selfSize: number, children: Node[] = []): Node => ({ callFrame: frame(name), selfSize, children });
    // root → walk(100) → walk(200) → leaf(300); root → other(400): 1,000 bytes in all.
    const profile = { head: node('(root)', 0, [node('walk', 100, [node('walk', 200, [node('leaf', 300)])]), node('other', 400)]) };
    const text = heap.summarizeHeapProfile(profile, 10);
    const section = (title: string): string => text.split(title)[1]!.split('\n\n')[0]!;
    expect(text).to.match(/^sampled 0\.0 MB allocated/);
    expect(section('allocated by the function itself:')).to.match(/40\.0%\s+0\.0 MB\s+other /);
    expect(section('allocated by the function itself:')).to.match(/30\.0%\s+0\.0 MB\s+walk /);
    expect(section('allocated by the function or its callees:')).to.match(/60\.0%\s+0\.0 MB\s+walk /);
    expect(section('allocated by the function or its callees:')).to.match(/100\.0%\s+0\.0 MB\s+\(root\)/);
  });

  it('records a node named by --name through the preload, and profile-top summarizes the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heap-sampler-'));
    try {
      const script = path.join(dir, 'allocate.mjs');
      // Allocates for 600 ms; the sampler records from its start for 200 ms.
      fs.writeFileSync(script, 'const keep = []; const t = setInterval(() => { keep.push(new Array(1000).fill(Math.random())); if (keep.length > 50) keep.shift(); }, 1); setTimeout(() => clearInterval(t), 600);\n');
      const sampler = path.join(REPO_ROOT, 'scripts/dist/bench/heap-sampler.js');
      const run = spawnSync(process.execPath, ['--import', sampler, script, '--name', 'probe'], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, RAFTKV_HEAP_SAMPLE: `${dir},0,200` },
      });
      expect(run.stderr).to.equal('');
      expect(run.status).to.equal(0);
      const file = path.join(dir, 'heap-probe.heapprofile');
      expect(fs.existsSync(file)).to.equal(true);
      const top = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/dist/bench/profile-top.js'), file, '--top', '5'], { encoding: 'utf8', timeout: 15_000 });
      expect(top.status).to.equal(0);
      expect(top.stdout).to.match(/^sampled \d+\.\d MB allocated \(garbage included\)/);
      expect(top.stdout).to.contain('allocate.mjs');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
