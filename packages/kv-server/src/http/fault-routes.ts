import type Router from '@koa/router';
import type { FaultPlan } from '@raftkv/cnet';
import { KvError } from '../mvcc/types.js';
import type { ApiContext } from './api-context.js';
import { readRawBody } from './body.js';
import { asObject, parseBody } from './proto-json.js';

/**
 * POST /raftkv/fault: replaces this node's cnet fault plan (body: a FaultPlan, or {"plan":null} to clear).
 * Refused with 403 unless the node was started with --enable-fault-injection.
 */
export function addFaultRoutes(router: Router, api: ApiContext): void {
  router.post('/raftkv/fault', async (ctx) => {
    if (!api.setFaultPlan) throw new KvError(7, 'fault injection is disabled (start with --enable-fault-injection)');
    const body = parseBody(await readRawBody(ctx.req, api.maxRequestBytes));
    const plan = 'plan' in body && body.plan === null ? null : parseFaultPlan(body);
    api.setFaultPlan(plan);
    api.logger.warn({ plan }, 'fault plan replaced');
    ctx.type = 'application/json';
    ctx.body = JSON.stringify({ ok: true });
  });
}

function isRate(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && v >= 0 && v <= 1);
}
function isMs(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
}

function checkLink(value: unknown, where: string): void {
  const link = asObject(value, where);
  const ok =
    isMs(link.delayMs) &&
    isMs(link.jitterMs) &&
    isRate(link.dropRate) &&
    isRate(link.duplicateRate) &&
    (link.reorder === undefined || typeof link.reorder === 'boolean');
  if (!ok) throw new KvError(3, `invalid link faults in ${where}`);
}

export function parseFaultPlan(body: Record<string, unknown>): FaultPlan {
  if (typeof body.seed !== 'number' || !Number.isInteger(body.seed)) throw new KvError(3, 'fault plan needs an integer seed');
  if (body.default !== undefined) checkLink(body.default, 'default');
  if (body.links !== undefined) {
    for (const [name, link] of Object.entries(asObject(body.links, 'links'))) checkLink(link, `links[${name}]`);
  }
  if (body.partitions !== undefined) {
    const ok =
      Array.isArray(body.partitions) &&
      body.partitions.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'string'));
    if (!ok) throw new KvError(3, 'partitions must be pairs of node names');
  }
  return body as unknown as FaultPlan;
}
