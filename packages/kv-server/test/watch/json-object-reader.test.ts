import { expect } from 'chai';
import { JsonObjectReader } from '../../src/watch/json-object-reader.js';

async function* chunks(parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

async function readAll(parts: string[]): Promise<unknown[]> {
  const reader = new JsonObjectReader(chunks(parts), 1024);
  const out: unknown[] = [];
  for (let o = await reader.next(); o !== undefined; o = await reader.next()) out.push(o);
  return out;
}

describe('JsonObjectReader', () => {
  it('yields each object of a body of concatenated objects, split anywhere across chunks', async () => {
    const text = '{"create_request":{"key":"YQ=="}} {"a":"}{\\"x"}\n{"b":[1,{"c":2}]}';
    for (let cut = 0; cut <= text.length; cut++) {
      expect(await readAll([text.slice(0, cut), text.slice(cut)])).to.deep.equal([
        { create_request: { key: 'YQ==' } },
        { a: '}{"x' },
        { b: [1, { c: 2 }] },
      ]);
    }
  });

  it('reports malformed input and unfinished objects as gRPC code 2', async () => {
    for (const bad of [['xx'], ['{"a":1'], ['[1]'], ['{"a":1}', 'nope']]) {
      const err = await readAll(bad).then(() => undefined, (e: unknown) => e);
      expect(err, bad.join('')).to.have.property('code', 2);
    }
  });

  it('refuses an object larger than the limit', async () => {
    const err = await readAll(['{"a":"' + 'x'.repeat(2000) + '"}']).then(() => undefined, (e: unknown) => e);
    expect(err).to.have.property('code', 8);
  });
});
