/**
 * A damaged run directory, as an operator meets it: a real batch process over a real FileStore
 * and a loopback recording service is killed with SIGKILL; then its reject ledger is deleted, or
 * its journal is cut at a record boundary or in the middle of a record. The restarted batch
 * refuses the directory with LEDGER_DAMAGED (file and offset named) and calls nothing; the
 * operator runs the real `bcss-bulk ledger repair DIR` (changes nothing), then `--apply`; the
 * batch then resumes and calls again exactly the items the repair listed, plus the calls that
 * were in flight at the kill. A genuine torn tail still recovers silently.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile, appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSeal } from '../../src/store/file-store/seal.js';
import { planRepair, summarizeLedger } from '../../src/index.js';

const ITEMS = 300;
/** Items from this position on are not answered by the first process's service: 4 calls hang. */
const HANG_AT = 230;
const IN_FLIGHT = [230, 231, 232, 233];
const answerOf = (item: number) => (item % 5 === 0 ? 'MSG00005' : 'MSG00000');

let dir: string;
let service: Service;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-damage-'));
  service = await startService();
});
afterEach(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

interface Service {
  readonly port: number;
  /** Process generations that called each item. */
  readonly calls: Map<number, number[]>;
  hangAt: number;
  close(): Promise<void>;
}

async function startService(): Promise<Service> {
  const calls = new Map<number, number[]>();
  const state = { hangAt: Number.POSITIVE_INFINITY };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const item = Number(url.searchParams.get('item'));
    calls.set(item, [...(calls.get(item) ?? []), Number(url.searchParams.get('gen'))]);
    if (item >= state.hangAt) return; // never answered: the call is in flight when the process is killed
    response.end(answerOf(item));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    calls,
    get hangAt() {
      return state.hangAt;
    },
    set hangAt(value: number) {
      state.hangAt = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs the batch process (generation `gen`) to its end; resolves with its exit code and outputs. */
function batch(gen: number, onStarted?: (kill: () => void) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/support/damage-child.ts'), dir, String(service.port), String(ITEMS), String(gen), '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onStarted?.(() => child.kill('SIGKILL'));
  });
}

/** The seal's count of finished items, once the seal exists. */
async function sealedCompleted(): Promise<number> {
  const bytes = await readFile(path.join(dir, 'seal')).catch(() => undefined);
  return bytes === undefined ? -1 : decodeSeal('seal', bytes).data.completed;
}

/** Runs generation 1 until every answered item is recorded and sealed (4 calls hang), then SIGKILLs it. */
async function killedRun(): Promise<void> {
  service.hangAt = HANG_AT;
  const ended = batch(1, (kill) => {
    const poll = setInterval(() => {
      void sealedCompleted().then((completed) => {
        if (completed === HANG_AT) {
          clearInterval(poll);
          kill();
        }
      });
    }, 50);
  });
  const result = await ended;
  expect(result.signal).toBe('SIGKILL');
  for (const item of IN_FLIGHT) expect(service.calls.get(item)).toEqual([1]);
  service.hangAt = Number.POSITIVE_INFINITY;
}

/** The `bcss-bulk` command as a real process. */
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/cli.ts'), ...args], { encoding: 'utf8' });
}

/** Positions of the framed records of `data` from byte `from` on (`p` or `position`). */
function positionsIn(data: Buffer, from: number, only?: (value: Record<string, unknown>) => boolean): number[] {
  const positions: number[] = [];
  for (const line of data.subarray(from).toString('utf8').split('\n')) {
    if (line.length < 10) continue;
    const value = JSON.parse(line.slice(9)) as Record<string, unknown>;
    if (only !== undefined && !only(value)) continue;
    positions.push((value['position'] ?? value['p']) as number);
  }
  return positions.sort((a, b) => a - b);
}

async function snapshot(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) if (name !== 'lock') files[name] = (await readFile(path.join(dir, name))).toString('base64');
  return files;
}

async function journalFile(): Promise<string> {
  const journals = (await readdir(dir)).filter((name) => /^journal-\d+\.log$/.test(name));
  expect(journals).toHaveLength(1);
  return path.join(dir, journals[0]!);
}

/**
 * The operator's way out: the restarted batch refuses and calls nothing, the summary fails, the
 * repair says what it will call again (changing nothing), `--apply` repairs, the batch resumes
 * and calls again exactly the listed items and the calls in flight at the kill.
 */
async function refuseRepairResume(file: string, expectedRecall: readonly number[]) {
  const refused = await batch(2);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('LEDGER_DAMAGED');
  expect(refused.stderr).toContain(file);
  expect([...service.calls.values()].flat().filter((gen) => gen === 2)).toEqual([]); // nothing called again silently

  const summary = cli('ledger', 'summary', dir);
  expect(summary.status).toBe(1);
  expect(summary.stderr).toContain(`${file} is damaged at byte`);
  expect(summary.stderr).toContain('[LEDGER_DAMAGED]');
  expect(cli('ledger', 'export', dir, '--format', 'csv').status).toBe(1);

  const before = await snapshot();
  const dry = cli('ledger', 'repair', dir);
  expect(dry.status, dry.stderr).toBe(0);
  expect(dry.stdout).toContain(file);
  expect(dry.stdout).toContain('Nothing was changed');
  expect(await snapshot()).toEqual(before);
  const plan = await planRepair(dir);
  expect(plan.recall).toEqual(expectedRecall);
  if (expectedRecall.length > 0) expect(dry.stdout).toContain(`will call again ${expectedRecall.length} item(s)`);

  const applied = cli('ledger', 'repair', dir, '--apply');
  expect(applied.status, applied.stderr).toBe(0);
  expect(applied.stdout).toContain('Repaired. A note of the repair is in');
  const notes = (await readdir(dir)).filter((name) => /^repair-.*\.txt$/.test(name));
  expect(notes).toHaveLength(1);
  expect(await readFile(path.join(dir, notes[0]!), 'utf8')).toContain(file);

  const resumed = await batch(3);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(JSON.parse(resumed.stdout.trim())).toEqual({ state: 'completed', finished: ITEMS });
  const calledAgain = [...service.calls].filter(([, gens]) => gens.includes(1) && gens.includes(3)).map(([item]) => item);
  expect(calledAgain.sort((a, b) => a - b)).toEqual([...new Set([...expectedRecall, ...IN_FLIGHT])].sort((a, b) => a - b));
  for (let item = 0; item < ITEMS; item++) expect(service.calls.has(item)).toBe(true);
  return plan;
}

describe('a damaged run directory after a SIGKILL', () => {
  it('a deleted reject ledger: refused, the lost rejects said plainly, the unsynced ones called again after the repair', async () => {
    await killedRun();
    const ledger = path.join(dir, 'ledger-rejects.log');
    const data = await readFile(ledger);
    const checkpoint = JSON.parse((await readFile(path.join(dir, 'checkpoint'), 'utf8')).slice(9)) as { ledgers: Record<string, number> };
    const covered = checkpoint.ledgers['rejects']!;
    expect(covered).toBeGreaterThan(0);
    const pastCheckpoint = positionsIn(data, covered);
    expect(pastCheckpoint.length).toBeGreaterThan(0);
    await rm(ledger);

    const plan = await refuseRepairResume(ledger, pastCheckpoint);
    const counted = HANG_AT / 5;
    expect(plan).toMatchObject({ countedRejects: counted - pastCheckpoint.length, heldRejects: 0 });
    const dry = await readFile(path.join(dir, (await readdir(dir)).find((name) => name.startsWith('repair-'))!), 'utf8');
    expect(dry).toContain(`the counts say ${counted - pastCheckpoint.length} reject(s) were recorded, the ledgers hold 0`);
    expect(dry).toContain('cannot be identified');
    // After the run, the summary still says how many rejects are lost.
    const summary = cli('ledger', 'summary', dir);
    expect(summary.status).toBe(0);
    expect(summary.stdout).toContain(`${counted - pastCheckpoint.length} reject record(s) are lost`);
    expect((await summarizeLedger(dir)).finished).toBe(ITEMS);
  }, 120_000);

  it('a journal cut at a record boundary: refused, then exactly the cut successes are called again', async () => {
    await killedRun();
    const journal = await journalFile();
    const data = await readFile(journal);
    let cut = data.length - 1;
    for (let i = 0; i < 5; i++) cut = data.lastIndexOf('\n', cut - 1);
    cut += 1; // the start of the fifth record from the end
    const removed = positionsIn(data, cut, (value) => value['t'] === 's');
    expect(removed.length).toBe(5);
    await truncate(journal, cut);
    await refuseRepairResume(journal, removed);
  }, 120_000);

  it('a journal cut in the middle of a record: refused, then the cut record and those after it are called again', async () => {
    await killedRun();
    const journal = await journalFile();
    const data = await readFile(journal);
    const start = data.lastIndexOf('\n', data.lastIndexOf('\n', data.length - 2) - 1) + 1; // the second record from the end
    const removed = positionsIn(data, start, (value) => value['t'] === 's');
    await truncate(journal, start + 12);
    await refuseRepairResume(journal, removed);
  }, 120_000);

  it('a deleted journal: refused, then every success it held is called again', async () => {
    await killedRun();
    const journal = await journalFile();
    const removed = positionsIn(await readFile(journal), 0, (value) => value['t'] === 's');
    await rm(journal);
    await refuseRepairResume(journal, removed);
  }, 120_000);

  it('a genuine torn write at the end of the journal still recovers silently: only the calls in flight are made again', async () => {
    await killedRun();
    const journal = await journalFile();
    await appendFile(journal, '0badc0de {"t":"s","p":2'); // a record whose write was torn by the kill
    const resumed = await batch(2);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout.trim())).toEqual({ state: 'completed', finished: ITEMS });
    const calledAgain = [...service.calls].filter(([, gens]) => gens.includes(1) && gens.includes(2)).map(([item]) => item);
    expect(calledAgain.sort((a, b) => a - b)).toEqual(IN_FLIGHT);
    await writeFile(path.join(dir, 'unused'), ''); // the directory is still writable after the run
  }, 120_000);
});
