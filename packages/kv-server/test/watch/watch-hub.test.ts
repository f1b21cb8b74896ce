import { expect } from 'chai';
import { MvccStore } from '../../src/mvcc/store.js';
import { WatchHub, type WatchRequest, type WatchUpdate } from '../../src/watch/watch-hub.js';
import { b } from '../mvcc/helpers.js';

/** A store whose every write is published to a hub, as the apply loop does after each durable batch. */
function setup(): { store: MvccStore; hub: WatchHub; apply: (write: (s: MvccStore) => unknown) => void } {
  const store = new MvccStore();
  const hub = new WatchHub(store);
  return {
    store,
    hub,
    apply(write) {
      write(store);
      hub.publish(store.takeChanges());
    },
  };
}

/** A sink recording updates; `room` = how many more it accepts before saying "full" (Infinity: never full). */
function recorder(room = Infinity) {
  const updates: WatchUpdate[] = [];
  const sink = {
    room,
    send(u: WatchUpdate): boolean {
      updates.push(u);
      sink.room--;
      return sink.room > 0;
    },
  };
  return { updates, sink };
}

/** "rev:TYPE:key=value" per event, in arrival order. */
function eventsOf(updates: WatchUpdate[]): string[] {
  return updates.flatMap((u) =>
    u.kind === 'events' ? u.events.map((e) => `${e.kv.modRevision}:${e.type}:${e.kv.key}=${e.kv.value}`) : [],
  );
}

const watchKey = (key: string, extra: Partial<WatchRequest> = {}): WatchRequest => ({ key: b(key), ...extra });
const watchPrefix = (p: string, extra: Partial<WatchRequest> = {}): WatchRequest => ({
  key: b(p),
  rangeEnd: Buffer.concat([b(p).subarray(0, -1), Buffer.of(b(p).at(-1)! + 1)]),
  ...extra,
});

describe('WatchHub', () => {
  let hubs: WatchHub[] = [];
  afterEach(() => hubs.splice(0).forEach((h) => h.close()));
  const make = () => {
    const s = setup();
    hubs.push(s.hub);
    return s;
  };

  it('delivers each write of a watched key once, in revision order, and nothing for other keys', () => {
    const { hub, apply } = make();
    const r = recorder();
    hub.watch(watchKey('a'), r.sink);
    apply((s) => s.put({ key: b('a'), value: b('1') }));
    apply((s) => s.put({ key: b('b'), value: b('x') }));
    apply((s) => s.put({ key: b('a'), value: b('2') }));
    apply((s) => s.deleteRange({ key: b('a') }));
    expect(eventsOf(r.updates)).to.deep.equal(['2:PUT:a=1', '4:PUT:a=2', '5:DELETE:a=']);
  });

  it("gives one write transaction's events to a watcher together, in one update", () => {
    const { hub, apply } = make();
    const r = recorder();
    hub.watch(watchPrefix('k/'), r.sink);
    apply((s) =>
      s.txn({ compare: [], success: [{ requestPut: { key: b('k/1'), value: b('a') } }, { requestPut: { key: b('k/2'), value: b('b') } }, { requestPut: { key: b('z'), value: b('c') } }], failure: [] }),
    );
    expect(r.updates).to.have.length(1);
    expect(eventsOf(r.updates)).to.deep.equal(['2:PUT:k/1=a', '2:PUT:k/2=b']);
  });

  it('replays history from start_revision, then continues live with no gap or duplicate', () => {
    const { hub, apply } = make();
    for (let i = 1; i <= 5; i++) apply((s) => s.put({ key: b('a'), value: b(String(i)) }));
    const r = recorder();
    hub.watch(watchKey('a', { startRevision: 3 }), r.sink);
    apply((s) => s.put({ key: b('a'), value: b('6') }));
    expect(eventsOf(r.updates)).to.deep.equal(['3:PUT:a=2', '4:PUT:a=3', '5:PUT:a=4', '6:PUT:a=5', '7:PUT:a=6']);
  });

  it('carries the previous value, and drops PUTs or DELETEs by filter', () => {
    const { hub, apply } = make();
    const noPut = recorder();
    const noDelete = recorder();
    hub.watch(watchKey('a', { filters: ['NOPUT'] }), noPut.sink);
    hub.watch(watchKey('a', { filters: ['NODELETE'] }), noDelete.sink);
    apply((s) => s.put({ key: b('a'), value: b('1') }));
    apply((s) => s.deleteRange({ key: b('a') }));
    expect(eventsOf(noPut.updates)).to.deep.equal(['3:DELETE:a=']);
    expect(eventsOf(noDelete.updates)).to.deep.equal(['2:PUT:a=1']);
    const del = noPut.updates[0]!;
    expect(del.kind === 'events' && del.events[0]!.prevKv?.value.toString()).to.equal('1');
  });

  it('cancels with the compact revision a watcher that starts before the compacted revision', () => {
    const { hub, apply, store } = make();
    for (let i = 1; i <= 5; i++) apply((s) => s.put({ key: b('a'), value: b(String(i)) }));
    store.compact(4);
    const r = recorder();
    hub.watch(watchKey('a', { startRevision: 2 }), r.sink);
    expect(r.updates).to.deep.equal([{ kind: 'compacted', compactRevision: 4 }]);
    expect(hub.size).to.equal(0);
    const fromCompacted = recorder();
    hub.watch(watchKey('a', { startRevision: 4 }), fromCompacted.sink);
    expect(eventsOf(fromCompacted.updates)).to.deep.equal(['4:PUT:a=3', '5:PUT:a=4', '6:PUT:a=5']);
  });

  it('stops sending to a full consumer, then catches it up from history once it has room: every event once, in order', () => {
    const { hub, apply } = make();
    const r = recorder(3);
    const handle = hub.watch(watchPrefix('k'), r.sink);
    const expected: string[] = [];
    for (let i = 1; i <= 50; i++) {
      apply((s) => s.put({ key: b(`k${i % 7}`), value: b(String(i)) }));
      expected.push(`${i + 1}:PUT:k${i % 7}=${i}`);
    }
    // The consumer said "full" after 3 updates: nothing more was buffered for it while it was full.
    expect(r.updates).to.have.length(3);
    while (r.updates.length < 50) {
      const before = r.updates.length;
      r.sink.room = 5;
      handle.resume();
      expect(r.updates.length - before).to.be.at.most(5);
      if (r.updates.length >= 45) apply((s) => s.put({ key: b('k0'), value: b('late') }));
    }
    r.sink.room = Infinity;
    handle.resume();
    apply((s) => s.deleteRange({ key: b('k1') }));
    const got = eventsOf(r.updates);
    const revisions = got.map((e) => Number(e.split(':')[0]));
    expect(new Set(revisions).size).to.equal(revisions.length);
    expect(revisions).to.deep.equal([...revisions].sort((x, y) => x - y));
    expect(got.slice(0, 50)).to.deep.equal(expected);
    expect(got.at(-1)).to.match(/:DELETE:k1=$/);
    expect(revisions.at(-1)! - revisions[0]!).to.equal(revisions.length - 1); // no gap
  });

  it('cancels a consumer that fell behind past a compaction, with the reason', () => {
    const { hub, apply, store } = make();
    const r = recorder(1);
    const handle = hub.watch(watchKey('a'), r.sink);
    for (let i = 1; i <= 5; i++) apply((s) => s.put({ key: b('a'), value: b(String(i)) }));
    store.compact(5);
    r.sink.room = Infinity;
    handle.resume();
    expect(r.updates.at(-1)).to.deep.equal({ kind: 'compacted', compactRevision: 5 });
    expect(hub.size).to.equal(0);
  });

  it('waits for a start revision in the future', () => {
    const { hub, apply } = make();
    const r = recorder();
    hub.watch(watchKey('a', { startRevision: 4 }), r.sink);
    for (let i = 1; i <= 4; i++) apply((s) => s.put({ key: b('a'), value: b(String(i)) }));
    expect(eventsOf(r.updates)).to.deep.equal(['4:PUT:a=3', '5:PUT:a=4']);
  });

  it('sends progress to synced watchers that asked for it', async () => {
    const store = new MvccStore();
    const hub = new WatchHub(store, { progressIntervalMs: 20 });
    hubs.push(hub);
    const asked = recorder();
    const silent = recorder();
    hub.watch(watchKey('a', { progressNotify: true }), asked.sink);
    hub.watch(watchKey('a'), silent.sink);
    const deadline = Date.now() + 5000;
    while (asked.updates.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(asked.updates[0]).to.deep.equal({ kind: 'progress', revision: 1 });
    expect(silent.updates).to.deep.equal([]);
  });

  it('stops a cancelled watcher and forgets it', () => {
    const { hub, apply } = make();
    const r = recorder();
    const handle = hub.watch(watchKey('a'), r.sink);
    handle.cancel();
    apply((s) => s.put({ key: b('a'), value: b('1') }));
    expect(r.updates).to.deep.equal([]);
    expect(hub.size).to.equal(0);
  });

  it('after a restored snapshot, continues each watcher from where it was, through history', () => {
    const { hub, apply, store } = make();
    const r = recorder();
    hub.watch(watchKey('a'), r.sink);
    apply((s) => s.put({ key: b('a'), value: b('1') }));
    // Writes the hub never saw published (they arrived in a snapshot).
    store.put({ key: b('a'), value: b('2') });
    store.put({ key: b('a'), value: b('3') });
    store.takeChanges();
    hub.restored();
    apply((s) => s.put({ key: b('a'), value: b('4') }));
    expect(eventsOf(r.updates)).to.deep.equal(['2:PUT:a=1', '3:PUT:a=2', '4:PUT:a=3', '5:PUT:a=4']);
  });
});

describe('WatchHub with a failing consumer', () => {
  it('drops a watcher whose sink throws, and keeps serving the others', () => {
    const store = new MvccStore();
    const hub = new WatchHub(store);
    const good = recorder();
    hub.watch(watchKey('a'), { send: () => { throw new Error('socket gone'); } });
    hub.watch(watchKey('a'), good.sink);
    store.put({ key: b('a'), value: b('1') });
    expect(() => hub.publish(store.takeChanges())).to.not.throw();
    expect(hub.size).to.equal(1);
    expect(eventsOf(good.updates)).to.deep.equal(['2:PUT:a=1']);
    hub.close();
  });
});
