/** What the result file records about where it ran: cores, load, the data disk's fsync latency, versions, git commit. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { summarize, type LatencySummary } from './stats.js';

export interface FsyncProbe {
  dir: string;
  /** fdatasync is what etcd's WAL and LevelDB's synced writes call; fsync also flushes the file's metadata. */
  call: 'fsync' | 'fdatasync';
  writes: number;
  bytesPerWrite: number;
  latencyMs: LatencySummary;
}

/** Appends `writes` small blocks to a file in `dir`, syncing after each: roughly what one synced raft append costs. */
export function probeFsync(dir: string, call: FsyncProbe['call'], writes = 200, bytesPerWrite = 4096): FsyncProbe {
  const sync = call === 'fsync' ? fs.fsyncSync : fs.fdatasyncSync;
  const file = path.join(dir, `fsync-probe-${process.pid}`);
  const block = Buffer.alloc(bytesPerWrite, 0x5a);
  const samples: number[] = [];
  const fd = fs.openSync(file, 'w');
  try {
    for (let i = 0; i < writes; i++) {
      const t0 = performance.now();
      fs.writeSync(fd, block);
      sync(fd);
      samples.push(performance.now() - t0);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return { dir, call, writes, bytesPerWrite, latencyMs: summarize(samples) };
}

export interface GitInfo {
  commit: string;
  /** Uncommitted changes to tracked files when the benchmark ran. */
  dirty: boolean;
}

export function gitInfo(repoRoot: string): GitInfo | undefined {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return undefined;
  }
}

/** The first line of `etcd --version`, or undefined when no etcd is on the PATH. */
export function etcdVersion(): string | undefined {
  try {
    return execFileSync('etcd', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).split('\n')[0]!.trim();
  } catch {
    return undefined;
  }
}

export interface MachineInfo {
  hostname: string;
  cores: number;
  cpuModel: string;
  totalMemoryMb: number;
  node: string;
  loadAverageBefore: number[];
  loadAverageAfter?: number[];
  fsync: FsyncProbe;
  fdatasync: FsyncProbe;
}

export function describeMachine(dataDir: string, fsyncWrites: number): MachineInfo {
  return {
    hostname: os.hostname(),
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    loadAverageBefore: os.loadavg(),
    fsync: probeFsync(dataDir, 'fsync', fsyncWrites),
    fdatasync: probeFsync(dataDir, 'fdatasync', fsyncWrites),
  };
}
