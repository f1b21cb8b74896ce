/** raftkv-ctl: an etcdctl-like command-line client for raftkv (and etcd) over the v3 JSON API. */
import { Command, CommanderError } from 'commander';
import { addClusterCommands } from './cluster-commands.js';
import { CtlContext, defaultEndpoints, type CtlIo, type GlobalFlags } from './context.js';
import { EtcdRequestError, NoEndpointReachableError } from './etcd-json-client.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { addFaultCommands } from './fault-command.js';
import { addKvCommands } from './kv-commands.js';
import { addLeaseCommands } from './lease-command.js';
import { addWatchCommand } from './watch-command.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  the server answered with an error (printed as "Error: <message>"), or some endpoints failed
  2  usage error: bad flags, arguments or txn input
  3  no endpoint reachable within --command-timeout`;

/** Runs one command line (without the node and script arguments) and returns its exit code. */
export async function runCtl(argv: string[], io: CtlIo): Promise<number> {
  let context: CtlContext | undefined;
  let exitCode: number = ExitCode.Success;
  const program = new Command('raftkv-ctl');
  program
    .description('A command-line client for raftkv (and etcd) speaking the v3 JSON API.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(add --help for usage)')
    .option('--endpoints <urls>', 'comma-separated endpoints (env RAFTKV_ENDPOINTS or ETCDCTL_ENDPOINTS)', defaultEndpoints(io.env))
    .option('-w, --write-out <format>', 'output format: simple, json or table', 'simple')
    .option('--command-timeout <duration>', 'bound on one command across all endpoints tried', '5s')
    .option('--dial-timeout <duration>', 'an endpoint silent this long is treated as down while others remain', '2s')
    .addHelpText('after', EXIT_CODES_HELP);

  const ctx = (): CtlContext => (context ??= new CtlContext(io, program.opts<GlobalFlags>()));
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  addKvCommands(program, ctx);
  addClusterCommands(program, ctx, setExitCode);
  addFaultCommands(program, ctx, setExitCode);
  addWatchCommand(program, ctx);
  addLeaseCommands(program, ctx);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(err, io);
  } finally {
    context?.close();
  }
}

function reportError(err: unknown, io: CtlIo): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message; help and version are successes.
    if (err.exitCode === 0 || err.code === 'commander.help' || err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
      return ExitCode.Success;
    return ExitCode.UsageError;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr(`Error: ${message}\n`);
  if (err instanceof UsageError) return ExitCode.UsageError;
  if (err instanceof EtcdRequestError) return ExitCode.RequestError;
  if (err instanceof NoEndpointReachableError) return ExitCode.Unreachable;
  return ExitCode.RequestError;
}
