/** member list, endpoint status and endpoint health, printed like etcdctl's simple/json/table outputs. */
import type { Command } from 'commander';
import type { CtlContext } from './context.js';
import { EndpointUnreachableError } from './etcd-json-client.js';
import { ExitCode } from './exit-codes.js';
import type { ContextFactory } from './kv-commands.js';
import {
  HEALTH_HEADERS,
  MEMBER_HEADERS,
  STATUS_HEADERS,
  formatDuration,
  formatHealthLine,
  formatRows,
  healthRow,
  memberRow,
  statusRow,
} from './simple-output.js';
import { renderTable } from './table.js';
import { decodeMemberList, decodeStatus } from './wire.js';

/** Sets the process exit code without failing the command: some endpoints answered, some did not. */
export type ExitCodeSink = (code: number) => void;

async function targetEndpoints(c: CtlContext, cluster: boolean): Promise<string[]> {
  if (!cluster) return c.client().endpoints.slice();
  const members = decodeMemberList(await c.client().call('/v3/cluster/member/list', {})).members;
  return members.flatMap((m) => m.clientURLs);
}

export function addClusterCommands(program: Command, ctx: ContextFactory, setExitCode: ExitCodeSink): void {
  const member = program.command('member').description('membership related commands');
  member
    .command('list')
    .description('lists all members in the cluster')
    .action(async () => {
      const c = ctx();
      const raw = await c.client().call('/v3/cluster/member/list', {});
      if (c.format === 'json') return c.json(raw);
      const rows = decodeMemberList(raw).members.map(memberRow);
      c.io.stdout(c.format === 'table' ? renderTable(MEMBER_HEADERS, rows) : formatRows(rows));
    });

  const endpoint = program.command('endpoint').description('endpoint related commands');
  endpoint
    .command('status')
    .description('prints out the status of the endpoints given in --endpoints')
    .option('--cluster', 'use all endpoints from the cluster member list')
    .action(async (opts: { cluster?: boolean }) => {
      const c = ctx();
      const client = c.client();
      const answers: Array<{ endpoint: string; raw: unknown }> = [];
      let unreachable = 0;
      const endpoints = await targetEndpoints(c, opts.cluster === true);
      for (const ep of endpoints) {
        try {
          answers.push({ endpoint: ep, raw: await client.callAt(ep, 'POST', '/v3/maintenance/status', {}, client.commandTimeoutMs) });
        } catch (err) {
          if (err instanceof EndpointUnreachableError) unreachable++;
          c.io.stderr(`Failed to get the status of endpoint ${ep} (${(err as Error).message})\n`);
        }
      }
      if (c.format === 'json') c.json(answers.map((a) => ({ Endpoint: a.endpoint, Status: a.raw })));
      else {
        const rows = answers.map((a) => statusRow(a.endpoint, decodeStatus(a.raw)));
        c.io.stdout(c.format === 'table' ? renderTable(STATUS_HEADERS, rows) : formatRows(rows));
      }
      if (answers.length < endpoints.length) setExitCode(unreachable === endpoints.length ? ExitCode.Unreachable : ExitCode.RequestError);
    });

  endpoint
    .command('health')
    .description('checks the healthiness of endpoints given in --endpoints')
    .option('--cluster', 'use all endpoints from the cluster member list')
    .action(async (opts: { cluster?: boolean }) => {
      const c = ctx();
      const endpoints = await targetEndpoints(c, opts.cluster === true);
      const results = await Promise.all(endpoints.map((ep) => c.client().health(ep)));
      if (c.format === 'json')
        c.json(results.map((h) => ({ endpoint: h.endpoint, health: h.health, took: formatDuration(h.tookMs), ...(h.error ? { error: h.error } : {}) })));
      else if (c.format === 'table') c.io.stdout(renderTable(HEALTH_HEADERS, results.map(healthRow)));
      else for (const h of results) if (h.health) c.io.stdout(formatHealthLine(h));
        else c.io.stderr(formatHealthLine(h));
      if (results.some((h) => !h.health)) {
        if (c.format === 'simple') c.io.stderr('Error: unhealthy cluster\n');
        setExitCode(ExitCode.RequestError);
      }
    });
}
