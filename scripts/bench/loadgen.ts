/** Runs a load spec in a child process of its own, so the load generator shares its event loop with nothing else. */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildReply, LoadResult, LoadSpec } from './loadgen-protocol.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'loadgen-child.js');

export function runLoadInChild(spec: LoadSpec): Promise<LoadResult> {
  // No inherited execArgv: a --cpu-prof or --inspect given to the bench must not land in the load generator.
  const child = fork(CHILD, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let reply: ChildReply | undefined;
    child.once('message', (message: ChildReply) => (reply = message));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (reply?.ok) resolve(reply.result);
      else if (reply) reject(new Error(`load generator failed: ${reply.error}`));
      else reject(new Error(`load generator exited (${signal ?? `code ${code}`}) without a result`));
    });
    child.send(spec);
  });
}
