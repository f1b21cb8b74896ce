import { expect } from 'chai';
import { decodeMemberList, decodeRange, decodeStatus, decodeTxn, encodePut, encodeRange, encodeTxn } from '../../src/ctl/wire.js';
import { parseTxnScript } from '../../src/ctl/txn-parser.js';

describe('client wire format (etcd v3 JSON)', () => {
  it('encodes bytes as base64, numbers as strings, and leaves zero values out', () => {
    expect(encodePut({ key: Buffer.from('a'), value: Buffer.from('1') })).to.deep.equal({ key: 'YQ==', value: 'MQ==' });
    expect(encodeRange({ key: Buffer.from('a'), rangeEnd: Buffer.from([0]), revision: 3, limit: 0, keysOnly: false })).to.deep.equal({
      key: 'YQ==',
      range_end: 'AA==',
      revision: '3',
    });
  });

  it('sends a zero compare operand, since version("k") = "0" means "absent"', () => {
    const wire = encodeTxn(parseTxnScript('version("k") = "0"\n\nput k v\n'));
    expect(wire.compare).to.deep.equal([{ key: 'aw==', target: 'VERSION', result: 'EQUAL', version: '0' }]);
    expect(wire.success).to.deep.equal([{ request_put: { key: 'aw==', value: 'dg==' } }]);
    expect(wire.failure).to.deep.equal([]);
  });

  it('decodes a range answer with string numbers and fills left-out fields with zero values', () => {
    const resp = decodeRange({
      header: { cluster_id: '1', member_id: '2', revision: '3', raft_term: '2' },
      kvs: [{ key: 'YQ==', create_revision: '2', mod_revision: '3', version: '2', value: 'Mg==' }],
      count: '1',
    });
    expect(resp.header).to.deep.equal({ clusterId: '1', memberId: '2', revision: 3, raftTerm: 2 });
    expect(resp.count).to.equal(1);
    expect(resp.more).to.equal(false);
    expect(resp.kvs[0]!.value.toString()).to.equal('2');
    expect(resp.kvs[0]!.lease).to.equal(0);
    expect(decodeRange({ header: {} }).kvs).to.deep.equal([]);
  });

  it('decodes txn responses of each kind', () => {
    const resp = decodeTxn({
      header: { revision: '4' },
      succeeded: true,
      responses: [{ response_put: { header: { revision: '4' } } }, { response_delete_range: { deleted: '1' } }, { response_range: { count: '0' } }],
    });
    expect(resp.succeeded).to.equal(true);
    expect(resp.responses.map((r) => Object.keys(r)[0])).to.deep.equal(['responsePut', 'responseDeleteRange', 'responseRange']);
  });

  it('decodes status (camelCase fields) and member lists, keeping 64-bit ids as strings', () => {
    const status = decodeStatus({ header: { member_id: '6662698563040693991' }, version: '3.4.23', dbSize: '20480', leader: '6662698563040693991', raftIndex: '9', raftTerm: '2', raftAppliedIndex: '9' });
    expect(status).to.include({ leader: '6662698563040693991', raftTerm: 2, raftAppliedIndex: 9, dbSize: 20480 });
    expect(decodeStatus({}).leader).to.equal('0');
    const members = decodeMemberList({ members: [{ ID: '17', name: 'n1', peerURLs: ['http://p'], clientURLs: ['http://c'] }] }).members;
    expect(members).to.deep.equal([{ id: '17', name: 'n1', peerURLs: ['http://p'], clientURLs: ['http://c'], isLearner: false }]);
  });
});
