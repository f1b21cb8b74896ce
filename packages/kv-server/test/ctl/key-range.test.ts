import { expect } from 'chai';
import { UsageError } from '../../src/ctl/exit-codes.js';
import { buildRangeRequest, prefixRangeEnd, resolveKeyRange } from '../../src/ctl/key-range.js';

describe('key ranges (clientv3 WithPrefix / WithFromKey)', () => {
  it('ends a prefix range at the prefix with its last byte incremented', () => {
    expect(prefixRangeEnd(Buffer.from('abc')).toString()).to.equal('abd');
  });

  it('carries past trailing 0xff bytes, and means "all keys" when every byte is 0xff', () => {
    expect([...prefixRangeEnd(Buffer.from([0x61, 0xff, 0xff]))]).to.deep.equal([0x62]);
    expect([...prefixRangeEnd(Buffer.from([0xff]))]).to.deep.equal([0]);
  });

  it('maps an empty --prefix and an empty --from-key to every key', () => {
    expect(resolveKeyRange('', undefined, { prefix: true })).to.deep.equal({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]) });
    expect(resolveKeyRange('', undefined, { fromKey: true })).to.deep.equal({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]) });
    expect(resolveKeyRange('m', undefined, { fromKey: true })).to.deep.equal({ key: Buffer.from('m'), rangeEnd: Buffer.from([0]) });
  });

  it('refuses --prefix with --from-key or with a range end', () => {
    expect(() => resolveKeyRange('a', undefined, { prefix: true, fromKey: true })).to.throw(UsageError);
    expect(() => resolveKeyRange('a', 'b', { prefix: true })).to.throw(UsageError);
  });

  it('turns --sort-by MODIFY into an ascending MOD sort unless --order says otherwise', () => {
    expect(buildRangeRequest('a', undefined, { sortBy: 'modify' })).to.include({ sortTarget: 'MOD', sortOrder: 'ASCEND' });
    expect(buildRangeRequest('a', undefined, { sortBy: 'key', order: 'descend' })).to.include({ sortTarget: 'KEY', sortOrder: 'DESCEND' });
    expect(() => buildRangeRequest('a', undefined, { sortBy: 'size' })).to.throw(UsageError);
    expect(() => buildRangeRequest('a', undefined, { order: 'up' })).to.throw(UsageError);
  });
});
