/** raftkv-ctl lease grant|revoke|timetolive|list|keep-alive: etcdctl's lease commands over the JSON API. */
import type { Command } from 'commander';
import type { CtlContext } from './context.js';
import { EtcdRequestError } from './etcd-json-client.js';
import { UsageError } from './exit-codes.js';
import { parseCount } from './key-range.js';
import type { WireObject } from './wire.js';

type ContextFactory = () => CtlContext;

/** Lease ids as etcdctl prints and reads them: hexadecimal, printed with 16 digits. */
export function leaseIdToHex(id: string | number | undefined): string {
  return BigInt(id ?? 0).toString(16).padStart(16, '0');
}

export function parseLeaseId(text: string): string {
  if (!/^[0-9a-fA-F]{1,16}$/.test(text)) throw new UsageError(`bad lease ID "${text}": use the hexadecimal ID that grant printed`);
  return BigInt(`0x${text}`).toString(10);
}

const num = (v: unknown): number => Number(v ?? 0);

export function formatTimeToLive(resp: WireObject, withKeys: boolean): string {
  const id = leaseIdToHex(resp.ID as string);
  if (num(resp.TTL) === -1) return `lease ${id} already expired\n`;
  let text = `lease ${id} granted with TTL(${num(resp.grantedTTL)}s), remaining(${num(resp.TTL)}s)`;
  if (withKeys) {
    const keys = ((resp.keys as string[] | undefined) ?? []).map((k) => Buffer.from(k, 'base64').toString('utf8'));
    text += `, attached keys([${keys.join(' ')}])`;
  }
  return `${text}\n`;
}

export function addLeaseCommands(program: Command, ctx: ContextFactory): void {
  const lease = program.command('lease').description('lease related commands');

  lease
    .command('grant')
    .description('creates a lease with the given TTL (seconds)')
    .argument('<ttl>')
    .action(async (ttlText: string) => {
      const c = ctx();
      const raw = (await c.client().call('/v3/lease/grant', { TTL: parseCount(ttlText, 'ttl') })) as WireObject;
      if (c.format === 'json') return c.json(raw);
      c.io.stdout(`lease ${leaseIdToHex(raw.ID as string)} granted with TTL(${num(raw.TTL)}s)\n`);
    });

  lease
    .command('revoke')
    .description('revokes a lease (its keys are deleted)')
    .argument('<leaseID>')
    .action(async (idText: string) => {
      const c = ctx();
      const id = parseLeaseId(idText);
      const raw = await c.client().call('/v3/lease/revoke', { ID: id });
      if (c.format === 'json') return c.json(raw);
      c.io.stdout(`lease ${leaseIdToHex(id)} revoked\n`);
    });

  lease
    .command('timetolive')
    .description('gets the remaining TTL of a lease')
    .argument('<leaseID>')
    .option('--keys', 'also list the keys attached to the lease')
    .action(async (idText: string, opts: { keys?: boolean }) => {
      const c = ctx();
      const raw = (await c.client().call('/v3/lease/timetolive', { ID: parseLeaseId(idText), keys: opts.keys === true })) as WireObject;
      if (c.format === 'json') return c.json(raw);
      c.io.stdout(formatTimeToLive(raw, opts.keys === true));
    });

  lease
    .command('list')
    .description('lists all active leases')
    .action(async () => {
      const c = ctx();
      const raw = (await c.client().call('/v3/lease/leases', {})) as WireObject;
      if (c.format === 'json') return c.json(raw);
      const ids = ((raw.leases as WireObject[] | undefined) ?? []).map((l) => leaseIdToHex(l.ID as string));
      c.io.stdout(`found ${ids.length} leases\n${ids.map((id) => `${id}\n`).join('')}`);
    });

  lease
    .command('keep-alive')
    .description('keeps a lease alive, renewing it every third of its TTL until interrupted or it expires')
    .argument('<leaseID>')
    .option('--once', 'renew once and exit')
    .action(async (idText: string, opts: { once?: boolean }) => {
      const c = ctx();
      const id = parseLeaseId(idText);
      for (;;) {
        const raw = (await c.client().call('/v3/lease/keepalive', { ID: id })) as WireObject;
        const result = (raw.result ?? raw) as WireObject;
        if (c.format === 'json') c.json(result);
        const ttl = num(result.TTL);
        if (ttl <= 0) {
          if (opts.once) throw new EtcdRequestError('', 404, 5, 'etcdserver: requested lease not found');
          c.io.stdout(`lease ${leaseIdToHex(id)} expired or revoked.\n`);
          return;
        }
        if (c.format !== 'json') c.io.stdout(`lease ${leaseIdToHex(id)} keepalived with TTL(${ttl})\n`);
        if (opts.once) return;
        await new Promise((r) => setTimeout(r, Math.max(500, (ttl * 1000) / 3)));
      }
    });
}
