#!/usr/bin/env node
// The `raftkv` node: compiled code only (run `npm run build` first).
import { main } from '../dist/src/main.js';

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`raftkv: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
