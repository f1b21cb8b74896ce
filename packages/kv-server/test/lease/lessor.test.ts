import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { Role, type RaftHandle } from '@raftkv/raft';
import type { LeaseChange, LeaseTable } from '../../src/lease/lease-table.js';
import { Lessor } from '../../src/lease/lessor.js';

/** Just what the lessor reads of raft: the role, its change events, and a count of its periodic checks. */
class FakeRole extends EventEmitter {
  role = Role.Follower;
  checks = 0;
  status() {
    this.checks++;
    return { role: this.role };
  }
  become(role: Role): void {
    this.role = role;
    this.emit('role', role);
  }
}

class FakeLeases extends EventEmitter {
  granted = new Map<number, number>();
  leases(): LeaseTable {
    return { list: () => [...this.granted].map(([id, ttl]) => ({ id, ttl, keys: new Map() })) } as unknown as LeaseTable;
  }
  apply(changes: LeaseChange[]): void {
    for (const c of changes) if (c.kind === 'granted') this.granted.set(c.id, c.ttl);
    this.emit('leases', changes);
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('Lessor', () => {
  let now = 0;
  let raft: FakeRole;
  let source: FakeLeases;
  let revoked: number[];
  let failRevokes = 0;
  let lessor: Lessor;
  /** Lets the periodic check run a few more times. */
  const someChecks = () => {
    const target = raft.checks + 5;
    return until(() => raft.checks >= target, 'periodic checks');
  };

  beforeEach(() => {
    now = 1_000_000;
    raft = new FakeRole();
    source = new FakeLeases();
    revoked = [];
    failRevokes = 0;
    lessor = new Lessor(source, raft as unknown as RaftHandle, {
      now: () => now,
      checkIntervalMs: 1,
      revoke: async (id) => {
        if (failRevokes > 0) {
          failRevokes--;
          throw new Error('no leader');
        }
        revoked.push(id);
        source.apply([{ kind: 'revoked', id }]);
      },
    });
  });
  afterEach(() => lessor.stop());

  it('on the leader, revokes a lease once its TTL has passed and not before', async () => {
    raft.become(Role.Leader);
    source.apply([{ kind: 'granted', id: 7, ttl: 3 }]);
    now += 2999;
    await someChecks();
    expect(revoked).to.deep.equal([]);
    expect(lessor.remainingSeconds(7)).to.equal(0);
    now += 1;
    await until(() => revoked.length > 0, 'the revoke');
    expect(revoked).to.deep.equal([7]);
    expect(lessor.remainingSeconds(7)).to.equal(-1);
  });

  it('never revokes on a follower', async () => {
    source.apply([{ kind: 'granted', id: 7, ttl: 1 }]);
    now += 60_000;
    await someChecks();
    expect(revoked).to.deep.equal([]);
  });

  it('counts a keepalive as a fresh start of the TTL', async () => {
    raft.become(Role.Leader);
    source.apply([{ kind: 'granted', id: 7, ttl: 3 }]);
    now += 2500;
    source.apply([{ kind: 'renewed', id: 7, ttl: 3 }]);
    expect(lessor.remainingSeconds(7)).to.equal(3);
    now += 2900;
    await someChecks();
    expect(revoked).to.deep.equal([]);
    now += 100;
    await until(() => revoked.length > 0, 'the revoke');
  });

  it('on becoming leader, treats every lease as just renewed, so a leader change expires nothing early', async () => {
    source.apply([{ kind: 'granted', id: 7, ttl: 3 }]);
    now += 2900;
    raft.become(Role.Leader);
    now += 2900;
    await someChecks();
    expect(revoked).to.deep.equal([]);
    now += 100;
    await until(() => revoked.length > 0, 'the revoke');
  });

  it('retries a revoke that failed', async () => {
    raft.become(Role.Leader);
    failRevokes = 2;
    source.apply([{ kind: 'granted', id: 9, ttl: 1 }]);
    now += 1000;
    await until(() => revoked.length > 0, 'the revoke after failures');
    expect(revoked).to.deep.equal([9]);
  });
});
