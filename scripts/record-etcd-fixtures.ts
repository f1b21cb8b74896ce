/**
 * Records how a real etcd 3.4 answers a scripted sequence of v3 JSON requests, into
 * packages/kv-server/test/fixtures/etcd-conformance.json. The kv-server conformance test replays the recorded
 * requests against raftkv and compares the answers, so the test itself never needs etcd.
 *
 *   node scripts/dist/record-etcd-fixtures.js [--etcd /usr/bin/etcd] [--out path]
 *
 * etcd runs as one member on free 127.0.0.1 ports in a temporary data dir, and is stopped at the end.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { argValue, startEtcd } from './etcd-process.js';

/**
 * `body` is sent as is when a string (malformed input), as JSON otherwise. `compare`: 'full' (default) compares
 * the whole answer but ids and term; 'error-code' only status and gRPC code (Go's parser texts are not matched).
 */
interface ScriptStep {
  name: string;
  path: string;
  body: unknown;
  compare?: 'full' | 'error-code';
}

const b = (s: string) => Buffer.from(s).toString('base64');
const ALL = { key: 'AA==', range_end: 'AA==' };

const ETCD_SCRIPT: ScriptStep[] = [
  { name: 'put a=1', path: '/v3/kv/put', body: { key: b('a'), value: b('1') } },
  { name: 'put a=2 with prev_kv', path: '/v3/kv/put', body: { key: b('a'), value: b('2'), prev_kv: true } },
  { name: 'put b=1 prevKv (camel) on a new key', path: '/v3/kv/put', body: { key: b('b'), value: b('1'), prevKv: true } },
  { name: 'put c/1, c/2, c/3', path: '/v3/kv/txn', body: { success: ['1', '2', '3'].map((n) => ({ request_put: { key: b(`c/${n}`), value: b(`v${n}`) } })) } },
  { name: 'put empty value', path: '/v3/kv/put', body: { key: b('e') } },
  { name: 'range one key', path: '/v3/kv/range', body: { key: b('a') } },
  { name: 'range missing key', path: '/v3/kv/range', body: { key: b('zz') } },
  { name: 'range all keys', path: '/v3/kv/range', body: ALL },
  { name: 'range from key to end', path: '/v3/kv/range', body: { key: b('b'), range_end: 'AA==' } },
  { name: 'range prefix c/', path: '/v3/kv/range', body: { key: b('c/'), range_end: b('c0') } },
  { name: 'range limit 2 (more)', path: '/v3/kv/range', body: { ...ALL, limit: 2 } },
  { name: 'range limit as string', path: '/v3/kv/range', body: { ...ALL, limit: '1' } },
  { name: 'range negative limit', path: '/v3/kv/range', body: { ...ALL, limit: -1 } },
  { name: 'range count_only', path: '/v3/kv/range', body: { ...ALL, count_only: true } },
  { name: 'range keys_only', path: '/v3/kv/range', body: { ...ALL, keys_only: true } },
  { name: 'range sort DESCEND by KEY', path: '/v3/kv/range', body: { ...ALL, sort_order: 'DESCEND' } },
  { name: 'range sort DESCEND by VALUE', path: '/v3/kv/range', body: { ...ALL, sort_order: 'DESCEND', sort_target: 'VALUE' } },
  { name: 'range sort ASCEND by CREATE (numbers)', path: '/v3/kv/range', body: { ...ALL, sortOrder: 1, sortTarget: 2 } },
  { name: 'range sort DESCEND by MOD with limit', path: '/v3/kv/range', body: { ...ALL, sort_order: 'DESCEND', sort_target: 'MOD', limit: 2 } },
  { name: 'range sort ASCEND by VERSION', path: '/v3/kv/range', body: { ...ALL, sort_order: 'ASCEND', sort_target: 'VERSION' } },
  { name: 'range sort target without order', path: '/v3/kv/range', body: { ...ALL, sort_target: 'VALUE' } },
  { name: 'range at revision 2', path: '/v3/kv/range', body: { ...ALL, revision: 2 } },
  { name: 'range at revision "3" (string)', path: '/v3/kv/range', body: { key: b('a'), revision: '3' } },
  { name: 'range min_mod_revision', path: '/v3/kv/range', body: { ...ALL, min_mod_revision: 4 } },
  { name: 'range max_mod_revision', path: '/v3/kv/range', body: { ...ALL, max_mod_revision: 3 } },
  { name: 'range min/max_create_revision', path: '/v3/kv/range', body: { ...ALL, min_create_revision: 3, max_create_revision: 4 } },
  { name: 'range serializable', path: '/v3/kv/range', body: { key: b('a'), serializable: true } },
  { name: 'range future revision', path: '/v3/kv/range', body: { key: b('a'), revision: 100 } },
  { name: 'range empty key', path: '/v3/kv/range', body: {} },
  { name: 'range empty body', path: '/v3/kv/range', body: '' },
  { name: 'range unknown fields ignored', path: '/v3/kv/range', body: { key: b('a'), no_such_field: [1, { x: 2 }] } },
  { name: 'put ignore_value keeps the value', path: '/v3/kv/put', body: { key: b('a'), ignore_value: true } },
  { name: 'put ignore_value on a missing key', path: '/v3/kv/put', body: { key: b('zz'), ignore_value: true } },
  { name: 'put ignore_value with a value', path: '/v3/kv/put', body: { key: b('a'), value: b('x'), ignore_value: true } },
  { name: 'put ignore_lease with a lease', path: '/v3/kv/put', body: { key: b('a'), lease: 5, ignore_lease: true } },
  { name: 'put with an unknown lease', path: '/v3/kv/put', body: { key: b('a'), value: b('x'), lease: '123' } },
  { name: 'put empty key', path: '/v3/kv/put', body: { key: '', value: b('1') } },
  { name: 'deleterange nothing', path: '/v3/kv/deleterange', body: { key: b('nothing') } },
  { name: 'deleterange one key with prev_kv', path: '/v3/kv/deleterange', body: { key: b('b'), prev_kv: true } },
  { name: 'deleterange a prefix', path: '/v3/kv/deleterange', body: { key: b('c/'), range_end: b('c0') } },
  { name: 'deleterange empty key', path: '/v3/kv/deleterange', body: {} },
  { name: 'put c/1 again', path: '/v3/kv/put', body: { key: b('c/1'), value: b('again') } },
  {
    name: 'txn value compare succeeds: range, put, nested txn',
    path: '/v3/kv/txn',
    body: {
      compare: [{ key: b('a'), target: 'VALUE', result: 'EQUAL', value: b('2') }],
      success: [
        { request_range: { key: b('a') } },
        { request_put: { key: b('d'), value: b('1'), prev_kv: true } },
        { request_range: { key: b('d') } },
        { request_txn: { success: [{ request_range: { key: b('d') } }, { request_put: { key: b('f'), value: b('1') } }] } },
      ],
      failure: [{ request_range: { key: b('a') } }],
    },
  },
  {
    name: 'txn compare fails: failure branch with put',
    path: '/v3/kv/txn',
    body: {
      compare: [{ key: b('a'), target: 'VALUE', result: 'EQUAL', value: b('nope') }],
      success: [{ request_put: { key: b('a'), value: b('x') } }],
      failure: [{ requestPut: { key: b('a'), value: b('3') } }, { requestRange: { key: b('a') } }],
    },
  },
  {
    name: 'txn compares on version, create, mod, lease',
    path: '/v3/kv/txn',
    body: {
      compare: [
        { key: b('a'), target: 'VERSION', result: 'GREATER', version: 1 },
        { key: b('a'), target: 'CREATE', result: 'EQUAL', create_revision: '2' },
        { key: b('a'), target: 'MOD', result: 'LESS', mod_revision: 1000 },
        { key: b('a'), target: 'LEASE', result: 'EQUAL', lease: 0 },
        { key: b('zz'), target: 'VERSION', result: 'EQUAL', version: 0 },
      ],
      success: [{ request_range: { key: b('a'), keys_only: true } }],
    },
  },
  {
    name: 'txn compare NOT_EQUAL over a range',
    path: '/v3/kv/txn',
    body: {
      compare: [{ key: b('c/'), range_end: b('c0'), target: 'VALUE', result: 'NOT_EQUAL', value: b('zzz') }],
      success: [{ request_range: { key: b('c/'), range_end: b('c0') } }],
    },
  },
  {
    name: 'txn deleting inside',
    path: '/v3/kv/txn',
    body: { success: [{ request_delete_range: { key: b('d'), prev_kv: true } }, { request_put: { key: b('g'), value: b('1') } }] },
  },
  { name: 'txn empty', path: '/v3/kv/txn', body: {} },
  {
    name: 'txn duplicate put',
    path: '/v3/kv/txn',
    body: { success: [{ request_put: { key: b('a'), value: b('1') } }, { request_put: { key: b('a'), value: b('2') } }] },
  },
  {
    name: 'txn put inside a deleted range',
    path: '/v3/kv/txn',
    body: { success: [{ request_delete_range: { key: b('a'), range_end: b('b') } }, { request_put: { key: b('a'), value: b('2') } }] },
  },
  {
    name: 'txn same key in both branches of a nested txn',
    path: '/v3/kv/txn',
    body: {
      success: [
        {
          request_txn: {
            success: [{ request_put: { key: b('h'), value: b('1') } }],
            failure: [{ request_put: { key: b('h'), value: b('2') } }],
          },
        },
      ],
    },
  },
  { name: 'txn empty op', path: '/v3/kv/txn', body: { success: [{}] } },
  {
    name: 'txn too many ops',
    path: '/v3/kv/txn',
    body: { success: Array.from({ length: 129 }, () => ({ request_range: { key: b('a') } })) },
  },
  { name: 'txn compare with empty key', path: '/v3/kv/txn', body: { compare: [{ key: '' }] } },
  { name: 'txn unknown compare target', path: '/v3/kv/txn', body: { compare: [{ key: b('a'), target: 'BAD' }] }, compare: 'full' },
  { name: 'range before compaction: revision 3', path: '/v3/kv/range', body: { ...ALL, revision: 3 } },
  { name: 'compaction at revision 5', path: '/v3/kv/compaction', body: { revision: 5 } },
  { name: 'compaction at revision 5 again', path: '/v3/kv/compaction', body: { revision: '5' } },
  { name: 'compaction at an older revision', path: '/v3/kv/compaction', body: { revision: 3 } },
  { name: 'compaction in the future', path: '/v3/kv/compaction', body: { revision: 1000 } },
  { name: 'compaction physical', path: '/v3/kv/compaction', body: { revision: 6, physical: true } },
  { name: 'range at a compacted revision', path: '/v3/kv/range', body: { ...ALL, revision: 4 } },
  { name: 'range at the compaction revision', path: '/v3/kv/range', body: { ...ALL, revision: 6 } },
  { name: 'range after everything', path: '/v3/kv/range', body: ALL },
  { name: 'bad base64: missing padding', path: '/v3/kv/range', body: { key: 'YQ' } },
  { name: 'bad base64: url alphabet', path: '/v3/kv/range', body: { key: 'YQ-_' } },
  { name: 'bad base64: stray padding', path: '/v3/kv/put', body: { key: 'YQ=', value: b('1') } },
  { name: 'malformed JSON', path: '/v3/kv/range', body: '{"key":"YQ==",}', compare: 'error-code' },
  { name: 'not JSON', path: '/v3/kv/put', body: 'xx', compare: 'error-code' },
  { name: 'JSON array body', path: '/v3/kv/range', body: '[]' },
  { name: 'key as a number', path: '/v3/kv/range', body: { key: 5 } },
  { name: 'limit as a float', path: '/v3/kv/range', body: { key: b('a'), limit: 1.5 } },
  { name: 'limit as a non-numeric string', path: '/v3/kv/range', body: { key: b('a'), limit: 'x' }, compare: 'error-code' },
  { name: 'bool as a string', path: '/v3/kv/range', body: { key: b('a'), serializable: 'true' } },
  { name: 'unknown enum name', path: '/v3/kv/range', body: { key: b('a'), sort_order: 'FOO' } },
];

export interface RecordedStep {
  name: string;
  path: string;
  /** The exact request body sent. */
  request: string;
  compare: 'full' | 'error-code';
  status: number;
  response: unknown;
}

async function main(): Promise<void> {
  const etcdBinary = argValue('--etcd', 'etcd');
  const out = argValue('--out', fileURLToPath(new URL('../../packages/kv-server/test/fixtures/etcd-conformance.json', import.meta.url)));
  const etcd = await startEtcd(etcdBinary);
  const clientUrl = etcd.clientUrl;
  try {
    const recorded: RecordedStep[] = [];
    for (const step of ETCD_SCRIPT) {
      const request = typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
      const res = await fetch(clientUrl + step.path, { method: 'POST', body: request });
      const text = await res.text();
      recorded.push({
        name: step.name,
        path: step.path,
        request,
        compare: step.compare ?? 'full',
        status: res.status,
        response: JSON.parse(text) as unknown,
      });
    }
    const fixture = { recordedFrom: `etcd ${etcd.version}`, steps: recorded };
    await writeFile(out, JSON.stringify(fixture, null, 2) + '\n');
    console.log(`recorded ${recorded.length} steps from etcd ${etcd.version} into ${out}`);
  } catch (err) {
    console.error(etcd.log());
    throw err;
  } finally {
    await etcd.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
