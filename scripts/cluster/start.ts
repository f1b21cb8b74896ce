/** `cluster start`: starts every node, waits for a leader, prints the table, and stops every node on Ctrl-C. */
import fs from 'node:fs';
import path from 'node:path';
import { agreedLeader, queryStatuses, statusTable, type NodeStatus } from './cluster-status.js';
import { clusterLayout, type LayoutOptions, type NodeLayout } from './layout.js';
import { busyPorts, portOf } from './ports.js';
import { commandFor, isNodeProcess, signal, spawnNode, spawned, stopProcess, waitUntil } from './processes.js';
import { readState, removeState, writeState, type ClusterState, type NodeState } from './state.js';

export interface StartOptions extends LayoutOptions {
  binary: string;
  fresh: boolean;
  waitTimeoutMs: number;
  stopGraceMs: number;
}

const POLL_MS = 200;

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Stops the given nodes and every node the state file lists (pids change through `restart`), then forgets the state. */
export async function stopAll(dir: string, nodes: NodeState[], graceMs: number): Promise<void> {
  const byPid = new Map([...nodes, ...(readState(dir)?.nodes ?? [])].map((n) => [n.pid, n]));
  await Promise.all([...byPid.values()].filter((n) => isNodeProcess(n.pid, n)).map((n) => stopProcess(n.pid, graceMs)));
  removeState(dir);
}

function examples(nodes: NodeLayout[], locateFlags: string): string {
  const first = nodes[0]!.clientUrl;
  const endpoints = nodes.map((n) => n.clientUrl).join(',');
  const key = Buffer.from('greeting').toString('base64');
  const value = Buffer.from('hello').toString('base64');
  return [
    'Try:',
    `  export RAFTKV_ENDPOINTS=${endpoints}`,
    '  npm run ctl -- put greeting hello',
    '  npm run ctl -- get greeting',
    '  npm run ctl -- endpoint status -w table',
    `  curl -s -X POST ${first}/v3/kv/put -d '{"key":"${key}","value":"${value}"}'`,
    `  curl -s -X POST ${first}/v3/kv/range -d '{"key":"${key}"}'`,
    `  npm run cluster -- status${locateFlags}        (also: kill|restart|pause|resume <name>, stop)`,
    'Ctrl-C stops every node.',
  ].join('\n');
}

async function waitForLeader(nodes: NodeLayout[], deadline: number, aborted: () => boolean): Promise<{ leader?: string; statuses: NodeStatus[] }> {
  for (;;) {
    const statuses = await queryStatuses(nodes, 1000);
    const leader = agreedLeader(statuses);
    if (leader !== undefined && statuses.every((s) => s.status)) return { leader, statuses };
    if (Date.now() >= deadline || aborted()) return { statuses };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** `locateFlags`: what subcommands need to find this cluster ("" for the default one, " --base-port 3379" …). */
export async function startCluster(o: StartOptions, locateFlags: string): Promise<number> {
  const running = readState(o.dir)?.nodes.filter((n) => isNodeProcess(n.pid, n)) ?? [];
  if (running.length > 0)
    throw new Error(`a cluster is already running from ${o.dir} (${running.map((n) => `${n.name} pid ${n.pid}`).join(', ')}); stop it with \`npm run cluster -- stop\``);
  const nodes = clusterLayout({ ...o, memberClientUrls: o.binary.endsWith('raftkv.js') });
  const busy = await busyPorts(nodes.flatMap((n) => [portOf(n.clientUrl), portOf(n.peerUrl)]));
  if (busy.length > 0) throw new Error(`port(s) ${busy.join(', ')} already in use on 127.0.0.1; pick another --base-port`);
  if (o.binary.includes(path.sep) && !fs.existsSync(o.binary)) throw new Error(`node binary ${o.binary} not found`);
  if (o.fresh) {
    fs.rmSync(path.join(o.dir, 'data'), { recursive: true, force: true });
    fs.rmSync(path.join(o.dir, 'logs'), { recursive: true, force: true });
  }
  fs.mkdirSync(o.dir, { recursive: true });

  const command = commandFor(o.binary);
  const state: ClusterState = { version: 1, dir: o.dir, basePort: o.basePort, command, launcherPid: process.pid, startedAt: new Date().toISOString(), nodes: [] };
  let stopping = false;
  let ready = false;
  let startupFailure: string | undefined;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log('\nstopping every node …');
    await stopAll(o.dir, state.nodes, o.stopGraceMs);
    log('stopped.');
    resolveDone(code);
  };
  const onSignal = (): void => {
    if (stopping) {
      // A second Ctrl-C: no more patience.
      for (const n of [...state.nodes, ...(readState(o.dir)?.nodes ?? [])]) if (isNodeProcess(n.pid, n)) signal(n.pid, 'SIGKILL');
      return;
    }
    void shutdown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    for (const node of nodes) {
      const child = spawnNode(command, node);
      const pid = await spawned(child).catch((err: Error) => {
        throw new Error(`cannot start ${node.name} with ${command.join(' ')}: ${err.message}`);
      });
      state.nodes.push({ ...node, pid });
      child.on('exit', (code, sig) => {
        if (stopping) return;
        const how = sig ? `signal ${sig}` : `code ${code}`;
        log(`${node.name} (pid ${pid}) exited with ${how}; log: ${node.logFile}`);
        if (startupFailure === undefined && !ready) startupFailure = `${node.name} exited with ${how} during startup:\n${tail(node.logFile, 15)}`;
      });
    }
    writeState(state);
    log(`started ${nodes.length} nodes (${command.join(' ')}), waiting for a leader …`);

    const { leader, statuses } = await waitForLeader(nodes, Date.now() + o.waitTimeoutMs, () => stopping || startupFailure !== undefined);
    if (stopping) return await done;
    if (startupFailure !== undefined) {
      log(`error: ${startupFailure}`);
      await shutdown(1);
      return await done;
    }
    ready = true;
    log();
    log(statusTable(statuses).trimEnd());
    if (leader !== undefined) log(`\nraftkv cluster ready: ${nodes.length} nodes, leader ${leader}. Data in ${path.join(o.dir, 'data')}, logs in ${path.join(o.dir, 'logs')}.`);
    else log(`\nwarning: no agreed leader after ${o.waitTimeoutMs} ms; the nodes keep running (see ${path.join(o.dir, 'logs')}).`);
    log();
    log(examples(nodes, locateFlags));
    return await done;
  } catch (err) {
    if (!stopping) {
      stopping = true;
      await stopAll(o.dir, state.nodes, o.stopGraceMs);
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Waits, bounded, until the launcher process of a state file has exited. */
export function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  return waitUntil(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, timeoutMs);
}
