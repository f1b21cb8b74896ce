/** Command line of the cluster launcher (commander). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { restartNode, showStatus, signalNode, stopCluster } from './control.js';
import { DEFAULT_BASE_PORT, defaultClusterDir } from './layout.js';
import { startCluster } from './start.js';

/** scripts/dist/cluster/cli.js → the repository root. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_BINARY = path.join(REPO_ROOT, 'packages/kv-server/bin/raftkv.js');
const SERVER_ENTRY = path.join(REPO_ROOT, 'packages/kv-server/dist/src/main.js');

interface LocateFlags {
  basePort: string;
  dir?: string;
  stopGrace: string;
}

function integer(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${flag} needs a non-negative integer, got "${text}"`);
  return Number(text);
}

function locate(flags: LocateFlags): { dir: string; basePort: number; graceMs: number } {
  const basePort = integer(flags.basePort, '--base-port');
  return {
    basePort,
    dir: flags.dir !== undefined ? path.resolve(flags.dir) : defaultClusterDir(basePort, process.cwd()),
    graceMs: integer(flags.stopGrace, '--stop-grace'),
  };
}

function withLocation(cmd: Command): Command {
  return cmd
    .option('--base-port <port>', 'first port of the cluster (client ports base, base+2, …; peer ports +1)', String(DEFAULT_BASE_PORT))
    .option('--dir <path>', 'cluster directory (default .cluster, or .cluster/base-<base-port> for another base port)')
    .option('--stop-grace <ms>', 'wait this long after SIGTERM before SIGKILL', '5000');
}

export async function runClusterCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('cluster').description('run a local raftkv cluster on 127.0.0.1').exitOverride();

  withLocation(program.command('start').description('start the nodes, wait for a leader, keep running until Ctrl-C'))
    .option('--nodes <n>', 'number of nodes', '3')
    .option('--fresh', 'wipe the data and logs of previous runs first')
    .option('--enable-fault-injection', 'let `raftkv-ctl fault …` change the nodes\' network faults')
    .option('--heartbeat-interval <ms>', 'raft heartbeat interval', '100')
    .option('--election-timeout <ms>', 'raft election timeout', '1000')
    .option('--wait-timeout <ms>', 'how long to wait for a leader', '30000')
    .addOption(new Option('--binary <path>', 'node executable taking etcd flags (e.g. etcd, for comparison)').hideHelp())
    .action(async (opts: LocateFlags & Record<string, string | boolean | undefined>) => {
      const where = locate(opts);
      const binary = typeof opts.binary === 'string' ? (opts.binary.includes('/') ? path.resolve(opts.binary) : opts.binary) : DEFAULT_BINARY;
      if (binary === DEFAULT_BINARY && !(await import('node:fs')).existsSync(SERVER_ENTRY))
        throw new Error(`the raftkv server is not built (${SERVER_ENTRY} missing): run \`npm run build\``);
      exitCode = await startCluster(
        {
          nodes: integer(String(opts.nodes), '--nodes'),
          basePort: where.basePort,
          dir: where.dir,
          enableFaultInjection: opts.enableFaultInjection === true,
          heartbeatMs: integer(String(opts.heartbeatInterval), '--heartbeat-interval'),
          electionMs: integer(String(opts.electionTimeout), '--election-timeout'),
          binary,
          fresh: opts.fresh === true,
          waitTimeoutMs: integer(String(opts.waitTimeout), '--wait-timeout'),
          stopGraceMs: where.graceMs,
        },
        `${where.basePort === DEFAULT_BASE_PORT ? '' : ` --base-port ${where.basePort}`}${opts.dir === undefined ? '' : ` --dir ${opts.dir}`}`,
      );
    });

  withLocation(program.command('status').description('print each node\'s role, term, applied index and process state')).action(async (opts: LocateFlags) => {
    exitCode = await showStatus(locate(opts).dir);
  });
  withLocation(program.command('stop').description('stop every node (SIGTERM, then SIGKILL after --stop-grace)')).action(async (opts: LocateFlags) => {
    const where = locate(opts);
    exitCode = await stopCluster(where.dir, where.graceMs);
  });
  withLocation(program.command('restart').description('stop a node (if running) and start it again').argument('<name>')).action(
    async (name: string, opts: LocateFlags) => {
      const where = locate(opts);
      exitCode = await restartNode(where.dir, name, where.graceMs);
    },
  );
  const signals = { kill: ['SIGKILL', 'kill a node with SIGKILL'], pause: ['SIGSTOP', 'freeze a node (SIGSTOP)'], resume: ['SIGCONT', 'unfreeze a paused node (SIGCONT)'] } as const;
  for (const [name, [sig, description]] of Object.entries(signals))
    withLocation(program.command(name).description(description).argument('<name>')).action(async (node: string, opts: LocateFlags) => {
      exitCode = await signalNode(locate(opts).dir, node, sig);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}
