/**
 * Local cluster launcher: `npm start` (3 nodes on 127.0.0.1), `npm start -- --nodes 5`, and
 * `npm run cluster -- status|stop|kill <n>|restart <n>|pause <n>|resume <n>` against a running one.
 * Ports and directories: see cluster/layout.ts.
 */
import { runClusterCli } from './cluster/cli.js';

process.exitCode = await runClusterCli(process.argv.slice(2));
