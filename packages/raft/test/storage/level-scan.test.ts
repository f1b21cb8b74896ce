import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { readAhead, type BatchIterator } from '../../src/storage/level-scan.js';
import { waitFor } from '../node/cluster-harness.js';

type Bytes = Uint8Array;
const key = (i: number): Bytes => new TextEncoder().encode(`k${String(i).padStart(5, '0')}`);

/** An iterator over `batches` that records each call and lets a test decide when each read completes. */
class ScriptedIterator implements BatchIterator<number, number> {
  reads = 0;
  closes = 0;
  /** Settles the read in flight, if any. */
  settle: { resolve: (batch: Array<[number, number]>) => void; reject: (err: Error) => void } | null = null;

  nextv(): Promise<Array<[number, number]>> {
    this.reads++;
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  async close(): Promise<void> {
    this.closes++;
  }
}

describe('readAhead', () => {
  it('yields every entry of a level range in key order, a batch at a time, and closes the iterator', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raftkv-level-scan-'));
    const db = new Level<Bytes, Bytes>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      await db.open();
      await db.batch(Array.from({ length: 2500 }, (_, i) => ({ type: 'put' as const, key: key(i), value: Uint8Array.of(i % 256) })));
      const it = db.iterator();
      const sizes: number[] = [];
      const seen: number[] = [];
      for await (const batch of readAhead(it, 1000)) {
        sizes.push(batch.length);
        for (const [, v] of batch) seen.push(v[0]!);
      }
      expect(sizes).to.deep.equal([1000, 1000, 500]);
      expect(seen).to.deep.equal(Array.from({ length: 2500 }, (_, i) => i % 256));
      await expectRejected(it.nextv(1), 'LEVEL_ITERATOR_NOT_OPEN');
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('asks for the next batch before handing out the current one', async () => {
    const it = new ScriptedIterator();
    const batches = readAhead(it, 2);
    const first = batches.next();
    await waitFor(() => it.reads === 1, 'the first read');
    it.settle!.resolve([[1, 10], [2, 20]]);
    expect((await first).value).to.deep.equal([[1, 10], [2, 20]]);
    // The caller has the first batch; the second read is already in flight.
    expect(it.reads).to.equal(2);
    const second = batches.next();
    it.settle!.resolve([]);
    expect((await second).done).to.equal(true);
    expect(it.closes).to.equal(1);
  });

  it('closes the iterator when the caller stops early, and a read left in flight failing is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const it = new ScriptedIterator();
      const batches = readAhead(it, 2);
      const first = batches.next();
      await waitFor(() => it.reads === 1, 'the first read');
      it.settle!.resolve([[1, 10]]);
      await first;
      await batches.return(undefined);
      expect(it.closes).to.equal(1);
      it.settle!.reject(new Error('iterator closed'));
      // Rejections are reported after the microtask queue drains: give them a turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('closes the iterator when a read fails, and passes the failure on', async () => {
    const it = new ScriptedIterator();
    const batches = readAhead(it, 2);
    const first = batches.next();
    await waitFor(() => it.reads === 1, 'the first read');
    it.settle!.reject(new Error('disk on fire'));
    await expectRejected(first, 'disk on fire');
    expect(it.closes).to.equal(1);
  });
});

async function expectRejected(promise: Promise<unknown>, text: string): Promise<void> {
  let failure: unknown = null;
  try {
    await promise;
  } catch (err) {
    failure = err;
  }
  expect(failure, 'rejected').to.be.an('error');
  const err = failure as Error & { code?: string };
  expect(`${err.code ?? ''} ${err.message}`).to.contain(text);
}
