import { expect } from 'chai';
import { MessageType } from '@raftkv/raft';
import { KvError } from '@raftkv/kv-server';

describe('workspace', () => {
  it('links the packages so one can import another by name', () => {
    expect(MessageType.Append).to.equal(5);
    expect(new KvError(3, 'etcdserver: key is not provided').code).to.equal(3);
  });
});
