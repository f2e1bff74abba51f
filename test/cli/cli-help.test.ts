/**
 * The `bcss-bulk` command's own options: `--version`/`-v`, and `--help`/`-h` at every level
 * (top level, each group, each command) print usage and exit 0; an unknown command or option
 * still exits 2 with a message and the usage.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('bcss-bulk --version', () => {
  it.each(['--version', '-v'])('%s prints the package version and exits 0', async (flag) => {
    expect(await cli(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('takes no arguments', async () => {
    expect(await cli('--version', 'extra')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('--version takes no arguments') });
  });
});

describe('bcss-bulk --help at every level', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the whole usage', async (...args) => {
    const result = await cli(...args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const line of ['bcss-bulk ledger summary DIR', 'bcss-bulk ledger export DIR --format', 'bcss-bulk ledger repair DIR [--apply]', 'bcss-bulk plan --volumes', 'bcss-bulk --version', 'Exit codes:']) expect(result.stdout).toContain(line);
  });

  it.each([
    [['plan', '--help'], 'bcss-bulk plan --volumes', 'ledger summary'],
    [['plan', '-h'], 'bcss-bulk plan --volumes', 'ledger summary'],
    [['ledger', '--help'], 'bcss-bulk ledger export DIR', 'bcss-bulk plan'],
    [['ledger', 'summary', '--help'], 'bcss-bulk ledger summary DIR [--json]', 'ledger export'],
    [['ledger', 'summary', '/no/such/run-dir', '-h'], 'bcss-bulk ledger summary DIR [--json]', 'ledger export'],
    [['ledger', 'export', '--help'], 'bcss-bulk ledger export DIR --format csv|jsonl', 'ledger summary'],
    [['ledger', 'repair', '--help'], 'bcss-bulk ledger repair DIR [--apply]', 'ledger export'],
    [['help', 'ledger', 'repair'], 'bcss-bulk ledger repair DIR [--apply]', 'ledger summary'],
    [['help', 'ledger', 'export'], 'bcss-bulk ledger export DIR --format csv|jsonl', 'ledger summary'],
  ])('%j prints that command\'s usage only and exits 0', async (args, shown, notShown) => {
    const result = await cli(...args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage:\n/);
    expect(result.stdout).toContain(shown);
    expect(result.stdout).not.toContain(notShown);
    expect(result.stdout).toContain('Exit codes:');
  });

  it('plan --help runs no plan, though the required options are missing', async () => {
    expect((await cli('plan', '--help')).stdout).not.toContain('is required');
  });
});

describe('wrong usage still exits 2, with a message and the usage', () => {
  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['frobnicate', '--help'], "unknown command 'frobnicate'"],
    [['--frobnicate'], "unknown option '--frobnicate'"],
    [['ledger', 'frobnicate'], "unknown ledger command 'frobnicate'"],
    [['ledger', 'repair'], 'ledger repair takes one run directory'],
    [['ledger', 'repair', '/tmp', '--force'], "Unknown option '--force'"],
    [['ledger', 'summary', '/tmp', '--bogus'], "Unknown option '--bogus'"],
    [['plan', '--bogus'], "Unknown option '--bogus'"],
    [[], 'no command given'],
  ])('%j', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage:');
  });
});
