import { expect } from 'chai';
import { demoModule, type OptionsModule, type ScenesModule } from './demo-modules.js';

describe('demo options and scene plan', () => {
  let opts: OptionsModule;
  let scenes: ScenesModule;
  before(async () => {
    opts = await demoModule<OptionsModule>('options.js');
    scenes = await demoModule<ScenesModule>('scenes.js');
  });

  const parse = (argv: string[]) => {
    const o = opts.parseDemoArgs(argv, () => undefined);
    if (o === 'help') throw new Error('unexpected help');
    return o;
  };

  it('defaults to a short delay below and a long delay past the election timeout', () => {
    const o = parse([]);
    expect(o.delayMs + o.jitterMs).to.be.below(o.electionMs);
    expect(o.longDelayMs).to.be.above(o.electionMs);
    expect(o.keep).to.equal(false);
    expect(o.dir).to.equal(undefined);
  });

  it('reads every timing flag', () => {
    const o = parse(['--scene-seconds', '2', '--election-timeout', '500', '--heartbeat-interval', '50', '--delay-ms', '150', '--jitter-ms', '30', '--long-delay-ms', '1200', '--keep', '--width', '90']);
    expect(o).to.include({ sceneSeconds: 2, electionMs: 500, heartbeatMs: 50, delayMs: 150, jitterMs: 30, longDelayMs: 1200, keep: true, width: 90 });
  });

  it('rejects timings under which a scene cannot show its point, with a message naming the flag', () => {
    expect(() => parse(['--delay-ms', '980', '--jitter-ms', '30'])).to.throw(opts.DemoArgError, /--delay-ms \+ --jitter-ms/);
    expect(() => parse(['--long-delay-ms', '900'])).to.throw(opts.DemoArgError, /--long-delay-ms/);
    expect(() => parse(['--heartbeat-interval', '600'])).to.throw(opts.DemoArgError, /twice --heartbeat-interval/);
    expect(() => parse(['--scene-seconds', 'soon'])).to.throw(opts.DemoArgError, /--scene-seconds/);
    expect(() => parse(['--no-such-flag'])).to.throw(opts.DemoArgError, /unknown option/);
  });

  it('answers --help without running', () => {
    let help = '';
    expect(opts.parseDemoArgs(['--help'], (t) => (help += t))).to.equal('help');
    expect(help).to.contain('--scene-seconds');
  });

  it('plans five scenes in order, each as long as --scene-seconds', () => {
    const plan = scenes.scenePlan(parse(['--scene-seconds', '3']), 'n2');
    expect(plan.map((s) => s.kind)).to.deep.equal(['baseline', 'delay', 'long-delay', 'partition', 'heal']);
    expect(plan.map((s) => s.number)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(plan.every((s) => s.durationMs === 3000)).to.equal(true);
  });

  it('delays only the leader\'s outgoing links: delay ± jitter in scene 2, the long delay in scene 3', () => {
    const o = parse(['--delay-ms', '300', '--jitter-ms', '50', '--long-delay-ms', '1500']);
    const members = ['n1', 'n2', 'n3'];
    const plan = scenes.scenePlan(o, 'n2');
    const short = scenes.scenePlanFaults(plan[1]!, members, 7);
    expect(Object.keys(short.links ?? {}).sort()).to.deep.equal(['n2->n1', 'n2->n3']);
    const link = short.links!['n2->n1']!;
    // cnet adds a uniform [0, jitter) to the fixed delay: 250 + [0, 100) is 300 ± 50.
    expect(link.delayMs).to.equal(o.delayMs - o.jitterMs);
    expect(link.delayMs! + link.jitterMs!).to.equal(o.delayMs + o.jitterMs);
    expect(short.default).to.equal(undefined);
    const long = scenes.scenePlanFaults(plan[2]!, members, 7);
    expect(long.links!['n2->n3']).to.deep.equal({ delayMs: o.longDelayMs });
  });

  it('cuts the leader from both others in scene 4 and clears every fault in scenes 1 and 5', () => {
    const plan = scenes.scenePlan(parse([]), 'n3');
    const members = ['n1', 'n2', 'n3'];
    const cut = scenes.scenePlanFaults(plan[3]!, members, 1);
    expect(cut.partitions!.map((p) => [...p].sort().join('|')).sort()).to.deep.equal(['n1|n3', 'n2|n3']);
    for (const healed of [plan[0]!, plan[4]!]) {
      const faults = scenes.scenePlanFaults(healed, members, 1);
      expect(faults.links ?? {}).to.deep.equal({});
      expect(faults.partitions ?? []).to.deep.equal([]);
      expect(faults.default).to.equal(undefined);
    }
  });
});
