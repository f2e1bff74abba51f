#!/usr/bin/env node
/**
 * The `bcss-bulk` command: `bcss-bulk ledger summary DIR`, `bcss-bulk ledger export DIR
 * --format csv`, `bcss-bulk plan --volumes rn=120000 --latency 250 --start 2026-11-30T17:00`.
 * See {@link runCli}.
 */
import { runCli } from './cli/commands.js';

void runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
