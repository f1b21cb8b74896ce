import { expect } from 'chai';
import fc from 'fast-check';
import { decodeCommand, decodeResult, encodeCommand, encodeResult } from '../../src/apply/command-codec.js';
import { encodeValue } from '../../src/apply/value-codec.js';
import { ByteWriter, DecodeError } from '../../src/mvcc/binary.js';
import { KvError, type Command, type CommandResult, type PutRequest } from '../../src/mvcc/types.js';
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

  it('never throws anything but a DecodeError on random bytes after either format byte (self-describing, put)', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 64 }), (format, data) => {
        try {
          decodeCommand(Uint8Array.of(format, ...data));
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

  describe('the fixed layouts of puts and bare results', () => {
    const optionalBool = fc.option(fc.boolean(), { nil: undefined });
    const putRequest = fc.record(
      {
        key: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a)),
        value: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
        lease: fc.option(fc.maxSafeNat(), { nil: undefined }),
        prevKv: optionalBool,
        ignoreValue: optionalBool,
        ignoreLease: optionalBool,
      },
      { requiredKeys: ['key', 'value'] },
    );

    it('round-trips any put, with every combination of optional fields and explicit false kept as false', () => {
      fc.assert(
        fc.property(putRequest, fc.string({ minLength: 1 }), fc.option(fc.string(), { nil: undefined }), (raw, id, idempotencyKey) => {
          const put = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as unknown as PutRequest;
          const cmd: Command = idempotencyKey === undefined ? { id, op: { put } } : { id, idempotencyKey, op: { put } };
          const data = encodeCommand(cmd);
          expect(data[0]).to.equal(2);
          expect(decodeCommand(data)).to.deep.equal(cmd);
        }),
      );
    });

    it('uses the self-describing format for a lease it cannot write as a varint or a flag that is not a boolean', () => {
      const odd: Command[] = [
        { id: 'n', op: { put: { key: b('k'), value: b('v'), lease: -5 } } },
        { id: 'm', op: { put: { key: b('k'), value: b('v'), prevKv: 'yes' as never } } },
      ];
      for (const cmd of odd) {
        const data = encodeCommand(cmd);
        expect(data[0]).to.equal(1);
        expect(decodeCommand(data)).to.deep.equal(cmd);
      }
    });

    it('still reads puts written in the self-describing format (logs and snapshots made before the fixed layout)', () => {
      const cmd: Command = { id: 'old', idempotencyKey: 'k1', op: { put: { key: b('a'), value: b('1'), lease: 7, prevKv: false } } };
      const w = new ByteWriter(64).u8(1);
      encodeValue(w, { id: cmd.id, idempotencyKey: cmd.idempotencyKey, op: cmd.op });
      expect(decodeCommand(w.finish())).to.deep.equal(cmd);
      const result: CommandResult = { ok: { revision: 9, raftTerm: 3, response: {} } };
      const r = new ByteWriter(64).u8(1);
      encodeValue(r, result);
      expect(decodeResult(r.finish())).to.deep.equal(result);
    });

    it('is smaller than the self-describing format for a typical put', () => {
      const cmd: Command = { id: '0b3c5d9e-5a1f-4c2b-8d7e-1f2a3b4c5d6e', op: { put: { key: b('key00001'), value: Buffer.alloc(256) } } };
      const w = new ByteWriter(512).u8(1);
      encodeValue(w, { id: cmd.id, op: cmd.op });
      expect(encodeCommand(cmd).length).to.be.lessThan(w.finish().length);
    });

    it('rejects truncated or padded puts with a DecodeError', () => {
      const data = Buffer.from(encodeCommand({ id: 'id', idempotencyKey: 'ik', op: { put: { key: b('k'), value: b('value'), lease: 300 } } }));
      for (let n = 1; n < data.length; n++) expect(() => decodeCommand(data.subarray(0, n)), `cut at ${n}`).to.throw(DecodeError);
      expect(() => decodeCommand(Buffer.concat([data, Buffer.of(0)]))).to.throw(DecodeError);
      const noId = Buffer.from(encodeCommand({ id: 'x', op: { put: { key: b('k'), value: b('v') } } }));
      noId[2] = 0; // id length 0, then the rest no longer lines up
      expect(() => decodeCommand(noId)).to.throw(DecodeError);
    });

    it('stores a success without response data as its numbers alone, and anything else as before', () => {
      const bare: Array<[CommandResult, CommandResult]> = [
        [{ ok: { revision: 12, raftTerm: 4, response: {} } }, { ok: { revision: 12, raftTerm: 4, response: {} } }],
        [{ ok: { revision: 2 ** 40, response: {} } }, { ok: { revision: 2 ** 40, response: {} } }],
        [{ ok: { revision: 5, raftTerm: 1, response: { prevKv: undefined } } }, { ok: { revision: 5, raftTerm: 1, response: {} } }],
      ];
      for (const [result, expected] of bare) {
        const data = encodeResult(result);
        expect(data[0]).to.equal(2);
        expect(data.length).to.be.at.most(2 + 6 + 1);
        expect(decodeResult(data)).to.deep.equal(expected);
      }
      const withData: CommandResult = { ok: { revision: 3, raftTerm: 1, response: { deleted: 0 } as never } };
      expect(encodeResult(withData)[0]).to.equal(1);
      expect(decodeResult(encodeResult(withData))).to.deep.equal(withData);
      expect(() => decodeResult(Buffer.of(2, 1, 5))).to.throw(DecodeError);
      expect(() => decodeResult(Buffer.of(2, 0, 5, 0))).to.throw(DecodeError);
    });
  });
});
