import { expect } from 'chai';
import { MessageType, Role } from '../../src/core/messages.js';
import { drain, makeLeader, msg, newRaft } from './harness.js';

/** A follower told that its leader's process is gone (the transport found nothing listening there). */
describe('peerUnreachable: a leader whose process is gone', () => {
  const followerOf = (leader: string) => {
    const r = newRaft({ term: 2 });
    r.step(msg({ type: MessageType.Heartbeat, from: leader, term: 2 }));
    drain(r);
    return r;
  };

  it('ends the leader lease at once: a vote that was ignored in lease is now granted', () => {
    const r = followerOf('n2');
    r.step(msg({ type: MessageType.Vote, from: 'n3', term: 3 }));
    expect(r.term).to.equal(2); // in lease: ignored
    r.peerUnreachable('n2');
    expect(r.status().leader).to.equal(null);
    r.step(msg({ type: MessageType.Vote, from: 'n3', term: 3 }));
    expect(r.term).to.equal(3);
    expect(r.vote).to.equal('n3');
  });

  it('campaigns within one election timeout of the news, where it would otherwise wait up to two', () => {
    // The same seed (the same randomized timeout) with and without the news.
    const ticksToCampaign = (told: boolean): number => {
      const r = followerOf('n2');
      if (told) r.peerUnreachable('n2');
      for (let t = 1; t <= 40; t++) {
        r.tick();
        if (r.role !== Role.Follower) return t;
      }
      return Infinity;
    };
    const without = ticksToCampaign(false);
    const told = ticksToCampaign(true);
    expect(without).to.be.within(10, 19);
    expect(told).to.equal(Math.max(1, without - 10));
  });

  it('is undone by a message from a live leader: the lease and the leader are back', () => {
    const r = followerOf('n2');
    r.peerUnreachable('n2');
    r.step(msg({ type: MessageType.Heartbeat, from: 'n2', term: 2 }));
    expect(r.status().leader).to.equal('n2');
    r.step(msg({ type: MessageType.Vote, from: 'n3', term: 3 }));
    expect(r.term).to.equal(2);
  });

  it('changes nothing for another peer than the leader, or on the leader itself', () => {
    const r = followerOf('n2');
    r.peerUnreachable('n3');
    expect(r.status().leader).to.equal('n2');
    r.step(msg({ type: MessageType.Vote, from: 'n3', term: 3 }));
    expect(r.term).to.equal(2);

    const leader = newRaft({ term: 1 });
    makeLeader(leader);
    leader.peerUnreachable('n2');
    expect(leader.role).to.equal(Role.Leader);
    expect(leader.status().leader).to.equal('n1');
  });

  it('reports the lost leader in the next Ready, so the driver can tell waiting requests', () => {
    const r = followerOf('n2');
    r.peerUnreachable('n2');
    expect(r.hasReady()).to.equal(true);
    const rd = r.ready();
    expect(rd.softState).to.deep.equal({ leader: null, role: Role.Follower });
    r.advance(rd);
  });
});
