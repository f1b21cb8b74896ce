import { expect } from 'chai';
import fc from 'fast-check';
import { MvccStore } from '../../src/mvcc/store.js';
import { KvError, type KeyValue } from '../../src/mvcc/types.js';
import { b } from './helpers.js';

/** The obvious reference: a full copy of the key space at every revision. */
interface ModelKv {
  value: string;
  create: number;
  mod: number;
  version: number;
}

class ReferenceModel {
  private readonly states: Array<Map<string, ModelKv>> = [new Map(), new Map()];
  /** etcd's compactMainRev: -1 until the first compaction. */
  compacted = -1;

  get current(): number {
    return this.states.length - 1;
  }

  private commit(writes: Array<[string, string | null]>): void {
    const rev = this.current + 1;
    const next = new Map(this.states[this.current]);
    for (const [k, v] of writes) {
      if (v === null) next.delete(k);
      else {
        const prev = next.get(k);
        next.set(k, { value: v, create: prev?.create ?? rev, mod: rev, version: (prev?.version ?? 0) + 1 });
      }
    }
    this.states.push(next);
  }

  put(puts: Array<[string, string]>): void {
    this.commit(puts);
  }

  deleteRange(from: string, to: string | undefined): number {
    const keys = [...this.states[this.current]!.keys()].filter((k) => inRange(k, from, to));
    if (keys.length > 0) this.commit(keys.map((k) => [k, null]));
    return keys.length;
  }

  compact(rev: number): string | undefined {
    if (rev <= this.compacted) return 'compacted';
    if (rev > this.current) return 'future';
    this.compacted = rev;
    return undefined;
  }

  range(from: string, to: string | undefined, rev: number): string | Array<[string, ModelKv]> {
    if (rev > this.current) return 'future';
    const at = rev <= 0 ? this.current : rev;
    if (at < this.compacted) return 'compacted';
    return [...this.states[at]!.entries()].filter(([k]) => inRange(k, from, to)).sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0));
  }
}

const inRange = (k: string, from: string, to: string | undefined): boolean => (to === undefined ? k === from : k >= from && k < to);

const asModel = (kv: KeyValue): [string, ModelKv] => [
  kv.key.toString(),
  { value: kv.value.toString(), create: kv.createRevision, mod: kv.modRevision, version: kv.version },
];

function outcome(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!(err instanceof KvError)) throw err;
    return err.message.includes('compacted') ? 'compacted' : err.message.includes('future') ? 'future' : err.message;
  }
}

const key = fc.constantFrom('a', 'b', 'ba', 'c', 'd');
const value = fc.constantFrom('', 'x', 'y', 'zz');
type Op =
  | { kind: 'put'; puts: Array<[string, string]> }
  | { kind: 'del'; from: string; to: string | undefined }
  | { kind: 'compact'; back: number }
  | { kind: 'range'; from: string; to: string | undefined; back: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), puts: fc.uniqueArray(fc.tuple(key, value), { minLength: 1, maxLength: 3, selector: ([k]) => k }) }),
  fc.record({ kind: fc.constant('del' as const), from: key, to: fc.option(key, { nil: undefined }) }),
  fc.record({ kind: fc.constant('compact' as const), back: fc.integer({ min: -1, max: 6 }) }),
  fc.record({ kind: fc.constant('range' as const), from: key, to: fc.option(fc.constantFrom('b', 'c', 'e'), { nil: undefined }), back: fc.integer({ min: -1, max: 8 }) }),
);

describe('MvccStore against a reference model', () => {
  it('agrees on every read, revision and error over random sequences of puts, txns, deletes, compactions and ranges', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const store = new MvccStore();
        const model = new ReferenceModel();
        for (const o of ops) {
          switch (o.kind) {
            case 'put':
              if (o.puts.length === 1) store.put({ key: b(o.puts[0]![0]), value: b(o.puts[0]![1]) });
              else store.txn({ compare: [], success: o.puts.map(([k, v]) => ({ requestPut: { key: b(k), value: b(v) } })), failure: [] });
              model.put(o.puts);
              break;
            case 'del': {
              const req = o.to === undefined ? { key: b(o.from) } : { key: b(o.from), rangeEnd: b(o.to) };
              expect(store.deleteRange(req).response.deleted).to.equal(model.deleteRange(o.from, o.to));
              break;
            }
            case 'compact': {
              const rev = model.current - o.back;
              expect(outcome(() => store.compact(rev))).to.equal(model.compact(rev));
              break;
            }
            case 'range': {
              const rev = o.back < 0 ? 0 : model.current + 1 - o.back;
              const expected = model.range(o.from, o.to, rev);
              const req = { key: b(o.from), ...(o.to === undefined ? {} : { rangeEnd: b(o.to) }), revision: rev };
              let got: string | Array<[string, ModelKv]> = 'unset';
              const err = outcome(() => (got = store.range(req).kvs.map(asModel)));
              expect(err ?? got).to.deep.equal(expected);
              break;
            }
          }
          expect(store.currentRevision()).to.equal(model.current);
          expect(store.compactedRevision()).to.equal(Math.max(0, model.compacted));
        }
        // Nothing older than the compacted revision may survive except what reads at it need.
        const all = model.range('\0', '\uffff', 0);
        expect(store.range({ key: Buffer.of(0), rangeEnd: Buffer.of(0) }).kvs.map(asModel)).to.deep.equal(all);
      }),
      { numRuns: 300 },
    );
  });
});
