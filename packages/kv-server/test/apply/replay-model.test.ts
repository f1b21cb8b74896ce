import { expect } from 'chai';
import fc from 'fast-check';
import { KvStateMachine } from '../../src/apply/state-machine.js';
import { MvccStore } from '../../src/mvcc/store.js';
import type { Command, CommandOp } from '../../src/mvcc/types.js';
import { b, tempDir } from '../mvcc/helpers.js';
import { LogBuilder } from './helpers.js';

const key = fc.constantFrom('a', 'b', 'c');
const commandOp = fc.oneof(
  fc.record({ put: fc.record({ key: key.map(b), value: fc.constantFrom('1', '2').map(b) }) }),
  fc.record({ deleteRange: fc.record({ key: key.map(b) }) }),
  fc.record({ compaction: fc.record({ revision: fc.integer({ min: 0, max: 12 }) }) }),
  fc.record({
    txn: fc.record({
      compare: fc.constant([{ key: b('a'), target: 'VERSION' as const, result: 'GREATER' as const, version: 1 }]),
      success: fc.constant([{ requestPut: { key: b('b'), value: b('t') } }]),
      failure: fc.constant([{ requestDeleteRange: { key: b('c') } }]),
    }),
  }),
) as fc.Arbitrary<CommandOp>;

/** A log: fresh commands, and now and then a re-proposal of an earlier id. */
const logSteps = fc.array(fc.oneof({ weight: 4, arbitrary: commandOp.map((op) => ({ op })) }, { weight: 1, arbitrary: fc.nat().map((dup) => ({ dup })) }), {
  minLength: 1,
  maxLength: 25,
});

async function compactAgainAtZero(sm: KvStateMachine): Promise<string> {
  const r = sm.waitForResult('probe-compact-0', 5000);
  await sm.apply([new LogBuilder(sm.appliedIndex() + 1).command({ id: 'probe-compact-0', op: { compaction: { revision: 0 } } })]);
  const res = await r;
  return 'error' in res ? res.error.message : 'ok';
}

async function compactAgainAtZeroOf(store: MvccStore): Promise<string> {
  try {
    store.compact(0);
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
}

describe('KvStateMachine replay against a plain store', () => {
  it('ends in the state of applying each distinct id once, however the log is batched, restarted or redelivered', async () => {
    await fc.assert(
      fc.asyncProperty(logSteps, fc.array(fc.nat({ max: 4 }), { minLength: 1, maxLength: 10 }), fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), async (steps, cuts, reopens) => {
        const { dir, cleanup } = await tempDir('replay');
        let sm = await KvStateMachine.open(dir);
        try {
          const commands: Command[] = [];
          for (const [i, s] of steps.entries()) {
            if ('op' in s || commands.length === 0) commands.push({ id: `id${i}`, op: 'op' in s ? s.op : { put: { key: b('a'), value: b('x') } } });
            else commands.push(commands[s.dup % commands.length]!);
          }
          const reference = new MvccStore();
          const seen = new Set<string>();
          for (const c of commands) {
            if (seen.has(c.id)) continue;
            seen.add(c.id);
            try {
              if ('put' in c.op) reference.put(c.op.put);
              else if ('deleteRange' in c.op) reference.deleteRange(c.op.deleteRange);
              else if ('txn' in c.op) reference.txn(c.op.txn);
              else if ('compaction' in c.op) reference.compact(c.op.compaction.revision);
            } catch {
              // errors leave the state as it was, on both sides
            }
          }

          const log = new LogBuilder();
          const entries = commands.map((c) => log.command(c));
          let pos = 0;
          for (let i = 0; pos < entries.length; i++) {
            const size = (cuts[i % cuts.length] ?? 0) + 1;
            // Redeliver a little of what was already applied, as a restarted driver may.
            const from = Math.max(0, pos - (i % 2));
            await sm.apply(entries.slice(from, pos + size));
            pos += size;
            if (reopens[i % reopens.length]) {
              await sm.close();
              sm = await KvStateMachine.open(dir);
            }
          }
          expect(sm.appliedIndex()).to.equal(entries.length);
          expect(sm.currentRevision()).to.equal(reference.currentRevision());
          expect(sm.compactedRevision()).to.equal(reference.compactedRevision());
          // A first compaction at 0 must survive restarts too (it forbids a second one).
          expect(await compactAgainAtZero(sm)).to.equal(await compactAgainAtZeroOf(reference));
          for (let rev = Math.max(1, reference.compactedRevision()); rev <= reference.currentRevision(); rev++) {
            const all = { key: Buffer.of(0), rangeEnd: Buffer.of(0), revision: rev };
            expect(sm.range(all)).to.deep.equal(reference.range(all));
          }
        } finally {
          await sm.close();
          await cleanup();
        }
      }),
      { numRuns: 25 },
    );
  });
});
