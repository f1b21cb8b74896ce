#!/usr/bin/env node
import { runSeed } from './simulation.js';

/** `npm run sim -- --seeds N [--seed S] [--chaos-ticks T]`: runs seeds S..S+N-1 and reports violations. */
function parseArgs(argv: string[]): { seeds: number; seed: number; chaosTicks: number; verbose: boolean } {
  const out = { seeds: 200, seed: 1, chaosTicks: 400, verbose: false };
  let seedGiven = false;
  let seedsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${arg} needs a non-negative integer`);
      return v;
    };
    if (arg === '--seeds') (out.seeds = value()), (seedsGiven = true);
    else if (arg === '--seed') (out.seed = value()), (seedGiven = true);
    else if (arg === '--chaos-ticks') out.chaosTicks = value();
    else if (arg === '--verbose') out.verbose = true;
    else throw new Error(`unknown argument ${arg} (use --seeds N [--seed S] [--chaos-ticks T] [--verbose])`);
  }
  // A single --seed replays exactly that seed.
  if (seedGiven && !seedsGiven) out.seeds = 1;
  return out;
}

function main(): number {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  let violations = 0;
  let events = 0;
  const started = performance.now();
  for (let seed = args.seed; seed < args.seed + args.seeds; seed++) {
    const result = runSeed({ seed, chaosTicks: args.chaosTicks });
    events += result.stats.events;
    if (args.verbose) console.log(`seed=${seed} nodes=${result.nodes} ${JSON.stringify(result.stats)}`);
    if (result.violations.length > 0) {
      violations += result.violations.length;
      console.log(`seed=${seed} FAILED (replay: npm run sim -- --seed ${seed} --chaos-ticks ${args.chaosTicks})`);
      for (const v of result.violations) console.log(`  ${v}`);
    }
  }
  const secs = (performance.now() - started) / 1000;
  console.log(`${events} events in ${secs.toFixed(1)}s`);
  console.log(`seeds=${args.seeds} violations=${violations}`);
  return violations > 0 ? 1 : 0;
}

process.exitCode = main();
