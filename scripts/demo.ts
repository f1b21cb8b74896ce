/**
 * `npm run demo`: a 3-node raftkv cluster of its own, a steady load, and five fault scenes (delays, an election,
 * a partition, a heal), ending with a check that every acknowledged write is on every node. Flags: see --help.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoCluster } from './demo/cluster.js';
import { DemoArgError, parseDemoArgs } from './demo/options.js';
import { Aborted, runDemo } from './demo/run.js';

/** scripts/dist/demo.js → the repository root. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BINARY = path.join(REPO_ROOT, 'packages/kv-server/bin/raftkv.js');
const SERVER_ENTRY = path.join(REPO_ROOT, 'packages/kv-server/dist/src/main.js');
const STOP_GRACE_MS = 3000;

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseDemoArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof DemoArgError) {
      process.stderr.write(`demo: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') return 0;
  if (!fs.existsSync(SERVER_ENTRY)) {
    process.stderr.write(`demo: the raftkv server is not built (${SERVER_ENTRY} missing): run \`npm run build\`\n`);
    return 2;
  }
  const dir = options.dir !== undefined ? path.resolve(options.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'raftkv-demo-'));
  if (options.dir !== undefined) {
    fs.rmSync(path.join(dir, 'data'), { recursive: true, force: true });
    fs.rmSync(path.join(dir, 'logs'), { recursive: true, force: true });
  }

  let cluster: DemoCluster | undefined;
  let interrupted = false;
  let cleaned: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaned ??= (async () => {
      await cluster?.stop(STOP_GRACE_MS);
      if (options.keep) print(`kept the cluster directory: ${dir} (data/, logs/)`);
      else if (options.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
      else for (const sub of ['data', 'logs']) fs.rmSync(path.join(dir, sub), { recursive: true, force: true });
    })());
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) {
      cluster?.killNow();
      process.exit(130);
    }
    interrupted = true;
    print(`\n${sig}: stopping the cluster …`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => cluster?.killNow());

  try {
    return await runDemo({ options, binary: BINARY, dir, print, onCluster: (c) => (cluster = c), aborted: () => interrupted });
  } catch (err) {
    if (err instanceof Aborted) return 130;
    process.stderr.write(`demo failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await cleanUp();
  }
}

process.exitCode = await main();
