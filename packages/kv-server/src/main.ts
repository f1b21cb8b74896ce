import fs from 'node:fs';
import { pino } from 'pino';
import { FlagError, helpText, parseFlags } from './config/flags.js';
import { startServer, type ServerHandle } from './server.js';
import { ETCD_SERVER_VERSION } from './http/api-context.js';

/** As `etcd --version` prints it, with the etcd API version raftkv answers like. */
function versionText(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `raftkv Version: ${pkg.version}\netcd API Version: ${ETCD_SERVER_VERSION}\nNode.js Version: ${process.version}\n`;
}

/** The `raftkv` command: etcd-style flags → a running node; SIGINT/SIGTERM stop it cleanly (exit 0). */
export async function main(argv: string[]): Promise<void> {
  let config;
  try {
    const parsed = parseFlags(argv);
    if (parsed === 'help') {
      process.stdout.write(helpText());
      return;
    }
    if (parsed === 'version') {
      process.stdout.write(versionText());
      return;
    }
    config = parsed;
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`raftkv: ${err.message}\nRun 'raftkv --help' for the flags.\n`);
    process.exitCode = 2;
    return;
  }

  const logger = pino({ level: config.logLevel, base: { name: config.name } }, pino.destination(2));
  let server: ServerHandle;
  try {
    server = await startServer(config, { logger });
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'raftkv: failed to start');
    logger.flush();
    process.exitCode = 1;
    return;
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'raftkv: stopping');
    server.close().then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'raftkv: unclean stop');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
