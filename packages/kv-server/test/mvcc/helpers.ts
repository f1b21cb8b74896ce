import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyValue } from '../../src/mvcc/types.js';

export const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/** A KeyValue as plain strings and numbers, for deep equality in assertions. */
export function show(kv: KeyValue | undefined): Record<string, string | number> | undefined {
  if (kv === undefined) return undefined;
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    create: kv.createRevision,
    mod: kv.modRevision,
    version: kv.version,
    lease: kv.lease,
  };
}

export const keysOf = (kvs: KeyValue[]): string[] => kvs.map((kv) => kv.key.toString());

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `raftkv-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
