import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get, op, put, read, toEvents, wrote } from './history-builder.js';
import { parseHistoryText, toJsonLines } from './history-io.js';

const cli = fileURLToPath(new URL('./cli.js', import.meta.url));

describe('linearizability CLI and history files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'raftkv-lin-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function run(fileContent: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const file = join(dir, 'history.jsonl');
    writeFileSync(file, fileContent);
    const result = spawnSync(process.execPath, [cli, file, ...args], { encoding: 'utf8', timeout: 15_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  const valid = toEvents([op(1, 0, 1, put('a'), wrote), op(2, 2, 3, get(), read('a'))]);
  const stale = toEvents([op(1, 0, 1, put('a'), wrote), op(1, 2, 3, put('b'), wrote), op(2, 4, 5, get(), read('a'))]);

  it('round-trips events through JSON Lines and reads a JSON array too', () => {
    expect(parseHistoryText(toJsonLines(stale))).to.deep.equal(stale);
    expect(parseHistoryText(JSON.stringify(stale))).to.deep.equal(stale);
  });

  it('exits 0 for a linearizable history', () => {
    const result = run(toJsonLines(valid));
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('linearizability: VALID');
  });

  it('exits 1 and prints the violation timeline for a non-linearizable one', () => {
    const result = run(JSON.stringify(stale));
    expect(result.status, result.stderr).to.equal(1);
    expect(result.stdout).to.contain('linearizability: INVALID');
    expect(result.stdout).to.contain('get -> "a"');
  });

  it('exits 2 when the budget runs out', () => {
    const result = run(toJsonLines(stale), '--max-steps', '1');
    expect(result.status, result.stderr).to.equal(2);
    expect(result.stdout).to.contain('UNKNOWN');
  });

  it('exits 3 with a clear message on malformed input, a missing file or a bad flag', () => {
    const broken = run('{"type":"invoke"\n');
    expect(broken.status).to.equal(3);
    expect(broken.stderr).to.match(/line 1 is not valid JSON/);

    const orphan = run(JSON.stringify([{ type: 'ok', process: 1, opId: 4, time: 1, result: { f: 'put' } }]));
    expect(orphan.status).to.equal(3);
    expect(orphan.stderr).to.match(/op 4 completes \(ok\) before any invoke/);

    const missing = spawnSync(process.execPath, [cli, join(dir, 'nope.jsonl')], { encoding: 'utf8', timeout: 15_000 });
    expect(missing.status).to.equal(3);
    expect(missing.stderr).to.match(/ENOENT/);

    const badFlag = run(toJsonLines(valid), '--timeout-ms', 'soon');
    expect(badFlag.status).to.equal(3);
    expect(badFlag.stderr).to.match(/--timeout-ms must be a positive number/);
  });
});
