/**
 * Starts a one-member etcd on free 127.0.0.1 ports in a temporary data dir, for the fixture recorders.
 * stop() kills it and removes the data dir.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPorts } from '@raftkv/cnet';

export interface EtcdProcess {
  clientUrl: string;
  version: string;
  /** The last lines etcd logged (for error reports). */
  log(): string;
  stop(): Promise<void>;
}

async function waitForHealth(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd did not become healthy at ${url} within ${ms} ms`);
}

export function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

export async function startEtcd(etcdBinary: string): Promise<EtcdProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'raftkv-etcd-fixtures-'));
  const [clientPort, peerPort] = await freeLoopbackPorts(2);
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = spawn(
    etcdBinary,
    [
      '--name', 'e1',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `e1=${peerUrl}`,
      '--initial-cluster-token', 'raftkv-fixtures',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let etcdLog = '';
  etcd.stderr!.on('data', (chunk: Buffer) => (etcdLog = (etcdLog + chunk.toString()).slice(-4000)));
  const stop = async () => {
    etcd.kill('SIGTERM');
    await new Promise((r) => (etcd.exitCode !== null ? r(null) : etcd.once('exit', r)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(clientUrl, 15000);
    const version = ((await (await fetch(`${clientUrl}/version`)).json()) as { etcdserver: string }).etcdserver;
    return { clientUrl, version, log: () => etcdLog, stop };
  } catch (err) {
    console.error(etcdLog);
    await stop();
    throw err;
  }
}
