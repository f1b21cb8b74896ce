import { expect } from 'chai';
import fc from 'fast-check';
import { decodeCommand, decodeResult, encodeCommand, encodeResult } from '../../src/apply/command-codec.js';
import { DecodeError } from '../../src/mvcc/binary.js';
import { KvError, type Command } from '../../src/mvcc/types.js';
import { b } from '../mvcc/helpers.js';

describe('command codec', () => {
  it('round-trips every op kind, with bytes kept as bytes', () => {
    const commands: Command[] = [
      { id: 'p1', op: { put: { key: Buffer.of(0, 255, 1), value: Buffer.of(0xde, 0xad), prevKv: true, lease: 0 } } },
      { id: 'd1', idempotencyKey: 'client-key', op: { deleteRange: { key: b('a'), rangeEnd: Buffer.of(0), prevKv: true } } },
      { id: 'c1', op: { compaction: { revision: 2 ** 40, physical: true } } },
      {
        id: 't1',
        op: {
          txn: {
            compare: [{ key: b('a'), target: 'VALUE', result: 'NOT_EQUAL', value: b('x') }],
            success: [
              { requestRange: { key: b('a'), rangeEnd: b('z'), limit: 3, sortOrder: 'DESCEND', sortTarget: 'MOD', revision: -1 } },
              { requestTxn: { compare: [], success: [{ requestDeleteRange: { key: b('q') } }], failure: [] } },
            ],
            failure: [{ requestPut: { key: b('b'), value: Buffer.alloc(0), ignoreValue: true } }],
          },
        },
      },
    ];
    for (const cmd of commands) {
      const back = decodeCommand(encodeCommand(cmd));
      expect(back).to.deep.equal(cmd);
    }
    const put = decodeCommand(encodeCommand(commands[0]!)) as { op: { put: { key: Buffer } } };
    expect(Buffer.isBuffer(put.op.put.key)).to.equal(true);
  });

  it('round-trips arbitrary binary keys and values', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ maxLength: 256 }), fc.string(), (k, v, id) => {
        const cmd: Command = { id: `id-${id}`, op: { put: { key: Buffer.from(k), value: Buffer.from(v) } } };
        expect(decodeCommand(encodeCommand(cmd))).to.deep.equal(cmd);
      }),
    );
  });

  it('is more compact than JSON with base64 for a small put', () => {
    const cmd: Command = { id: '0b3c5d9e-5a1f-4c2b-8d7e-1f2a3b4c5d6e', op: { put: { key: b('key1'), value: b('value1') } } };
    const json = JSON.stringify({ id: cmd.id, op: { put: { key: 'a2V5MQ==', value: 'dmFsdWUx' } } });
    expect(encodeCommand(cmd).length).to.be.lessThan(json.length);
  });

  it('rejects garbage, unknown formats and malformed envelopes with a DecodeError', () => {
    const bad = [
      new Uint8Array(0),
      Uint8Array.of(9, 1, 2),
      Uint8Array.of(1, 0xff),
      Uint8Array.of(1, 10, 5),
      encodeCommand({ id: 'x', op: { nope: {} } as never }),
      encodeCommand({ id: '', op: { put: { key: b('a'), value: b('v') } } }),
    ];
    for (const data of bad) expect(() => decodeCommand(data)).to.throw(DecodeError);
  });

  it('never throws anything but a DecodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        try {
          decodeCommand(Uint8Array.of(1, ...data));
        } catch (err) {
          expect(err).to.be.instanceOf(DecodeError);
        }
      }),
    );
  });

  it('round-trips results, errors back as KvError', () => {
    const ok = { ok: { revision: 7, raftTerm: 2, response: { prevKv: { key: b('a'), value: b('1'), createRevision: 2, modRevision: 3, version: 2, lease: 0 } } } };
    expect(decodeResult(encodeResult(ok))).to.deep.equal(ok);
    const err = decodeResult(encodeResult({ error: new KvError(11, 'etcdserver: mvcc: required revision is a future revision') }));
    expect('error' in err && err.error).to.be.instanceOf(KvError);
    expect('error' in err && err.error.code).to.equal(11);
  });
});
