import { expect } from 'chai';
import { KvStateMachine } from '../../src/apply/state-machine.js';
import { b, tempDir } from '../mvcc/helpers.js';
import { LogBuilder } from './helpers.js';

const everything = (revision: number) => ({ key: Buffer.of(0), rangeEnd: Buffer.of(0), revision });

/**
 * takeSnapshot() fixes the state when called and encodes it while later applies go on: what those applies do
 * (new revisions, deletes, a compaction that drops history in place) must not leak into the snapshot.
 */
describe('KvStateMachine snapshot capture', function () {
  this.timeout(60000);
  const dirs: Array<{ dir: string; cleanup: () => Promise<void> }> = [];
  const machines: KvStateMachine[] = [];

  async function open(prefix: string): Promise<KvStateMachine> {
    const d = await tempDir(prefix);
    dirs.push(d);
    const sm = await KvStateMachine.open(d.dir);
    machines.push(sm);
    return sm;
  }

  afterEach(async () => {
    for (const sm of machines.splice(0)) await sm.close();
    for (const d of dirs.splice(0)) await d.cleanup();
  });

  it('holds the state as of the call while later applies delete keys and compact history', async () => {
    const src = await open('snap-src');
    const log = new LogBuilder();
    const keys = 3_000;
    for (let round = 0; round < 4; round++) {
      await src.apply(Array.from({ length: keys }, (_, i) => log.put(`r${round}-${i}`, `key${i}`, `v${round}-${i}`)));
    }
    const revisionAtSnapshot = src.currentRevision();
    const historyAtSnapshot = src.range(everything(2 + keys)); // round 0's values, later compacted away
    const latestAtSnapshot = src.range(everything(revisionAtSnapshot));

    const snapshotting = src.takeSnapshot();
    // Queued behind the capture, these may finish before the encoding does.
    const later = [
      log.command({ id: 'del', op: { deleteRange: { key: b('key0'), rangeEnd: b('key5') } } }),
      log.command({ id: 'compact', op: { compaction: { revision: revisionAtSnapshot } } }),
      log.put('after', 'key1', 'after'),
    ];
    await src.apply(later);
    const data = await snapshotting;
    expect(src.compactedRevision()).to.equal(revisionAtSnapshot);

    const dst = await open('snap-dst');
    await dst.restoreSnapshot({ meta: { index: 4 * keys, term: 1, config: { voters: ['n1'] } }, data });
    expect(dst.appliedIndex()).to.equal(4 * keys);
    expect(dst.currentRevision()).to.equal(revisionAtSnapshot);
    expect(dst.compactedRevision()).to.equal(0);
    expect(dst.range(everything(revisionAtSnapshot))).to.deep.equal(latestAtSnapshot);
    expect(dst.range(everything(2 + keys))).to.deep.equal(historyAtSnapshot);
  });
});
