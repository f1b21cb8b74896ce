import { expect } from 'chai';
import type { KeyValue } from '../../src/mvcc/types.js';
import { formatDelete, formatGet, formatPut, formatTxn, hexId, humanBytes } from '../../src/ctl/simple-output.js';
import { renderTable } from '../../src/ctl/table.js';

function kv(key: string, value: string): KeyValue {
  return { key: Buffer.from(key), value: Buffer.from(value), createRevision: 2, modRevision: 3, version: 1, lease: 0 };
}

describe('simple output (as etcdctl prints it)', () => {
  it('prints OK for a put, then the previous pair when asked for', () => {
    expect(formatPut({})).to.equal('OK\n');
    expect(formatPut({ prevKv: kv('a', '1') })).to.equal('OK\na\n1\n');
  });

  it('prints a key line and a value line per pair for a get, or only values, or the count', () => {
    const resp = { kvs: [kv('a', '1'), kv('b', '2')], more: false, count: 2 };
    expect(formatGet(resp)).to.equal('a\n1\nb\n2\n');
    expect(formatGet(resp, false, { valueOnly: true })).to.equal('1\n2\n');
    expect(formatGet(resp, true)).to.equal('2\n');
    expect(formatGet({ kvs: [], more: false, count: 0 })).to.equal('');
  });

  it('prints the deleted count, then the deleted pairs', () => {
    expect(formatDelete({ deleted: 1, prevKvs: [kv('a', '1')] })).to.equal('1\na\n1\n');
    expect(formatDelete({ deleted: 0, prevKvs: [] })).to.equal('0\n');
  });

  it('prints SUCCESS or FAILURE, then each response after a blank line', () => {
    const text = formatTxn({
      succeeded: true,
      responses: [{ responsePut: {} }, { responseRange: { kvs: [kv('b', '3')], more: false, count: 1 } }, { responseDeleteRange: { deleted: 1, prevKvs: [] } }],
    });
    expect(text).to.equal('SUCCESS\n\nOK\n\nb\n3\n\n1\n');
    expect(formatTxn({ succeeded: false, responses: [] })).to.equal('FAILURE\n');
  });

  it('prints member ids in hex and sizes in SI units like go-humanize', () => {
    expect(hexId('3319814642761637952')).to.equal('2e1259d415f2a040');
    expect(humanBytes(20480)).to.equal('20 kB');
    expect(humanBytes(5)).to.equal('5 B');
    expect(humanBytes(1_500_000)).to.equal('1.5 MB');
  });
});

describe('tables (etcdctl -w table)', () => {
  it('centres headers, right-aligns cells and sizes columns to the widest entry', () => {
    const table = renderTable(['ENDPOINT', 'HEALTH', 'TOOK'], [['http://127.0.0.1:1', 'true', '1.2ms']]);
    expect(table).to.equal(
      [
        '+--------------------+--------+-------+',
        '|      ENDPOINT      | HEALTH | TOOK  |',
        '+--------------------+--------+-------+',
        '| http://127.0.0.1:1 |   true | 1.2ms |',
        '+--------------------+--------+-------+',
        '',
      ].join('\n'),
    );
  });
});
