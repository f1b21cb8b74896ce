import { expect } from 'chai';
import { InvariantChecker } from '../../src/sim/invariants.js';
import { SimStorage } from '../../src/sim/sim-storage.js';
import { EntryType } from '../../src/core/messages.js';
import { makeLeader, newRaft } from '../core/harness.js';

const e = (index: number, term: number, cmd: string) => ({ index, term, type: EntryType.Normal, data: new TextEncoder().encode(cmd) });

describe('simulator: invariant checker', () => {
  it('flags two leaders in one term', () => {
    const c = new InvariantChecker(() => 0);
    const a = newRaft({ id: 'n1', term: 1 });
    const b = newRaft({ id: 'n2', term: 1 });
    makeLeader(a);
    makeLeader(b);
    c.checkLeader(a);
    c.checkLeader(b);
    expect(c.violations.join()).to.match(/election safety/);
  });

  it('flags the same index and term written with different commands', () => {
    const c = new InvariantChecker(() => 0);
    c.checkWritten('n1', [e(1, 1, 'a')], 0);
    c.checkWritten('n2', [e(1, 1, 'b')], 0);
    expect(c.violations.join()).to.match(/log matching/);
  });

  it('flags two nodes applying different commands at one index', () => {
    const c = new InvariantChecker(() => 0);
    c.checkApplied('n1', 1, 'a');
    c.checkApplied('n2', 1, 'b');
    expect(c.violations.join()).to.match(/state machine safety/);
  });

  it('flags a committed entry durable on only a minority', () => {
    const c = new InvariantChecker(() => 0);
    const leader = newRaft({ term: 1, logTerms: [1], commit: 1 });
    c.checkCommitted(leader, 0, 1);
    const holder = new SimStorage();
    holder.entries = [e(1, 1, '')];
    c.checkDurable([holder, new SimStorage(), new SimStorage()]);
    expect(c.violations.join()).to.match(/durable on only 1 of 3/);
  });

  it('flags a leader elected without a committed entry', () => {
    const c = new InvariantChecker(() => 0);
    c.checkCommitted(newRaft({ term: 1, logTerms: [1], commit: 1 }), 0, 1);
    const other = newRaft({ id: 'n2', term: 1, logTerms: [] });
    makeLeader(other);
    c.checkLeader(other);
    expect(c.violations.join()).to.match(/leader completeness/);
  });
});
