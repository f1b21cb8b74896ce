import { expect } from 'chai';
import { UsageError } from '../../src/ctl/exit-codes.js';
import { buildFaultPlan, parseNameList } from '../../src/ctl/fault-plan.js';

const MEMBERS = ['n1', 'n2', 'n3'];

describe('fault plans from raftkv-ctl fault arguments', () => {
  it('delays the named directed links only', () => {
    const plan = buildFaultPlan({ kind: 'delay', from: ['n1'], to: ['n2', 'n3'], delayMs: 300, jitterMs: 50 }, MEMBERS, 7);
    expect(plan).to.deep.equal({
      seed: 7,
      links: { 'n1->n2': { delayMs: 300, jitterMs: 50 }, 'n1->n3': { delayMs: 300, jitterMs: 50 } },
    });
  });

  it('expands a missing --to to every other member', () => {
    const plan = buildFaultPlan({ kind: 'drop', from: ['n1'], rate: 0.2 }, MEMBERS, 1);
    expect(plan.links).to.deep.equal({ 'n1->n2': { dropRate: 0.2 }, 'n1->n3': { dropRate: 0.2 } });
  });

  it('uses the default link faults when neither --from nor --to is given', () => {
    expect(buildFaultPlan({ kind: 'duplicate', rate: 0.5 }, MEMBERS, 1)).to.deep.equal({ seed: 1, default: { duplicateRate: 0.5 } });
  });

  it('cuts a group from the rest with one pair per link', () => {
    expect(buildFaultPlan({ kind: 'partition-from-rest', group: ['n1'] }, MEMBERS, 2).partitions).to.deep.equal([
      ['n1', 'n2'],
      ['n1', 'n3'],
    ]);
    expect(buildFaultPlan({ kind: 'partition-from-rest', group: ['n1', 'n2'] }, MEMBERS, 2).partitions).to.deep.equal([
      ['n1', 'n3'],
      ['n2', 'n3'],
    ]);
  });

  it('cuts each pair among --between members once', () => {
    expect(buildFaultPlan({ kind: 'partition-between', nodes: ['n1', 'n2'] }, MEMBERS, 3).partitions).to.deep.equal([['n1', 'n2']]);
    expect(buildFaultPlan({ kind: 'partition-between', nodes: ['n1', 'n2', 'n3'] }, MEMBERS, 3).partitions).to.have.length(3);
  });

  it('heals with a plan that has no faults', () => {
    expect(buildFaultPlan({ kind: 'heal' }, MEMBERS, 9)).to.deep.equal({ seed: 9 });
  });

  it('rejects unknown members, bad rates, negative delays and empty selections', () => {
    expect(() => buildFaultPlan({ kind: 'drop', from: ['n9'], rate: 0.1 }, MEMBERS, 1)).to.throw(UsageError, /unknown member "n9"/);
    expect(() => buildFaultPlan({ kind: 'drop', rate: 1.5 }, MEMBERS, 1)).to.throw(UsageError, /rate/);
    expect(() => buildFaultPlan({ kind: 'delay', delayMs: -1 }, MEMBERS, 1)).to.throw(UsageError, /--ms/);
    expect(() => buildFaultPlan({ kind: 'delay', from: ['n1'], to: ['n1'], delayMs: 5 }, MEMBERS, 1)).to.throw(UsageError, /no link/);
    expect(() => buildFaultPlan({ kind: 'partition-from-rest', group: MEMBERS }, MEMBERS, 1)).to.throw(UsageError, /outside/);
    expect(() => buildFaultPlan({ kind: 'partition-between', nodes: ['n1'] }, MEMBERS, 1)).to.throw(UsageError, /two or more/);
  });

  it('reads comma lists and repeated flags as names', () => {
    expect(parseNameList('n1, n2,,n3')).to.deep.equal(['n1', 'n2', 'n3']);
    expect(parseNameList(['n1', 'n2,n3'])).to.deep.equal(['n1', 'n2', 'n3']);
    expect(parseNameList(undefined)).to.equal(undefined);
  });
});
