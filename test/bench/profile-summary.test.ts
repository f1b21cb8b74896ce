import { expect } from 'chai';
import { benchModule, type ProfileSummaryModule } from './bench-modules.js';

describe('bench CPU profile summary', () => {
  let profiles: ProfileSummaryModule;
  before(async () => {
    profiles = await benchModule<ProfileSummaryModule>('profile-summary.js');
  });

  it('puts a script in its dependency, raftkv package directory, node internals or V8 pseudo-frame', () => {
    expect(profiles.areaOf('file:///r/node_modules/koa/lib/application.js', 'respond')).to.equal('koa');
    expect(profiles.areaOf('file:///r/node_modules/@koa/router/lib/router.js', 'x')).to.equal('@koa/router');
    expect(profiles.areaOf('file:///r/packages/kv-server/dist/src/http/app.js', 'x')).to.equal('raftkv kv-server/http');
    expect(profiles.areaOf('file:///r/packages/raft/dist/src/node.js', 'x')).to.equal('raftkv raft');
    expect(profiles.areaOf('node:net', 'write')).to.equal('node internals');
    expect(profiles.areaOf('', '(garbage collector)')).to.equal('(garbage collector)');
    expect(profiles.areaOf('', 'writev')).to.equal('(native)');
  });

  it('gives self time per function and counts a recursive function once in its inclusive time', () => {
    const frame = (functionName: string, url = 'file:///r/packages/raft/dist/src/core/a.js') => ({ functionName, url, lineNumber: 0 });
    // root → walk → walk (recursive) → leaf; 10 samples of 1 ms: walk self 2+2, leaf 4, idle 2.
    const profile = {
      startTime: 0,
      endTime: 10_000,
      samples: new Array<number>(10).fill(1),
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), hitCount: 0, children: [2, 5] },
        { id: 2, callFrame: frame('walk'), hitCount: 2, children: [3] },
        { id: 3, callFrame: frame('walk'), hitCount: 2, children: [4] },
        { id: 4, callFrame: frame('leaf'), hitCount: 4 },
        { id: 5, callFrame: frame('(idle)', ''), hitCount: 2 },
      ],
    };
    const text = profiles.summarizeProfile(profile, 10);
    expect(text).to.match(/profile: 10 ms, 8 ms not idle \(80%\)/);
    const section = (title: string): string => text.split(`${title}`)[1]!.split('\n\n')[0]!;
    expect(section('self time by area:')).to.match(/80\.0%\s+8 ms\s+raftkv raft\/core/);
    expect(section('self time by function:')).to.match(/40\.0%\s+4 ms\s+walk packages\/raft\/dist\/src\/core\/a\.js:1/);
    expect(section('inclusive time by function')).to.match(/80\.0%\s+8 ms\s+walk /);
    expect(section('inclusive time by function')).to.match(/100\.0%\s+10 ms\s+\(root\)/);
  });
});
