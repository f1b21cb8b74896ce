/** `raftkv-ctl fault …`: builds a cnet FaultPlan and POSTs it to /raftkv/fault on every member. */
import type { Command } from 'commander';
import type { CtlContext } from './context.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { buildFaultPlan, parseNameList, type FaultSpec, type LinkSelection } from './fault-plan.js';
import type { ContextFactory } from './kv-commands.js';
import type { ExitCodeSink } from './cluster-commands.js';
import { decodeMemberList, decodeStatus } from './wire.js';

export const FAULT_ROUTE = '/raftkv/fault';

interface CommonFaultFlags {
  seed?: string;
  dryRun?: boolean;
  members?: string;
}

interface Target {
  name: string;
  url: string | undefined;
}

function number(text: string | undefined, flag: string): number {
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} needs a number, got "${text ?? ''}"`);
  return n;
}

function selection(opts: { from?: string; to?: string }): LinkSelection {
  const out: LinkSelection = {};
  const from = parseNameList(opts.from);
  const to = parseNameList(opts.to);
  if (from) out.from = from;
  if (to) out.to = to;
  return out;
}

/** Members by name with their first client URL; --members skips asking the cluster (for --dry-run). */
async function targets(c: CtlContext, flags: CommonFaultFlags): Promise<Target[]> {
  const given = parseNameList(flags.members);
  if (given) return given.map((name) => ({ name, url: undefined }));
  const client = c.client();
  const members = decodeMemberList(await client.call('/v3/cluster/member/list', {})).members;
  // A member list may lack other members' client URLs; the --endpoints then say who they are.
  const byId = new Map<string, string>();
  if (members.some((m) => m.clientURLs.length === 0))
    for (const endpoint of client.endpoints) {
      const memberId = await client
        .callAt(endpoint, 'POST', '/v3/maintenance/status', {}, client.attemptTimeoutMs)
        .then((raw) => decodeStatus(raw).header.memberId, () => undefined);
      if (memberId !== undefined && !byId.has(memberId)) byId.set(memberId, endpoint);
    }
  return members.map((m) => ({ name: m.name, url: m.clientURLs[0] ?? byId.get(m.id) }));
}

async function applyFault(c: CtlContext, spec: FaultSpec, flags: CommonFaultFlags, setExitCode: ExitCodeSink): Promise<void> {
  const seed = flags.seed === undefined ? Date.now() % 2 ** 31 : number(flags.seed, '--seed');
  const nodes = await targets(c, flags);
  const plan = buildFaultPlan(spec, nodes.map((n) => n.name), seed);
  if (flags.dryRun) return c.json(plan);
  const results: Array<{ name: string; ok: boolean; error?: string }> = [];
  for (const node of nodes) {
    if (node.url === undefined) {
      results.push({ name: node.name, ok: false, error: 'no client URL known: list its endpoint in --endpoints' });
      continue;
    }
    try {
      await c.client().callAt(node.url, 'POST', FAULT_ROUTE, plan, c.client().commandTimeoutMs);
      results.push({ name: node.name, ok: true });
    } catch (err) {
      results.push({ name: node.name, ok: false, error: (err as Error).message });
    }
  }
  if (c.format === 'json') c.json({ plan, results });
  else
    for (const r of results)
      if (r.ok) c.io.stdout(`${r.name}: fault plan applied\n`);
      else c.io.stderr(`Error: ${r.name}: ${r.error}\n`);
  if (results.some((r) => !r.ok)) setExitCode(ExitCode.RequestError);
}

function common(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'seed of the plan\'s random choices (default: from the clock)')
    .option('--dry-run', 'print the plan as JSON instead of sending it')
    .option('--members <names>', 'member names to plan for, instead of asking the cluster (with --dry-run)');
}

export function addFaultCommands(program: Command, ctx: ContextFactory, setExitCode: ExitCodeSink): void {
  const fault = program
    .command('fault')
    .description('injects network faults between nodes started with --enable-fault-injection; each command replaces the previous plan');

  common(fault.command('delay').description('delays messages on the selected links'))
    .option('--from <names>', 'senders, comma-separated (default: every member)')
    .option('--to <names>', 'receivers, comma-separated (default: every member)')
    .requiredOption('--ms <ms>', 'fixed delay in ms')
    .option('--jitter <ms>', 'extra uniform delay in [0, jitter) ms')
    .option('--reorder', 'let jitter reorder messages on a link')
    .action(async (opts: CommonFaultFlags & { from?: string; to?: string; ms: string; jitter?: string; reorder?: boolean }) => {
      const spec: FaultSpec = { kind: 'delay', delayMs: number(opts.ms, '--ms'), ...selection(opts) };
      if (opts.jitter !== undefined) spec.jitterMs = number(opts.jitter, '--jitter');
      if (opts.reorder) spec.reorder = true;
      await applyFault(ctx(), spec, opts, setExitCode);
    });

  for (const kind of ['drop', 'duplicate'] as const)
    common(fault.command(kind).description(kind === 'drop' ? 'drops messages on the selected links' : 'sends messages twice on the selected links'))
      .option('--from <names>', 'senders, comma-separated (default: every member)')
      .option('--to <names>', 'receivers, comma-separated (default: every member)')
      .requiredOption('--rate <p>', 'probability in [0, 1]')
      .action(async (opts: CommonFaultFlags & { from?: string; to?: string; rate: string }) => {
        await applyFault(ctx(), { kind, rate: number(opts.rate, '--rate'), ...selection(opts) }, opts, setExitCode);
      });

  common(fault.command('partition').description('cuts links both ways: `partition n1 --from-rest` or `partition --between n1,n2`'))
    .argument('[group]', 'members to cut off from the rest, comma-separated')
    .option('--from-rest', 'cut every link between the group and the other members')
    .option('--between <names>', 'cut every link among these members')
    .action(async (group: string | undefined, opts: CommonFaultFlags & { fromRest?: boolean; between?: string }) => {
      let spec: FaultSpec;
      if (opts.between !== undefined) {
        if (group !== undefined || opts.fromRest) throw new UsageError('use either `partition <group> --from-rest` or `partition --between a,b`');
        spec = { kind: 'partition-between', nodes: parseNameList(opts.between) ?? [] };
      } else {
        if (group === undefined || !opts.fromRest) throw new UsageError('use `partition <group> --from-rest` or `partition --between a,b`');
        spec = { kind: 'partition-from-rest', group: parseNameList(group) ?? [] };
      }
      await applyFault(ctx(), spec, opts, setExitCode);
    });

  common(fault.command('heal').description('removes every fault'))
    .action(async (opts: CommonFaultFlags) => {
      await applyFault(ctx(), { kind: 'heal' }, opts, setExitCode);
    });
}
