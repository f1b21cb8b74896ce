import { expect } from 'chai';
import fc from 'fast-check';
import { b64, startTestApi, type TestApi } from './harness.js';

const ROUTES = ['/v3/kv/put', '/v3/kv/range', '/v3/kv/deleterange', '/v3/kv/txn', '/v3/kv/compaction', '/v3/maintenance/status', '/v3/cluster/member/list'];

/** JSON shaped like requests: the real field names with values of any type, plus random junk. */
const fieldName = fc.constantFrom(
  'key', 'value', 'range_end', 'rangeEnd', 'limit', 'revision', 'sort_order', 'sort_target', 'serializable', 'keys_only',
  'count_only', 'prev_kv', 'ignore_value', 'lease', 'compare', 'success', 'failure', 'target', 'result', 'request_put',
  'request_range', 'request_txn', 'request_delete_range', 'physical', 'version', 'mod_revision', 'create_revision',
);
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.constantFrom(b64('a'), 'AA==', 'YQ', '9223372036854775808', '-1', 'DESCEND', 'VALUE', 'EQUAL', 7),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fieldName, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const requestLike = fc.dictionary(fieldName, anyValue, { maxKeys: 6 });

describe('HTTP: fuzzing the handlers', function () {
  this.timeout(60000);
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ maxRequestBytes: 64 * 1024, requestTimeoutMs: 1000 });
  });
  after(async () => {
    await t.close();
  });

  const checkAnswer = (res: { status: number; json: any; text: string }, body: unknown) => {
    expect(res.status, `${res.status} ${res.text} for ${JSON.stringify(body)}`).to.be.below(500);
    if (res.status === 200) {
      expect(res.json).to.have.property('header');
    } else {
      expect(res.json, res.text).to.have.all.keys('error', 'message', 'code');
      expect(res.json.error).to.be.a('string').and.equal(res.json.message);
      expect(res.json.code).to.be.a('number');
    }
  };

  it('answers request-shaped JSON with either a header or a JSON error, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), requestLike, async (route, body) => {
        checkAnswer(await t.post(route, body), body);
      }),
      { numRuns: 300 },
    );
  });

  it('answers arbitrary bytes and arbitrary JSON values with a JSON error or success, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1'))),
        async (route, body) => {
          checkAnswer(await t.post(route, body), body);
        },
      ),
      { numRuns: 300 },
    );
  });
});
