/**
 * Crash harness: proves that a batch killed at random moments resumes with nothing lost.
 *
 * A loopback HTTP fake service counts the calls of every item (and which process generation
 * made them) and the peak of simultaneous calls. A child process (scripts/crash-child.ts) runs
 * the batch over a real FileStore; it is killed with SIGKILL at a random moment after its
 * first call, again and again, and restarted each time until it completes. Then the run
 * directory is checked: every item finished once, with the outcome the service gave; the calls
 * made again after each kill are at most the calls that can be in flight (the cap).
 *
 * Prints a JSON object as its last line and writes it to --out (default
 * bench-results/crash.json); exits 1 when a check fails.
 *
 * Usage: tsx scripts/crash-test.ts [--items 20000] [--kills 25] [--cap 4] [--out FILE] [--seed N]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { readLedger, summarizeLedger } from '../src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

const items = Number(option('items', '20000'));
const targetKills = Number(option('kills', '25'));
const cap = Number(option('cap', '4'));
const out = path.resolve(root, option('out', 'bench-results/crash.json'));
let seed = Number(option('seed', String(Date.now() % 1_000_000)));
const initialSeed = seed;

/** A small seeded generator (mulberry32), so a failing schedule can be replayed with --seed. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The service's answer for an item: some items are rejected, the others succeed. */
function answerOf(item: number): string {
  if (item % 101 === 0) return 'MSG00012';
  if (item % 97 === 0) return 'MSG00006';
  if (item % 13 === 0) return 'MSG00005';
  return 'MSG00000';
}

// ── The fake service ──────────────────────────────────────────────────────────

/** Process generations that called each item, in call order. */
const callsOf = new Map<number, number[]>();
let inFlight = 0;
let peakConcurrency = 0;
const firstCallOf = new Map<number, () => void>();

function startService(): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const item = Number(url.searchParams.get('item'));
    const generation = Number(url.searchParams.get('gen'));
    const calls = callsOf.get(item);
    if (calls === undefined) callsOf.set(item, [generation]);
    else calls.push(generation);
    firstCallOf.get(generation)?.();
    firstCallOf.delete(generation);
    inFlight++;
    peakConcurrency = Math.max(peakConcurrency, inFlight);
    let open = true;
    const done = () => {
      if (open) inFlight--;
      open = false;
    };
    response.on('close', done);
    setTimeout(() => {
      if (!open) return;
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(answerOf(item));
    }, 1 + Math.floor(random() * 3));
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

// ── The batch process, killed and restarted ─────────────────────────────────

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Bundles the batch process once into plain JavaScript, so each restart costs a bare Node start. */
async function bundleChild(outDir: string): Promise<string> {
  await build({ entry: { 'crash-child': path.join(root, 'scripts', 'crash-child.ts') }, outDir, format: 'esm', platform: 'node', target: 'node20', bundle: true, silent: true, dts: false, sourcemap: false, splitting: false, config: false });
  return path.join(outDir, 'crash-child.js');
}

function spawnChild(script: string, args: readonly string[]): { child: ChildProcess; exited: Promise<Exit> } {
  const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited };
}

async function main(): Promise<number> {
  const started = Date.now();
  const work = mkdtempSync(path.join(tmpdir(), 'bcss-crash-'));
  const dir = path.join(work, 'run');
  const handedFile = path.join(work, 'handed.txt');
  // Inside the repository, so the bundle finds the dependencies in node_modules.
  const bin = path.join(root, '.tmp', `crash-child-${process.pid}`);
  const script = await bundleChild(bin);
  const { server, port } = await startService();
  let kills = 0;
  let generation = 0;
  const killedGenerations: number[] = [];
  try {
    for (; ; generation++) {
      const { child, exited } = spawnChild(script, [dir, String(port), String(items), String(cap), String(generation), handedFile]);
      if (kills < targetKills) {
        // Mostly a random moment after the first call; one kill in five a random moment after
        // the start, which may fall while the store opens, cuts a torn end or writes a checkpoint.
        const firstCall = new Promise<void>((resolve) => firstCallOf.set(generation, resolve));
        const fromStart = random() < 0.2;
        const outcome = fromStart ? 'called' : await Promise.race([firstCall.then(() => 'called' as const), exited.then(() => 'exited' as const)]);
        if (outcome === 'called') {
          await new Promise((resolve) => setTimeout(resolve, fromStart ? 50 + random() * 600 : 10 + random() * 250));
          child.kill('SIGKILL');
        }
      }
      const exit = await exited;
      if (exit.signal === 'SIGKILL') {
        kills++;
        killedGenerations.push(generation);
        continue;
      }
      if (exit.code !== 0) throw new Error(`the batch process failed (exit ${exit.code}):\n${exit.stderr}`);
      break;
    }

    // ── Checks ──────────────────────────────────────────────────────────────
    const summary = await summarizeLedger(dir);
    const rejects = await readLedger(dir);
    const rejectedPositions = new Set(rejects.map((r) => r.position));
    let wrongOutcomes = 0;
    for (let item = 0; item < items; item++) {
      if ((answerOf(item) !== 'MSG00000') !== rejectedPositions.has(item)) wrongOutcomes++;
    }
    for (const record of rejects) if (record.code !== answerOf(record.position)) wrongOutcomes++;
    const ledgerDuplicates = rejects.length - rejectedPositions.size;
    let counted = 0;
    for (const counts of Object.values(summary.counts)) counted += counts.success + counts.reject + counts.exhausted;

    let duplicateCalls = 0;
    let neverCalled = 0;
    const duplicatesOfKill = new Map<number, number>();
    for (let item = 0; item < items; item++) {
      const calls = callsOf.get(item) ?? [];
      if (calls.length === 0) neverCalled++;
      duplicateCalls += Math.max(0, calls.length - 1);
      // A call made by a generation that was killed and made again later is a duplicate of that kill.
      for (const g of new Set(calls.slice(0, -1))) duplicatesOfKill.set(g, (duplicatesOfKill.get(g) ?? 0) + 1);
    }
    const maxDuplicatesPerKill = Math.max(0, ...duplicatesOfKill.values());

    const handOffs = new Map<number, number[]>();
    for (const line of readFileSync(handedFile, 'utf8').split('\n')) {
      const match = /^(\d+) (\d+)$/.exec(line);
      if (match === null) continue;
      const item = Number(match[2]);
      const list = handOffs.get(item) ?? [];
      list.push(Number(match[1]));
      handOffs.set(item, list);
    }
    let duplicateHandOffs = 0;
    let missingHandOffs = 0;
    const handOffDuplicatesOfKill = new Map<number, number>();
    for (let item = 0; item < items; item++) {
      if (answerOf(item) !== 'MSG00000') continue;
      const list = handOffs.get(item) ?? [];
      if (list.length === 0) missingHandOffs++;
      duplicateHandOffs += Math.max(0, list.length - 1);
      for (const g of new Set(list.slice(0, -1))) handOffDuplicatesOfKill.set(g, (handOffDuplicatesOfKill.get(g) ?? 0) + 1);
    }

    const completed = summary.finished;
    const result = {
      items,
      kills,
      processes: generation + 1,
      completed,
      lost: items - completed,
      duplicateCalls,
      maxDuplicatesPerKill,
      inFlightBound: cap,
      peakConcurrency,
      neverCalled,
      rejects: rejects.length,
      rejectsByLedger: summary.byLedger,
      wrongOutcomes,
      ledgerDuplicates,
      countedInCheckpoint: counted,
      duplicateHandOffs,
      maxDuplicateHandOffsPerKill: Math.max(0, ...handOffDuplicatesOfKill.values()),
      missingHandOffs,
      seed: initialSeed,
      durationMs: Date.now() - started,
      ok: false,
    };
    const ok =
      result.lost === 0 &&
      result.completed === items &&
      counted === items &&
      kills >= targetKills &&
      maxDuplicatesPerKill <= cap &&
      result.maxDuplicateHandOffsPerKill <= cap &&
      peakConcurrency <= cap &&
      wrongOutcomes === 0 &&
      ledgerDuplicates === 0 &&
      neverCalled === 0 &&
      missingHandOffs === 0;
    const report = { ...result, ok };
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify(report));
    return ok ? 0 : 1;
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(work, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  }
}

process.exitCode = await main();
