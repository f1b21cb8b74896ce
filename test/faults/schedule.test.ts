import { expect } from 'chai';
import { FAULT_KINDS, cutsBetween, describeEpisode, drawSchedule, nodeNames, type ScheduleOptions } from './schedule.js';

const base: ScheduleOptions = { seed: 1, nodes: 3, durationMs: 60_000, kinds: FAULT_KINDS, electionMs: 500 };

describe('fault schedules', () => {
  it('draws the same schedule from the same seed and a different one from another seed', () => {
    expect(drawSchedule(base)).to.deep.equal(drawSchedule(base));
    expect(drawSchedule({ ...base, seed: 2 })).to.not.deep.equal(drawSchedule(base));
  });

  it('runs episodes one after another, after the lead-in and healed before the quiet tail', () => {
    for (let seed = 0; seed < 50; seed++) {
      const schedule = drawSchedule({ ...base, seed, leadMs: 2000, tailMs: 3000 });
      expect(schedule.length, `seed ${seed}`).to.be.greaterThan(3);
      expect(schedule[0]!.at).to.equal(2000);
      for (const [i, e] of schedule.entries()) {
        expect(e.at + e.holdMs, `seed ${seed} episode ${i} ends before the tail`).to.be.at.most(57_000);
        if (i > 0) expect(e.at, `seed ${seed} episode ${i} after the previous heal`).to.be.greaterThan(schedule[i - 1]!.at + schedule[i - 1]!.holdMs);
      }
    }
  });

  it('holds pauses, partitions and delays past the election timeout', () => {
    for (let seed = 0; seed < 50; seed++) {
      for (const e of drawSchedule({ ...base, seed })) {
        if (e.kind !== 'kill-all') expect(e.holdMs, describeEpisode(e)).to.be.greaterThan(500);
      }
    }
  });

  it('draws only the kinds asked for', () => {
    const kinds = drawSchedule({ ...base, kinds: ['pause', 'split'] }).map((e) => e.kind);
    expect(new Set(kinds)).to.deep.equal(new Set(['pause', 'split']));
  });

  it('splits 5 nodes into a minority and a majority, and a bridge into two sides plus one node', () => {
    const names = nodeNames(5);
    for (let seed = 0; seed < 30; seed++) {
      for (const e of drawSchedule({ ...base, seed, nodes: 5, kinds: ['split', 'bridge'] })) {
        const sides = e.sides!;
        expect(sides.flat().sort(), describeEpisode(e)).to.deep.equal(names);
        if (e.kind === 'split') {
          expect(sides[0]!.length).to.be.within(1, 2);
          expect(sides[1]!.length).to.be.at.least(3);
        } else {
          expect(sides[2]).to.have.length(1);
          expect(sides[0]!.length + sides[2]!.length).to.be.at.least(2);
        }
      }
    }
  });

  it('with cycleKinds, draws every kind once before repeating any', () => {
    for (let seed = 0; seed < 20; seed++) {
      const kinds = drawSchedule({ ...base, seed, durationMs: 600_000, cycleKinds: true }).map((e) => e.kind);
      expect(new Set(kinds.slice(0, FAULT_KINDS.length)).size, `seed ${seed}`).to.equal(FAULT_KINDS.length);
    }
  });

  it('draws nothing when no fault kind is allowed or the run is too short', () => {
    expect(drawSchedule({ ...base, kinds: [] })).to.deep.equal([]);
    expect(drawSchedule({ ...base, durationMs: 4000 })).to.deep.equal([]);
  });

  it('cuts every node of one side from every node of the other', () => {
    expect(cutsBetween(['n1'], ['n2', 'n3'])).to.deep.equal([
      ['n1', 'n2'],
      ['n1', 'n3'],
    ]);
  });

  it('describes an episode with its time, kind, target and hold', () => {
    expect(describeEpisode({ at: 2500, kind: 'kill', node: 'n2', holdMs: 3000 })).to.equal('t+2.5s kill n2 for 3.0s');
    expect(describeEpisode({ at: 0, kind: 'bridge', holdMs: 1000, sides: [['n1'], ['n3'], ['n2']] })).to.equal('t+0.0s bridge: n1 | n3 via n2 for 1.0s');
  });
});
