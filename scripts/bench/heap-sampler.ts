/**
 * A preload that records where a node allocates, garbage included: V8's sampling heap profiler, keeping the objects
 * that young- and old-generation collections freed (Node's --heap-prof keeps only what is still alive). Use it on
 * the benchmark's nodes:
 *   RAFTKV_HEAP_SAMPLE=prof,15000,10000 npm run bench -- --only put-64-leader --system raftkv \
 *     --node-args "--import $PWD/scripts/dist/bench/heap-sampler.js"
 * samples from 15 s after each node starts for 10 s and writes prof/heap-<name>.heapprofile; summarize it with
 * `node scripts/dist/bench/profile-top.js prof/heap-n1.heapprofile`. Without RAFTKV_HEAP_SAMPLE it does nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { preloadWindow } from './preload-window.js';

/** One sample per this many bytes allocated, on average. */
const SAMPLING_INTERVAL_BYTES = 4096;

const window = preloadWindow('RAFTKV_HEAP_SAMPLE');
if (window !== null) {
  const { dir, startMs, durationMs, name } = window;
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  setTimeout(() => {
    session.post('HeapProfiler.startSampling', {
      samplingInterval: SAMPLING_INTERVAL_BYTES,
      includeObjectsCollectedByMinorGC: true,
      includeObjectsCollectedByMajorGC: true,
    });
    setTimeout(() => {
      session.post('HeapProfiler.stopSampling', (err, result) => {
        if (err) {
          process.stderr.write(`heap-sampler: ${err.message}\n`);
          return;
        }
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `heap-${name}.heapprofile`), JSON.stringify(result.profile));
      });
    }, durationMs).unref();
  }, startMs).unref();
}
