/**
 * Installing bcss-bulk the way a user does without a registry: from the repository's git URL.
 * A bare clone of the current HEAD commit (commit first: uncommitted work is not in it) is
 * installed with `npm install git+file://…#<commit>` into a copy of test/fixtures/consumer/;
 * npm builds dist/ there through the package's `prepare` script. Then, in that consumer
 * project: the three entries load with import and require, the `bcss-bulk` command runs, the
 * consumer's own vitest test (tests/*.test.ts, vitest 4.1.12 from the registry) passes, the
 * ESM and CJS copies recognise each other's errors, missing optional peers give a
 * MissingPeerError, and the consumer's TypeScript type-checks with exactOptionalPropertyTypes.
 *
 * Bigger job tests go into test/fixtures/consumer/tests/: the consumer's vitest runs them all.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, exec as run, mustExec as mustRun, type Outcome } from '../support/exec.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = path.join(repoRoot, 'test', 'fixtures', 'consumer');
const tscBin = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

const env = childEnv({ consumer: true });
const exec = (command: string, args: readonly string[], cwd: string, timeout = 120_000): Outcome => run(command, args, cwd, timeout, env);
const mustExec = (command: string, args: readonly string[], cwd: string, timeout = 120_000): string => mustRun(command, args, cwd, timeout, env);

let workDir = '';
let consumer = '';
let commit = '';

/** Runs a probe of the consumer with node; returns the JSON it printed last. */
function probe(file: string): unknown {
  const stdout = mustExec(process.execPath, [path.join('probes', file)], consumer, 60_000);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as unknown;
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'bcss-bulk-git-install-'));
  commit = mustExec('git', ['rev-parse', 'HEAD'], repoRoot).trim();
  if (mustExec('git', ['status', '--porcelain', '--untracked-files=no'], repoRoot).trim() !== '') {
    console.warn(`install-from-git: uncommitted changes are not installed; this tests commit ${commit}`);
  }
  const origin = path.join(workDir, 'bcss-bulk.git');
  mustExec('git', ['clone', '--bare', '--quiet', '--no-local', repoRoot, origin], workDir);
  consumer = path.join(workDir, 'consumer');
  cpSync(fixture, consumer, { recursive: true });
  // The README's night batch and its two tests, as a consumer keeps them in their own project.
  cpSync(path.join(repoRoot, 'examples', 'night-batch'), path.join(consumer, 'tests', 'night-batch'), { recursive: true });
  const started = performance.now();
  mustExec('npm', ['install', '--no-package-lock', `git+file://${origin}#${commit}`, 'vitest@4.1.12'], consumer, 420_000);
  console.log(`install-from-git: npm install of git+file://…#${commit.slice(0, 10)} and vitest took ${Math.round(performance.now() - started)} ms`);
}, 480_000);

afterAll(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

describe('bcss-bulk installed from its git URL into a consumer project', () => {
  it('is installed with its build (prepare ran), and without sources or tests', () => {
    const installed = path.join(consumer, 'node_modules', 'bcss-bulk');
    for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts', 'testing.js', 'testing.cjs', 'metrics.js', 'metrics.cjs', 'cli.js']) {
      expect(existsSync(path.join(installed, 'dist', file)), file).toBe(true);
    }
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
    expect(existsSync(path.join(installed, 'test'))).toBe(false);
    const manifest = JSON.parse(readFileSync(path.join(consumer, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['bcss-bulk']).toContain(`#${commit}`);
    // The optional peers are not installed with it.
    expect(existsSync(path.join(consumer, 'node_modules', 'prom-client'))).toBe(false);
    expect(existsSync(path.join(consumer, 'node_modules', 'ioredis'))).toBe(false);
  });

  it('loads bcss-bulk, bcss-bulk/testing and bcss-bulk/metrics with import (the ESM build) and require (the CJS build)', () => {
    const expected = { createRun: 'function', isBcssBulkError: 'function', FakeClock: 'function', registerRunMetrics: 'function' };
    expect(probe('entries.mjs')).toEqual({ ...expected, file: 'bcss-bulk/dist/index.js' });
    expect(probe('entries.cjs')).toEqual({ ...expected, file: 'bcss-bulk/dist/index.cjs' });
  });

  it('installs the bcss-bulk command: --version prints the version, --help the usage', () => {
    const bin = path.join(consumer, 'node_modules', '.bin', 'bcss-bulk');
    expect(exec(bin, ['--version'], consumer)).toEqual({ ok: true, status: 0, stdout: `${version}\n`, stderr: '' });
    expect(exec(bin, ['plan', '--help'], consumer)).toMatchObject({ ok: true, stdout: expect.stringContaining('bcss-bulk plan --volumes') });
    expect(exec(bin, ['frobnicate'], consumer)).toMatchObject({ ok: false, status: 2, stderr: expect.stringContaining("unknown command 'frobnicate'") });
  });

  it("runs the consumer's own vitest tests against the installed package", () => {
    const outcome = exec(path.join(consumer, 'node_modules', '.bin', 'vitest'), ['run'], consumer, 120_000);
    expect(outcome.stderr + outcome.stdout).not.toMatch(/FAIL/);
    expect(outcome.ok).toBe(true);
    const report = JSON.parse(readFileSync(path.join(consumer, 'vitest-report.json'), 'utf8')) as { numPassedTests: number; numFailedTests: number };
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBeGreaterThanOrEqual(2);
    // The README's night batch ran from the installed package, both ways (FakeClock, vi.useFakeTimers).
    const files = (report as unknown as { testResults: { name: string; status: string }[] }).testResults;
    expect(files.filter((file) => /night-batch[\\/]job(\.fake-timers)?\.test\.ts$/.test(file.name)).map((file) => file.status)).toEqual(['passed', 'passed']);
  });

  it('the ESM and CJS builds loaded in one process recognise each other\'s errors (isBcssBulkError, instanceof)', () => {
    expect(probe('dual-package.mjs')).toEqual({
      twoCopies: true,
      cjsErrorIsEsmConfigError: true,
      cjsErrorIsEsmBase: true,
      cjsErrorIsEsmPolicyError: false,
      esmErrorIsCjsConfigError: true,
      guardAcrossCopies: true,
      subclassAcrossCopies: true,
      plainErrorRefused: false,
    });
  });

  it('without prom-client and ioredis: a MissingPeerError that says what to install, never a bare MODULE_NOT_FOUND', () => {
    const esm = probe('missing-peers.mjs') as { metrics: Record<string, unknown>; shared: Record<string, unknown> };
    expect(esm.metrics).toMatchObject({ instance: true, guard: true, code: 'PEER_MISSING', peer: 'prom-client', causeCode: 'MODULE_NOT_FOUND' });
    expect(esm.metrics.message).toContain('npm install prom-client@^15.1.3');
    expect(esm.shared).toMatchObject({ instance: true, outcomeCode: 'PEER_MISSING', causeIsMissingPeer: true, peer: 'ioredis' });
    expect(esm.shared.message).toContain('npm install ioredis@^6.0.0');
    const cjs = probe('missing-peers.cjs') as { metrics: Record<string, unknown> };
    expect(cjs.metrics).toMatchObject({ instance: true, code: 'PEER_MISSING', peer: 'prom-client' });
    expect(cjs.metrics.message).toContain('npm install prom-client@^15.1.3');
  });

  describe("the consumer's TypeScript, with exactOptionalPropertyTypes: true", () => {
    const typeRoots = ['--typeRoots', path.join(repoRoot, 'node_modules', '@types')];

    it('type-checks options that pass an explicit undefined for every optional field', () => {
      const outcome = exec(process.execPath, [tscBin, '-p', 'tsconfig.json', ...typeRoots, '--pretty', 'false'], consumer);
      expect(outcome.stdout + outcome.stderr).toBe('');
      expect(outcome.ok).toBe(true);
    });

    it('rejects a wrongly typed option and an unknown one (the check can fail)', () => {
      const outcome = exec(process.execPath, [tscBin, '-p', 'tsconfig.broken.json', ...typeRoots, '--pretty', 'false'], consumer);
      expect(outcome.ok).toBe(false);
      expect(outcome.stdout).toMatch(/wrong-option\.ts\(5,\d+\): error TS2322/);
      expect(outcome.stdout).toMatch(/wrong-option\.ts\(6,\d+\): error TS2353/);
      expect(outcome.stdout).not.toMatch(/TS2307|TS7016/);
    });
  });
});
