/**
 * Proves the published package works for consumers: builds it, packs it with `npm pack`,
 * installs the tarball into an empty project in a temp dir, and loads it from there as an
 * ES module and as CommonJS, runs a tiny run end to end, checks the tarball's contents, and
 * type-checks a consumer's TypeScript against the shipped declarations.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, exec as run, mustExec as mustRun, type Outcome } from '../support/exec.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tscBin = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const nodeTypesRoot = path.join(repoRoot, 'node_modules', '@types');

const env = childEnv();
const exec = (command: string, args: readonly string[], cwd: string, timeout = 180_000): Outcome => run(command, args, cwd, timeout, env);
const mustExec = (command: string, args: readonly string[], cwd: string, timeout = 180_000): string => mustRun(command, args, cwd, timeout, env);

/** Runs a script with node in the consumer project and parses the JSON it prints last. */
function runNode(file: string): unknown {
  const stdout = mustExec(process.execPath, [file], consumerDir, 60_000);
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as unknown;
}

/** Type-checks the consumer project with a tsconfig of its own, using this repo's compiler. */
function tsc(project: string): Outcome {
  return exec(process.execPath, [tscBin, '-p', project, '--noEmit', '--pretty', 'false'], consumerDir, 120_000);
}

let packDir = '';
let consumerDir = '';
let tarball = '';
let tarEntries: string[] = [];
const timings: Record<string, number> = {};

function timed<T>(label: string, step: () => T): T {
  const started = performance.now();
  try {
    return step();
  } finally {
    timings[label] = Math.round(performance.now() - started);
  }
}

beforeAll(async () => {
  packDir = await mkdtemp(path.join(tmpdir(), 'bcss-bulk-pack-'));
  consumerDir = await mkdtemp(path.join(tmpdir(), 'bcss-bulk-consumer-'));

  // npm pack builds dist/ first, through the package's prepare script.
  const packed = timed('build and pack', () => mustExec('npm', ['pack', '--json', '--pack-destination', packDir], repoRoot, 300_000));
  // The build's output comes first on stdout; npm's JSON report is the last thing.
  const [info] = JSON.parse(packed.slice(packed.lastIndexOf('\n[\n') + 1)) as { filename: string }[];
  if (info === undefined) throw new Error(`npm pack reported nothing:\n${packed}`);
  tarball = path.join(packDir, info.filename);
  if (!existsSync(tarball)) throw new Error(`npm pack did not write ${tarball} (files in ${packDir}: ${(await readdir(packDir)).join(', ')})`);
  tarEntries = mustExec('tar', ['-tzf', tarball], packDir).split('\n').filter((line) => line !== '');

  await writeFile(
    path.join(consumerDir, 'package.json'),
    `${JSON.stringify({ name: 'bcss-bulk-consumer', version: '1.0.0', private: true, description: 'consumer of the packed bcss-bulk' }, null, 2)}\n`,
  );
  // Offline first: zod is usually in the npm cache already. Fall back to the registry otherwise.
  const install = ['install', tarball, '--no-audit', '--no-fund', '--no-package-lock'];
  const installedFrom = timed('install', () => {
    if (exec('npm', [...install, '--offline'], consumerDir).ok) return 'npm cache';
    mustExec('npm', install, consumerDir);
    return 'registry';
  });
  console.log(`package test setup: ${JSON.stringify(timings)} ms, installed from the ${installedFrom}, tarball ${path.basename(tarball)} with ${tarEntries.length} entries`);
}, 240_000);

afterAll(async () => {
  for (const dir of [packDir, consumerDir]) if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** Checks the scripts print, as JSON, for each module system. */
function exportsProbe(load: (specifier: string) => string): string {
  return `
const main = ${load('bcss-bulk')};
const testing = ${load('bcss-bulk/testing')};
let configErrorThrown = false;
try {
  main.createRun({ input: [1], source: 'rn', sources: { rn: { kind: 'nope' } }, call: async (x) => x });
} catch (error) {
  configErrorThrown = error instanceof main.ConfigError && error.name === 'ConfigError';
}
console.log(JSON.stringify({
  keys: Object.keys(main).sort(),
  testingKeys: Object.keys(testing).sort(),
  createRun: typeof main.createRun,
  ConfigError: typeof main.ConfigError,
  configErrorThrown,
  rn: main.POLICY_CAPS.rn,
  authentic: main.POLICY_CAPS.authentic,
  FakeClock: typeof testing.FakeClock,
  RecordingService: typeof testing.RecordingService,
}));
`;
}

/** A run over 10 items on one `rn` source, driven by a fake clock; prints what it saw. */
function endToEnd(load: (specifier: string) => string): string {
  return `
const { createRun } = ${load('bcss-bulk')};
const { FakeClock, RecordingService } = ${load('bcss-bulk/testing')};
async function main() {
  const clock = new FakeClock();
  const service = new RecordingService({ clock, latencyMs: 100 });
  const run = createRun({
    input: Array.from({ length: 10 }, (_, i) => i),
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    call: service.call,
    clock,
    random: () => 0.5,
    announcement: { override: { reason: 'package test against a recording service' } },
  });
  const finished = run.start();
  await clock.runUntil(() => run.state === 'completed');
  if (run.state !== 'completed') throw new Error('run ended ' + run.state);
  const summary = await finished;
  console.log(JSON.stringify({ state: summary.state, succeeded: summary.totals.succeeded, peak: service.peak('rn') }));
}
main().catch((error) => { console.error(error); process.exitCode = 1; });
`;
}

const esm = (specifier: string) => `await import(${JSON.stringify(specifier)})`;
const cjs = (specifier: string) => `require(${JSON.stringify(specifier)})`;

/** What both probes must see: the main entry and `./testing`, working. */
const expectedProbe = {
  createRun: 'function',
  ConfigError: 'function',
  configErrorThrown: true,
  rn: 4,
  authentic: 2,
  FakeClock: 'function',
  RecordingService: 'function',
};

describe('the packed package, installed in a consumer project', () => {
  it('installs with its zod dependency', () => {
    expect(existsSync(path.join(consumerDir, 'node_modules', 'bcss-bulk', 'package.json'))).toBe(true);
    expect(existsSync(path.join(consumerDir, 'node_modules', 'zod', 'package.json'))).toBe(true);
  });

  let esmExports: { keys: string[]; testingKeys: string[] } | undefined;

  it('loads as an ES module: import("bcss-bulk") and import("bcss-bulk/testing")', async () => {
    await writeFile(path.join(consumerDir, 'probe.mjs'), exportsProbe(esm));
    const seen = runNode('probe.mjs') as { keys: string[]; testingKeys: string[] };
    expect(seen).toMatchObject(expectedProbe);
    expect(seen.keys).toEqual(expect.arrayContaining(['createRun', 'ConfigError', 'POLICY_CAPS']));
    expect(seen.testingKeys).toEqual(expect.arrayContaining(['FakeClock', 'RecordingService']));
    expect(seen.keys).toEqual(expect.arrayContaining(['isValidInsz', 'parseInsz', 'createBcssClient', 'bcssClassifier']));
    expect(seen.testingKeys).toEqual(expect.arrayContaining(['startFakeBcss']));
    esmExports = seen;
  });

  it('loads as CommonJS: require("bcss-bulk") and require("bcss-bulk/testing"), with the same exports', async () => {
    await writeFile(path.join(consumerDir, 'probe.cjs'), exportsProbe(cjs));
    const seen = runNode('probe.cjs') as { keys: string[]; testingKeys: string[] };
    expect(seen).toMatchObject(expectedProbe);
    expect(esmExports).toBeDefined();
    expect(seen.keys).toEqual(esmExports?.keys);
    expect(seen.testingKeys).toEqual(esmExports?.testingKeys);
  });

  it('runs 10 items end to end from the CommonJS build, at the rn cap of 4', async () => {
    await writeFile(path.join(consumerDir, 'e2e.cjs'), endToEnd(cjs));
    expect(runNode('e2e.cjs')).toEqual({ state: 'completed', succeeded: 10, peak: 4 });
  });

  it('runs 10 items end to end from the ESM build, at the rn cap of 4', async () => {
    await writeFile(path.join(consumerDir, 'e2e.mjs'), endToEnd(esm));
    expect(runNode('e2e.mjs')).toEqual({ state: 'completed', succeeded: 10, peak: 4 });
  });

  it('installs the bcss-bulk command, which runs from the build', () => {
    const help = exec(path.join(consumerDir, 'node_modules', '.bin', 'bcss-bulk'), ['--help'], consumerDir);
    expect(help).toMatchObject({ ok: true, stdout: expect.stringContaining('bcss-bulk ledger summary DIR') });
    const wrong = exec(path.join(consumerDir, 'node_modules', '.bin', 'bcss-bulk'), ['ledger', 'frobnicate'], consumerDir);
    expect(wrong.status).toBe(2);
  });

  describe('bcss-bulk/metrics, with prom-client as an optional peer dependency', () => {
    it('the main entry works without prom-client installed and never names it; bcss-bulk/metrics loads, and registering says what to install', async () => {
      expect(existsSync(path.join(consumerDir, 'node_modules', 'prom-client'))).toBe(false);
      const dist = path.join(consumerDir, 'node_modules', 'bcss-bulk', 'dist');
      for (const file of ['index.js', 'index.cjs', 'testing.js', 'testing.cjs']) expect(readFileSync(path.join(dist, file), 'utf8')).not.toContain('prom-client');
      await writeFile(path.join(consumerDir, 'no-metrics.cjs'), `
const main = require('bcss-bulk');
const { registerRunMetrics } = require('bcss-bulk/metrics');
let missing = '';
const run = main.createRun({ input: [1], source: 'rn', sources: { rn: { kind: 'rn' } }, call: async (x) => x });
try { registerRunMetrics(run); } catch (error) { missing = [error.code, error instanceof main.MissingPeerError, error.message.includes('npm install prom-client@^15')].join(' '); }
console.log(JSON.stringify({ createRun: typeof main.createRun, missing }));
`);
      expect(runNode('no-metrics.cjs')).toEqual({ createRun: 'function', missing: 'PEER_MISSING true true' });
    });

    it('with prom-client installed: registers a run\'s metrics from ESM and CJS, and importing bcss-bulk alone still loads no prom-client', async () => {
      const install = ['install', 'prom-client@15.1.3', '--no-audit', '--no-fund', '--no-package-lock'];
      if (!exec('npm', [...install, '--offline'], consumerDir).ok) mustExec('npm', install, consumerDir);
      const probe = (load: (specifier: string) => string) => `
async function main() {
  const { createRun, BcssBulkError } = ${load('bcss-bulk')};
  const loadedByMain = ${load === cjs ? "Object.keys(require.cache).some((file) => file.includes('prom-client'))" : 'false'};
  const { FakeClock, RecordingService } = ${load('bcss-bulk/testing')};
  const { registerRunMetrics, MetricsRegistrationError } = ${load('bcss-bulk/metrics')};
  const { Registry } = ${load('prom-client')};
  const clock = new FakeClock();
  const service = new RecordingService({ clock, latencyMs: 100 });
  const run = createRun({ input: [1, 2, 3, 4, 5], source: 'rn', sources: { rn: { kind: 'rn' } }, call: service.call, clock, announcement: { override: { reason: 'package test against a fake service' } } });
  const registry = new Registry();
  registerRunMetrics(run, { registry, labels: { run: 'probe' } });
  let duplicate = false;
  // One error class across the entries (shared chunks): instanceof the main entry's base class holds.
  try { registerRunMetrics(run, { registry, labels: { run: 'probe' } }); } catch (error) { duplicate = error instanceof MetricsRegistrationError && error instanceof BcssBulkError; }
  const finished = run.start();
  await clock.runUntil(() => run.state === 'completed');
  await finished;
  const text = await registry.metrics();
  console.log(JSON.stringify({ loadedByMain, duplicate, calls: /bcss_bulk_calls_total\\{run="probe",source="rn"\\} 5/.test(text) }));
}
main().catch((error) => { console.error(error); process.exitCode = 1; });
`;
      await writeFile(path.join(consumerDir, 'metrics.cjs'), probe(cjs));
      await writeFile(path.join(consumerDir, 'metrics.mjs'), probe(esm));
      expect(runNode('metrics.cjs')).toEqual({ loadedByMain: false, duplicate: true, calls: true });
      expect(runNode('metrics.mjs')).toEqual({ loadedByMain: false, duplicate: true, calls: true });
    });
  });

  it('ships the ESM and CJS builds with their declarations, and no sources or tests', () => {
    const files = tarEntries.map((entry) => entry.replace(/^package\//, ''));
    for (const name of ['index', 'testing', 'metrics']) {
      for (const extension of ['js', 'cjs', 'd.ts', 'd.cts']) expect(files).toContain(`dist/${name}.${extension}`);
    }
    expect(files).toContain('package.json');
    expect(files.filter((file) => /^(src|test|examples|\.ci)\//.test(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.d.cts'))).toEqual([]);
  });

  describe('type declarations, as a TypeScript consumer (moduleResolution NodeNext) sees them', () => {
    /** A tsconfig checking `files` strictly, declarations of the package included. */
    async function tsconfig(name: string, files: string[]): Promise<string> {
      const config = {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [nodeTypesRoot],
        },
        files,
      };
      await writeFile(path.join(consumerDir, name), `${JSON.stringify(config, null, 2)}\n`);
      return name;
    }

    const consumerSource = (flavour: string) => `
import { createRun, ConfigError, POLICY_CAPS, type RunOptions, type RunSummary } from 'bcss-bulk';
import { FakeClock, RecordingService } from 'bcss-bulk/testing';

const clock = new FakeClock();
const service = new RecordingService<number, number>({ clock, latencyMs: 100 });
const options: RunOptions<number, number> = {
  input: [1, 2, 3],
  source: 'rn',
  sources: { rn: { kind: 'rn' } },
  call: service.call,
  clock,
  announcement: { override: { reason: 'consumer type check against a recording service' } },
};
const run = createRun(options);
export const finished: Promise<RunSummary> = run.start();
export const rnCap: number = POLICY_CAPS.rn;
export const peak: number = service.peak('rn');
export const isConfigError = (error: unknown): error is ConfigError => error instanceof ConfigError;
export const settled: Promise<void> = clock.runUntil(() => run.state === 'completed');
export const flavour = ${JSON.stringify(flavour)};
`;

    it('compiles a consumer that imports from bcss-bulk and bcss-bulk/testing (ESM and CJS declarations)', async () => {
      await writeFile(path.join(consumerDir, 'consumer.mts'), consumerSource('esm'));
      await writeFile(path.join(consumerDir, 'consumer.cts'), consumerSource('cjs'));
      const outcome = tsc(await tsconfig('tsconfig.good.json', ['consumer.mts', 'consumer.cts']));
      expect(outcome.stdout + outcome.stderr).toBe('');
      expect(outcome.ok).toBe(true);
    });

    it('rejects a consumer with type errors (the check can fail)', async () => {
      await writeFile(
        path.join(consumerDir, 'broken.mts'),
        `
import { POLICY_CAPS } from 'bcss-bulk';
import { FakeClock } from 'bcss-bulk/testing';

export const cap: string = POLICY_CAPS.rn;
export const later: Promise<void> = new FakeClock().advance('soon');
`,
      );
      const outcome = tsc(await tsconfig('tsconfig.broken.json', ['broken.mts']));
      const output = outcome.stdout + outcome.stderr;
      expect(outcome.ok).toBe(false);
      // Failing for the intended reasons, with both modules resolved:
      expect(output).toMatch(/broken\.mts\(5,\d+\): error TS2322/);
      expect(output).toMatch(/broken\.mts\(6,\d+\): error TS2345/);
      expect(output).not.toMatch(/TS2307|TS7016/);
    });
  });
});
