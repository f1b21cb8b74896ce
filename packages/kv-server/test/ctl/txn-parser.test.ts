import { expect } from 'chai';
import { UsageError } from '../../src/ctl/exit-codes.js';
import { parseCompare, parseRequestOp, parseTxnScript, splitArgs, splitTxnScript } from '../../src/ctl/txn-parser.js';

describe('txn syntax (etcdctl)', () => {
  describe('compares', () => {
    it('reads a value compare with = as EQUAL on the value bytes', () => {
      const cmp = parseCompare('value("k") = "v"');
      expect(cmp.target).to.equal('VALUE');
      expect(cmp.result).to.equal('EQUAL');
      expect(cmp.key.toString()).to.equal('k');
      expect(cmp.value?.toString()).to.equal('v');
    });

    it('reads mod, version and create compares as integers with their operators', () => {
      expect(parseCompare('mod("k") > "5"')).to.include({ target: 'MOD', result: 'GREATER', modRevision: 5 });
      expect(parseCompare('version("k") = "0"')).to.include({ target: 'VERSION', result: 'EQUAL', version: 0 });
      expect(parseCompare('create("k") < "10"')).to.include({ target: 'CREATE', result: 'LESS', createRevision: 10 });
      expect(parseCompare('ver("k") != "2"')).to.include({ target: 'VERSION', result: 'NOT_EQUAL', version: 2 });
      expect(parseCompare('c("k")<"3"')).to.include({ target: 'CREATE', result: 'LESS', createRevision: 3 });
      expect(parseCompare('m("k") = 4')).to.include({ target: 'MOD', result: 'EQUAL', modRevision: 4 });
    });

    it('unescapes quoted keys and values', () => {
      const cmp = parseCompare('val("a \\"b\\"") = "line\\nnext"');
      expect(cmp.key.toString()).to.equal('a "b"');
      expect(cmp.value?.toString()).to.equal('line\nnext');
    });

    it('rejects malformed compares with a usage error naming the line', () => {
      for (const line of ['bogus', 'value(k) = "v"', 'value("k") == "v"', 'size("k") = "1"', 'mod("k") > "five"']) {
        expect(() => parseCompare(line), line).to.throw(UsageError, /malformed comparison/);
      }
    });
  });

  describe('requests', () => {
    it('splits arguments on spaces, keeping double- and single-quoted groups', () => {
      expect(splitArgs(`put "a b" 'c d'  e`)).to.deep.equal(['put', 'a b', 'c d', 'e']);
      expect(splitArgs('put "x\\"y" z')).to.deep.equal(['put', 'x"y', 'z']);
    });

    it('reads put with --prev-kv', () => {
      const op = parseRequestOp('put --prev-kv k "v 1"');
      expect(op).to.have.property('requestPut');
      const put = (op as { requestPut: { key: Buffer; value: Buffer; prevKv?: boolean } }).requestPut;
      expect(put.key.toString()).to.equal('k');
      expect(put.value.toString()).to.equal('v 1');
      expect(put.prevKv).to.equal(true);
    });

    it('reads get with --prefix as the prefix range and --rev/--limit as numbers', () => {
      const op = parseRequestOp('get ab --prefix --rev=3 --limit 2');
      const range = (op as { requestRange: { key: Buffer; rangeEnd?: Buffer; revision?: number; limit?: number } }).requestRange;
      expect(range.key.toString()).to.equal('ab');
      expect(range.rangeEnd?.toString()).to.equal('ac');
      expect(range.revision).to.equal(3);
      expect(range.limit).to.equal(2);
    });

    it('reads del with an explicit range end and --prev-kv', () => {
      const op = parseRequestOp('del a c --prev-kv');
      const del = (op as { requestDeleteRange: { key: Buffer; rangeEnd?: Buffer; prevKv?: boolean } }).requestDeleteRange;
      expect(del.key.toString()).to.equal('a');
      expect(del.rangeEnd?.toString()).to.equal('c');
      expect(del.prevKv).to.equal(true);
    });

    it('rejects unknown verbs, unknown flags and wrong argument counts', () => {
      for (const line of ['watch k', 'put k', 'put k v extra', 'get', 'get k --bogus', 'del k --prefix --from-key']) {
        expect(() => parseRequestOp(line), line).to.throw(UsageError);
      }
    });
  });

  describe('scripts', () => {
    it('splits compares, success and failure at blank lines', () => {
      const text = 'value("a") = "1"\nmod("b") > "0"\n\nput a 2\nget b\n\ndel a\n\n';
      expect(splitTxnScript(text)).to.deep.equal({
        compares: ['value("a") = "1"', 'mod("b") > "0"'],
        success: ['put a 2', 'get b'],
        failure: ['del a'],
      });
    });

    it('treats missing trailing sections as empty and accepts CRLF', () => {
      expect(splitTxnScript('version("a") = "0"\r\n\r\nput a 1\r\n')).to.deep.equal({ compares: ['version("a") = "0"'], success: ['put a 1'], failure: [] });
    });

    it('parses a whole script into a TxnRequest', () => {
      const txn = parseTxnScript('version("k") = "0"\n\nput k v\n\nget k\n');
      expect(txn.compare).to.have.length(1);
      expect(txn.success.map((op) => Object.keys(op)[0])).to.deep.equal(['requestPut']);
      expect(txn.failure.map((op) => Object.keys(op)[0])).to.deep.equal(['requestRange']);
    });
  });
});
