import { expect } from 'chai';
import { FaultInjector } from '../src/fault-injector.js';
import { seededRandom, validateFaultPlan, type FaultPlan, type Message } from '../src/index.js';
import { numbered, seqOf, waitFor } from './helpers.js';

/** An injector whose deliveries and drops are recorded. */
function harness(plan: FaultPlan) {
  const delivered: Message[] = [];
  const dropped: Array<{ msg: Message; reason: string }> = [];
  const injector = new FaultInjector(plan, (m) => delivered.push(m), (msg, reason) => dropped.push({ msg, reason }));
  return { injector, delivered, dropped };
}

describe('seededRandom', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).to.deep.equal(seqA);
    expect(Array.from({ length: 5 }, c)).to.not.deep.equal(seqA);
  });

  it('yields values in [0, 1) spread over the interval', () => {
    const random = seededRandom(7);
    const values = Array.from({ length: 10_000 }, random);
    expect(values.every((v) => v >= 0 && v < 1)).to.equal(true);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).to.be.within(0.45, 0.55);
  });
});

describe('fault plans', () => {
  it('rejects out-of-range rates and delays with a message naming the field', () => {
    expect(() => validateFaultPlan({ seed: 1, default: { dropRate: 1.5 } })).to.throw(RangeError, /default\.dropRate/);
    expect(() => validateFaultPlan({ seed: 1, links: { 'a->b': { delayMs: -1 } } })).to.throw(RangeError, /delayMs/);
    expect(() => validateFaultPlan({ seed: 1, links: { ab: {} } })).to.throw(TypeError, /from->to/);
    expect(() => validateFaultPlan({ seed: Number.NaN })).to.throw(TypeError, /seed/);
  });

  it('drops about the planned fraction, identically for the same seed', () => {
    const run = () => {
      const h = harness({ seed: 5, default: { dropRate: 0.3 } });
      for (let i = 0; i < 2000; i++) h.injector.route(numbered('a', 'b', i));
      return h;
    };
    const first = run();
    const second = run();
    expect(first.dropped.length).to.be.within(450, 750);
    expect(first.dropped.every((d) => d.reason === 'fault')).to.equal(true);
    expect(second.delivered.map(seqOf)).to.deep.equal(first.delivered.map(seqOf));
  });

  it('duplicates about the planned fraction', () => {
    const h = harness({ seed: 9, default: { duplicateRate: 0.5 } });
    for (let i = 0; i < 1000; i++) h.injector.route(numbered('a', 'b', i));
    expect(h.delivered.length - 1000).to.be.within(400, 600);
  });

  it('applies per-link faults instead of the default', () => {
    const h = harness({ seed: 1, default: { dropRate: 1 }, links: { 'a->c': { dropRate: 0 } } });
    h.injector.route(numbered('a', 'b', 1));
    h.injector.route(numbered('a', 'c', 2));
    expect(h.delivered.map(seqOf)).to.deep.equal([2]);
    expect(h.dropped.map((d) => seqOf(d.msg))).to.deep.equal([1]);
  });

  it('cuts a partitioned pair both ways and nothing else', () => {
    const h = harness({ seed: 1, partitions: [['a', 'b']] });
    h.injector.route(numbered('a', 'b', 1));
    h.injector.route(numbered('b', 'a', 2));
    h.injector.route(numbered('a', 'c', 3));
    expect(h.delivered.map(seqOf)).to.deep.equal([3]);
    expect(h.dropped.map((d) => d.reason)).to.deep.equal(['partition', 'partition']);
  });

  it('keeps the order of a link under jitter', async () => {
    const h = harness({ seed: 3, default: { delayMs: 1, jitterMs: 20 } });
    for (let i = 0; i < 200; i++) h.injector.route(numbered('a', 'b', i));
    expect(h.delivered).to.have.length(0);
    await waitFor(() => h.delivered.length === 200, 'all delayed messages');
    expect(h.delivered.map(seqOf)).to.deep.equal([...Array(200).keys()]);
    h.injector.close();
  });

  it('lets messages overtake each other when the link reorders', async () => {
    const h = harness({ seed: 3, default: { delayMs: 1, jitterMs: 30, reorder: true } });
    for (let i = 0; i < 200; i++) h.injector.route(numbered('a', 'b', i));
    await waitFor(() => h.delivered.length === 200, 'all delayed messages');
    const order = h.delivered.map(seqOf);
    expect(order).to.not.deep.equal([...Array(200).keys()]);
    expect([...order].sort((x, y) => x - y)).to.deep.equal([...Array(200).keys()]);
  });

  it('drops a held message whose link is cut before it leaves', async () => {
    const h = harness({ seed: 1, default: { delayMs: 30 } });
    h.injector.route(numbered('a', 'b', 1));
    h.injector.setPlan({ seed: 1, default: { delayMs: 30 }, partitions: [['a', 'b']] });
    await waitFor(() => h.dropped.length === 1, 'the held message to be dropped');
    expect(h.delivered).to.have.length(0);
    expect(h.dropped[0]!.reason).to.equal('partition');
  });

  it('sends everything held at once, in order, when faults are lifted', () => {
    const h = harness({ seed: 1, default: { delayMs: 60_000, jitterMs: 1000 } });
    for (let i = 0; i < 10; i++) h.injector.route(numbered('a', 'b', i));
    h.injector.lift();
    expect(h.delivered.map(seqOf)).to.deep.equal([...Array(10).keys()]);
  });

  it('keeps order across a plan change that shortens the delay', async () => {
    const h = harness({ seed: 1, default: { delayMs: 40 } });
    h.injector.route(numbered('a', 'b', 1));
    h.injector.setPlan({ seed: 1 });
    h.injector.route(numbered('a', 'b', 2));
    await waitFor(() => h.delivered.length === 2, 'both messages');
    expect(h.delivered.map(seqOf)).to.deep.equal([1, 2]);
  });
});
