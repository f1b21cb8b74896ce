/** Entry of the load generator process: receives one LoadSpec over IPC, runs it, replies with the result and exits. */
import type { ChildReply, LoadSpec } from './loadgen-protocol.js';
import { runLoad } from './load-runner.js';

process.once('message', (spec: LoadSpec) => {
  runLoad(spec).then(
    (result): ChildReply => ({ ok: true, result }),
    (err: unknown): ChildReply => ({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  ).then((reply) => process.send!(reply, () => process.exit(0)));
});
