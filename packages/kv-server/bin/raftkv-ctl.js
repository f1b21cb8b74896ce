#!/usr/bin/env node
// raftkv-ctl: etcdctl-like client for raftkv; see `raftkv-ctl --help`.
import { runCtl } from '../dist/src/ctl/program.js';

const io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
  env: process.env,
};
process.exitCode = await runCtl(process.argv.slice(2), io);
