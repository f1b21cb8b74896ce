import { Readable } from 'node:stream';
import { expect } from 'chai';
import { runCtl } from '../../src/ctl/program.js';
import { HEADER, b64, refusedUrl, startFakeEtcd, type FakeEtcd, type FakeHandler } from './fake-etcd.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function ctl(argv: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCtl(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}

describe('raftkv-ctl', () => {
  const servers: FakeEtcd[] = [];
  const serve = async (handler: FakeHandler): Promise<FakeEtcd> => {
    const server = await startFakeEtcd(handler);
    servers.push(server);
    return server;
  };
  afterEach(async () => Promise.all(servers.splice(0).map((s) => s.close())));

  it('puts a value given as argument and prints OK', async () => {
    const node = await serve(() => [200, { header: HEADER }]);
    const run = await ctl(['--endpoints', node.url, 'put', 'greeting', 'hello']);
    expect(run).to.deep.equal({ code: 0, stdout: 'OK\n', stderr: '' });
    expect(node.requests[0]).to.deep.include({ path: '/v3/kv/put', body: { key: b64('greeting'), value: b64('hello') } });
  });

  it('reads the value from stdin when it is omitted, as etcdctl does', async () => {
    const node = await serve(() => [200, { header: HEADER }]);
    const run = await ctl(['--endpoints', node.url, 'put', 'k'], { stdin: 'from stdin\n' });
    expect(run.code).to.equal(0);
    expect(node.requests[0]!.body).to.deep.equal({ key: b64('k'), value: b64('from stdin\n') });
  });

  it('takes endpoints from RAFTKV_ENDPOINTS, else ETCDCTL_ENDPOINTS', async () => {
    const node = await serve(() => [200, { header: HEADER, kvs: [{ key: b64('a'), value: b64('1') }], count: '1' }]);
    expect(await ctl(['get', 'a'], { env: { RAFTKV_ENDPOINTS: node.url } })).to.deep.include({ code: 0, stdout: 'a\n1\n' });
    expect(await ctl(['get', 'a'], { env: { ETCDCTL_ENDPOINTS: node.url } })).to.deep.include({ code: 0, stdout: 'a\n1\n' });
    expect(node.requests).to.have.length(2);
  });

  it('sends get --prefix --limit as a range and prints the server JSON with -w json', async () => {
    const answer = { header: HEADER, kvs: [{ key: b64('ab'), value: b64('x') }], count: '1' };
    const node = await serve(() => [200, answer]);
    const run = await ctl(['--endpoints', node.url, 'get', 'a', '--prefix', '--limit', '5', '-w', 'json']);
    expect(run.code).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal(answer);
    expect(node.requests[0]!.body).to.deep.equal({ key: b64('a'), range_end: b64('b'), limit: '5' });
    await ctl(['--endpoints', node.url, 'get', 'a', '--consistency', 's']);
    expect(node.requests[1]!.body).to.deep.equal({ key: b64('a'), serializable: true });
  });

  it('prints the deleted count and the deleted pairs for del --prev-kv', async () => {
    const node = await serve(() => [200, { header: HEADER, deleted: '1', prev_kvs: [{ key: b64('a'), value: b64('1') }] }]);
    const run = await ctl(['--endpoints', node.url, 'del', 'a', '--prev-kv']);
    expect(run).to.deep.include({ code: 0, stdout: '1\na\n1\n' });
    expect(node.requests[0]!.body).to.deep.equal({ key: b64('a'), prev_kv: true });
  });

  it('runs a txn read from stdin and prints SUCCESS and the responses', async () => {
    const node = await serve(() => [200, { header: HEADER, succeeded: true, responses: [{ response_put: { header: { revision: '8' } } }] }]);
    const run = await ctl(['--endpoints', node.url, 'txn'], { stdin: 'value("a") = "1"\n\nput a 2\n\nget a\n' });
    expect(run).to.deep.include({ code: 0, stdout: 'SUCCESS\n\nOK\n' });
    expect(node.requests[0]!.body).to.deep.equal({
      compare: [{ key: b64('a'), target: 'VALUE', result: 'EQUAL', value: b64('1') }],
      success: [{ request_put: { key: b64('a'), value: b64('2') } }],
      failure: [{ request_range: { key: b64('a') } }],
    });
  });

  it('prompts for each section with txn --interactive', async () => {
    const node = await serve(() => [200, { header: HEADER }]);
    const run = await ctl(['--endpoints', node.url, 'txn', '-i'], { stdin: 'version("a") = "0"\n\nput a 1\n\n\n' });
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal('compares:\n\nsuccess requests (get, put, del):\n\nfailure requests (get, put, del):\n\nFAILURE\n');
  });

  it('exits 1 with the server\'s message on stderr when the request fails', async () => {
    const node = await serve(() => [400, { error: 'etcdserver: mvcc: required revision has been compacted', code: 11 }]);
    const run = await ctl(['--endpoints', node.url, 'get', 'a', '--rev', '1']);
    expect(run).to.deep.equal({ code: 1, stdout: '', stderr: 'Error: etcdserver: mvcc: required revision has been compacted\n' });
  });

  it('exits 2 on usage errors without contacting any endpoint', async () => {
    const node = await serve(() => [200, { header: HEADER }]);
    const usageErrors = [['bogus'], ['get'], ['get', 'a', '--rev', 'x'], ['get', 'a', '-w', 'yaml'], ['get', 'a', '--consistency', 'x'], ['put', 'a', 'b', '--no-such-flag']];
    for (const argv of usageErrors) {
      const run = await ctl(['--endpoints', node.url, ...argv]);
      expect(run.code, argv.join(' ')).to.equal(2);
      expect(run.stderr, argv.join(' ')).to.not.equal('');
    }
    const txn = await ctl(['--endpoints', node.url, 'txn'], { stdin: 'nonsense\n\n' });
    expect(txn.code).to.equal(2);
    expect(txn.stderr).to.contain('malformed comparison: nonsense');
    expect(node.requests).to.have.length(0);
  });

  it('exits 3 when no endpoint is reachable', async () => {
    const run = await ctl(['--endpoints', `${await refusedUrl()},${await refusedUrl()}`, 'get', 'a']);
    expect(run.code).to.equal(3);
    expect(run.stderr).to.match(/^Error: no endpoint reachable/);
  });

  it('prints endpoint status as a table with the leader marked', async () => {
    const node = await serve(() => [200, { header: HEADER, version: '3.4.23', dbSize: '20480', leader: HEADER.member_id, raftIndex: '9', raftTerm: '2', raftAppliedIndex: '9' }]);
    const run = await ctl(['--endpoints', node.url, 'endpoint', 'status', '-w', 'table']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain('IS LEADER');
    expect(run.stdout).to.contain(`| ${node.url} | 8e9e05c52164694d |  3.4.23 |   20 kB |      true |`);
  });

  it('exits 1 from endpoint health when one endpoint is down, naming it', async () => {
    const node = await serve(() => [200, { health: 'true' }]);
    const down = await refusedUrl();
    const run = await ctl(['--endpoints', `${node.url},${down}`, 'endpoint', 'health']);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain(`${node.url} is healthy`);
    expect(run.stderr).to.contain(`${down} is unhealthy`);
  });

  it('lists members like etcdctl: hex id, status, name, peer and client URLs', async () => {
    const node = await serve(() => [200, { header: HEADER, members: [{ ID: '255', name: 'n1', peerURLs: ['http://127.0.0.1:2380'], clientURLs: ['http://127.0.0.1:2379'] }] }]);
    const run = await ctl(['--endpoints', node.url, 'member', 'list']);
    expect(run).to.deep.include({ code: 0, stdout: 'ff, started, n1, http://127.0.0.1:2380, http://127.0.0.1:2379, false\n' });
  });

  it('posts a fault plan to every member\'s client URL and reports refusals', async () => {
    const n2 = await serve(() => [403, { error: 'fault injection is disabled (start with --enable-fault-injection)', code: 7 }]);
    const n1: FakeEtcd = await serve((req) =>
      req.path === '/v3/cluster/member/list'
        ? [200, { header: HEADER, members: [{ name: 'n1', clientURLs: [n1.url] }, { name: 'n2', clientURLs: [n2.url] }] }]
        : [200, { ok: true }],
    );
    const run = await ctl(['--endpoints', n1.url, 'fault', 'delay', '--from', 'n1', '--ms', '300', '--jitter', '50', '--seed', '4']);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.equal('n1: fault plan applied\n');
    expect(run.stderr).to.contain('n2: fault injection is disabled');
    const plan = { seed: 4, links: { 'n1->n2': { delayMs: 300, jitterMs: 50 } } };
    expect(n1.requests.find((r) => r.path === '/raftkv/fault')?.body).to.deep.equal(plan);
    expect(n2.requests.find((r) => r.path === '/raftkv/fault')?.body).to.deep.equal(plan);
  });

  it('finds members missing from the member list\'s client URLs through the status of --endpoints', async () => {
    const n2 = await serve((req) => (req.path === '/v3/maintenance/status' ? [200, { header: { ...HEADER, member_id: '2' } }] : [200, { ok: true }]));
    const n1: FakeEtcd = await serve((req) =>
      req.path === '/v3/cluster/member/list'
        ? [200, { header: HEADER, members: [{ ID: '1', name: 'n1', clientURLs: [n1.url] }, { ID: '2', name: 'n2' }] }]
        : [200, { header: { ...HEADER, member_id: '1' } }],
    );
    const run = await ctl(['--endpoints', `${n1.url},${n2.url}`, 'fault', 'heal', '--seed', '5']);
    expect(run).to.deep.include({ code: 0, stdout: 'n1: fault plan applied\nn2: fault plan applied\n' });
    expect(n2.requests.find((r) => r.path === '/raftkv/fault')?.body).to.deep.equal({ seed: 5 });
  });

  it('prints a plan without sending it with --dry-run --members', async () => {
    const run = await ctl(['fault', 'partition', 'n3', '--from-rest', '--members', 'n1,n2,n3', '--seed', '1', '--dry-run']);
    expect(run.code).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal({ seed: 1, partitions: [['n3', 'n1'], ['n3', 'n2']] });
    const bad = await ctl(['fault', 'partition', 'n3', '--members', 'n1,n2,n3', '--dry-run']);
    expect(bad.code).to.equal(2);
  });
});
