/** The demo's script: five scenes, each a fault plan for every node, aimed at whoever leads when the scene starts. */
import { buildFaultPlan, type FaultSpec } from '@raftkv/kv-server';
import type { FaultPlan } from '@raftkv/cnet';
import type { DemoOptions } from './options.js';

export type SceneKind = 'baseline' | 'delay' | 'long-delay' | 'partition' | 'heal';

export interface Scene {
  /** 1-based, as printed. */
  number: number;
  kind: SceneKind;
  title: string;
  /** What a correct cluster shows in this scene. */
  expect: string;
  durationMs: number;
  /** The plan every node gets at the scene's start; `leader` is the leader at that moment. */
  faults: FaultSpec;
}

/** Five scenes of `sceneSeconds` each; `leader` names whom scenes 2-4 aim at (resolved again at each scene's start). */
export function scenePlan(o: DemoOptions, leader: string): Scene[] {
  const durationMs = Math.round(o.sceneSeconds * 1000);
  const short = o.delayMs - o.jitterMs;
  return [
    { kind: 'baseline', title: 'healthy baseline', expect: 'low latency, no election', faults: { kind: 'heal' } },
    {
      kind: 'delay',
      title: `every message from leader ${leader} delayed ${o.delayMs} ± ${o.jitterMs} ms (below the ${o.electionMs} ms election timeout)`,
      expect: 'latency rises, no election',
      faults: { kind: 'delay', from: [leader], delayMs: short, jitterMs: 2 * o.jitterMs },
    },
    {
      kind: 'long-delay',
      title: `every message from leader ${leader} delayed ${o.longDelayMs} ms (past the election timeout)`,
      expect: `a new leader is elected, ${leader} steps down`,
      faults: { kind: 'delay', from: [leader], delayMs: o.longDelayMs },
    },
    {
      kind: 'partition',
      title: `leader ${leader} cut off from the majority`,
      expect: `${leader}'s clients get errors, the majority elects a leader and keeps serving`,
      faults: { kind: 'partition-from-rest', group: [leader] },
    },
    {
      kind: 'heal',
      title: 'heal every link',
      expect: 'the old leader rejoins without a new election (pre-vote), every node converges',
      faults: { kind: 'heal' },
    },
  ].map((s, i) => ({ ...(s as Omit<Scene, 'number' | 'durationMs'>), number: i + 1, durationMs }));
}

/** The cnet plan of a scene for the given members. */
export function scenePlanFaults(scene: Scene, members: string[], seed: number): FaultPlan {
  return buildFaultPlan(scene.faults, members, seed + scene.number);
}
