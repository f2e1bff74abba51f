/**
 * The durable file store on real files: what a run records survives the process, a restarted
 * run resumes after it, torn ends are cut and damage in the middle is reported, a failing
 * rename or fsync leaves the previous checkpoint loadable, the lock refuses a second holder.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createRun,
  FileStore,
  InputChangedError,
  LedgerDamagedError,
  nodeFileSystem,
  readLedger,
  RunDirLockedError,
  RunFailedError,
  summarizeLedger,
  type Classifier,
  type FileSystem,
  type RunOptions,
} from '../../src/index.js';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Replies: `MSG00005` for multiples of 5, `MSG00006` for multiples of 7, else success. */
const codeOf = (item: number): string => (item % 5 === 0 ? 'MSG00005' : item % 7 === 0 ? 'MSG00006' : 'MSG00000');
const classify: Classifier<string> = (result) => {
  if (!result.ok) return undefined;
  if (result.value === 'MSG00000') return { class: 'success' };
  if (result.value === 'FATAL') return { class: 'fatal', code: 'MSG00013', reason: 'legal context refused' };
  return { class: 'reject', code: result.value, reason: `refused: ${result.value}` };
};

interface Trial {
  readonly calls: number[];
  readonly handed: number[];
  readonly pauses: string[];
}

/** A run over `items` on a FileStore in `dir`; `fatalAt` makes that item's reply fatal (the run stops there). */
async function runOnce(items: readonly number[], options: { fatalAt?: number; store?: FileStore; extra?: Partial<RunOptions<number, string>> } = {}) {
  const store = options.store ?? (await FileStore.open(dir, { checkpointEvery: 7 }));
  const trial: Trial = { calls: [], handed: [], pauses: [] };
  const run = createRun<number, string>({
    announcement: TEST_ANNOUNCEMENT,
    input: items,
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    calendar: { enforce: false, override: { reason: 'test against an in-process service, not the BCSS' } },
    key: (item) => `person-${item}`,
    call: async (item) => {
      trial.calls.push(item);
      await new Promise((resolve) => setImmediate(resolve));
      return item === options.fatalAt ? 'FATAL' : codeOf(item);
    },
    classify,
    onSuccess: (item) => {
      trial.handed.push(item);
    },
    rejectBudget: false,
    store,
    ...options.extra,
  });
  run.on('state', (change) => {
    if (change.to === 'paused') {
      trial.pauses.push(change.reason);
      void run.stop();
    }
  });
  const outcome = await run.start().then(
    (summary) => ({ summary, error: undefined }),
    (error: unknown) => ({ summary: undefined, error }),
  );
  await store.close();
  return { ...trial, ...outcome, status: run.status() };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('resuming a run from its run directory', () => {
  it('skips finished items, hands no success twice, and keeps counting from the stored counts', async () => {
    const items = range(200);
    const first = await runOnce(items, { fatalAt: 120 });
    expect(first.error).toBeInstanceOf(RunFailedError);
    const finishedFirst = first.status.totals.finished;
    expect(finishedFirst).toBeGreaterThan(100);

    const second = await runOnce(items);
    expect(second.error).toBeUndefined();
    // Every item is finished exactly once over the two runs: nothing lost, nothing called again
    // except what was in flight when the first run stopped.
    const calledTwice = second.calls.filter((item) => first.calls.includes(item));
    expect(calledTwice.length).toBeLessThanOrEqual(4);
    expect(new Set([...first.calls, ...second.calls]).size).toBe(200);
    expect(second.handed.filter((item) => first.handed.includes(item))).toEqual([]);
    expect([...first.handed, ...second.handed].sort((a, b) => a - b)).toEqual(items.filter((i) => codeOf(i) === 'MSG00000'));
    // The summary counts the whole run, the earlier part included.
    expect(second.summary!.totals).toMatchObject({ finished: 200, succeeded: 200 - 40 - 23, rejected: 40 + 23, read: 200 });
    expect(second.summary!.unfinished).toBe(0);

    const rejects = await readLedger(dir);
    expect(rejects.map((r) => r.position).sort((a, b) => a - b)).toEqual(items.filter((i) => codeOf(i) !== 'MSG00000'));
    expect(new Set(rejects.map((r) => r.ledger))).toEqual(new Set(['rejects', 'ssin-replaced']));
  });

  it('resumes a run over an async input the same way', async () => {
    async function* people(n: number) {
      for (let i = 0; i < n; i++) yield i;
    }
    const first = await runOnce([], { fatalAt: 70, extra: { input: people(100) } });
    expect(first.error).toBeInstanceOf(RunFailedError);
    const second = await runOnce([], { extra: { input: people(100) } });
    expect(second.summary!.totals).toMatchObject({ finished: 100, read: 100 });
    expect(second.calls.filter((item) => first.calls.includes(item)).length).toBeLessThanOrEqual(4);
    expect(second.handed.filter((item) => first.handed.includes(item))).toEqual([]);
  });

  it('judges the reject budget on the stored counts after a restart', async () => {
    const items = range(300);
    const first = await runOnce(items, { fatalAt: 100 });
    expect(first.error).toBeInstanceOf(RunFailedError);
    // 31% of items are rejected: a budget of 25% over 150 items trips only if the first run's items count.
    const second = await runOnce(items, { extra: { rejectBudget: { maxRatio: 0.25, minSample: 150 } } });
    expect(second.pauses).toEqual(['reject-budget']);
    // Counting only its own items, the restarted run could not judge the budget before 150 of them finished.
    expect(second.calls.length).toBeLessThan(60);
    expect(second.summary!.totals.finished).toBeGreaterThanOrEqual(150);
  });

  it('refuses an input whose first items changed, and one shorter than what was finished', async () => {
    await runOnce(range(100), { fatalAt: 60 });
    const reordered = [1, 0, ...range(100).slice(2)];
    const changed = await runOnce(reordered);
    expect(changed.error).toBeInstanceOf(InputChangedError);
    expect((changed.error as InputChangedError).outcomeCode).toBe('INPUT_CHANGED');
    expect(changed.calls).toEqual([]);

    const shorter = await runOnce(range(30));
    expect(shorter.error).toBeInstanceOf(InputChangedError);
    expect(String((shorter.error as Error).message)).toMatch(/input has 30 items/);

    const same = await runOnce(range(100));
    expect(same.error).toBeUndefined();
    expect(same.summary!.totals.finished).toBe(100);
  });

  it('refuses to resume when the stored items belong to a source no longer configured', async () => {
    await runOnce(range(50), { fatalAt: 30 });
    const renamed = await runOnce(range(50), { extra: { source: 'register', sources: { register: { kind: 'rn' } } } });
    expect(renamed.error).toBeInstanceOf(InputChangedError);
    expect((renamed.error as Error).message).toContain("source 'rn', which is not configured (configured: register)");
    expect(renamed.calls).toEqual([]);
  });

  it('fingerprints items by a stable serialisation when the run has no key function', async () => {
    const objects = range(40).map((i) => ({ id: i, name: `n${i}` }));
    const run = async (input: readonly { id: number; name: string }[], fatalAt?: number) => {
      const store = await FileStore.open(dir);
      const result = await createRun<{ id: number; name: string }, string>({
        announcement: TEST_ANNOUNCEMENT,
        input,
        source: 'rn',
        sources: { rn: { kind: 'rn' } },
        calendar: { enforce: false, override: { reason: 'test against an in-process service, not the BCSS' } },
        call: (item) => (item.id === fatalAt ? 'FATAL' : 'MSG00000'),
        classify,
        store,
      })
        .start()
        .catch((error: unknown) => error);
      await store.close();
      return result;
    };
    expect(await run(objects, 35)).toMatchObject({ outcomeCode: 'MSG00013' });
    const changed = objects.map((o) => (o.id === 3 ? { ...o, name: 'changed' } : o));
    expect(await run(changed)).toBeInstanceOf(InputChangedError);
    // The same items with their fields in another order are the same input.
    const summary = await run(objects.map(({ id, name }) => ({ name, id })));
    expect(summary).toMatchObject({ state: 'completed', totals: { finished: 40 } });
  });

  it('keeps national numbers masked in the ledger unless the store opts in', async () => {
    const nn = '85073003328';
    const once = async (keep: boolean) => {
      const sub = path.join(dir, keep ? 'kept' : 'masked');
      const store = await FileStore.open(sub, { keepNationalNumbers: keep });
      const events: string[] = [];
      const run = createRun<string, string>({ announcement: TEST_ANNOUNCEMENT, input: [nn], source: 'rn', sources: { rn: { kind: 'rn' } }, calendar: { enforce: false, override: { reason: 'test against an in-process service, not the BCSS' } }, key: (item) => item, call: () => 'MSG00005', classify, store });
      run.on('reject', (record) => events.push(record.key));
      await run.start();
      await store.close();
      const files = await readdir(sub);
      const raw = (await Promise.all(files.map((f) => readFile(path.join(sub, f), 'utf8')))).join('');
      return { raw, events, ledger: await readLedger(sub) };
    };
    const masked = await once(false);
    expect(masked.raw).not.toContain(nn);
    expect(masked.ledger[0]!.key).toBe('85.07.30-***.**');
    const kept = await once(true);
    expect(kept.ledger[0]!.key).toBe(nn);
    expect(kept.events).toEqual(['85.07.30-***.**']); // events stay masked
  });
});

describe('triage of rejects to named ledgers', () => {
  it('routes codes to their ledgers by the default and custom rules', async () => {
    const store = await FileStore.open(dir, { routes: [{ code: /^MSG0000[56]$/, ledger: 'ssin' }, { outcome: 'exhausted', ledger: 'retry-later' }], defaultLedger: 'other' });
    const base = { source: 'rn', attempts: 1, firstAttemptAt: '2026-01-05T20:00:00.000Z', lastAttemptAt: '2026-01-05T20:00:00.000Z' };
    await store.open({ startedAt: base.firstAttemptAt, sources: {} });
    await Promise.all([
      store.record({ ...base, position: 0, key: 'a', outcome: 'reject', code: 'MSG00005', reason: 'x' }),
      store.record({ ...base, position: 1, key: 'b', outcome: 'reject', code: 'MSG00006', reason: 'x' }),
      store.record({ ...base, position: 2, key: 'c', outcome: 'exhausted', code: 'HTTP_503', reason: 'x' }),
      store.record({ ...base, position: 3, key: 'd', outcome: 'reject', code: 'MSG00012', reason: 'x' }),
      store.record({ ...base, position: 4, key: 'e', outcome: 'success' }),
    ]);
    await store.close();
    const byLedger = (await readLedger(dir)).map((r) => [r.ledger, r.key]);
    expect(byLedger).toEqual([
      ['other', 'd'],
      ['retry-later', 'c'],
      ['ssin', 'a'],
      ['ssin', 'b'],
    ]);
    expect((await readdir(dir)).filter((f) => f.startsWith('ledger-')).sort()).toEqual(['ledger-other.log', 'ledger-retry-later.log', 'ledger-ssin.log']);
  });

  it('sends MSG00006 to ssin-replaced and MSG00012 to not-integrated by default', async () => {
    const store = await FileStore.open(dir);
    const base = { source: 'rn', attempts: 1, firstAttemptAt: '2026-01-05T20:00:00.000Z', lastAttemptAt: '2026-01-05T20:00:00.000Z', outcome: 'reject' as const };
    await store.open({ startedAt: base.firstAttemptAt, sources: {} });
    await store.record({ ...base, position: 0, key: 'a', code: 'MSG00006', reason: 'new SSIN' });
    await store.record({ ...base, position: 1, key: 'b', code: 'MSG00012', reason: 'not integrated' });
    await store.record({ ...base, position: 2, key: 'c', code: 'MSG00005', reason: 'unknown' });
    await store.close();
    expect((await summarizeLedger(dir)).byLedger).toEqual({ 'ssin-replaced': 1, 'not-integrated': 1, rejects: 1 });
  });

  it('refuses a bad ledger name', async () => {
    await expect(FileStore.open(dir, { routes: [{ code: 'X', ledger: '../etc' }] })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

const base = { source: 'rn', attempts: 1, firstAttemptAt: '2026-01-05T20:00:00.000Z', lastAttemptAt: '2026-01-05T20:00:00.000Z', outcome: 'reject' as const, code: 'MSG00005' };

/** A store with `n` rejects at positions 0..n-1 in the default ledger, closed. */
async function writeRejects(n: number, options: { checkpointEvery?: number } = {}): Promise<string> {
  const store = await FileStore.open(dir, options);
  await store.open({ startedAt: base.firstAttemptAt, sources: {} });
  for (let i = 0; i < n; i++) await store.record({ ...base, position: i, key: `k${i}`, reason: `reason ${i}` });
  await store.close();
  return path.join(dir, 'ledger-rejects.log');
}

describe('group commit and checkpoints', () => {
  it('syncs records in groups: one fsync per file per group, not per record', async () => {
    let syncs = 0;
    const fs: FileSystem = {
      ...nodeFileSystem,
      openAppend: async (file, mode, exclusive) => {
        const handle = await nodeFileSystem.openAppend(file, mode, exclusive);
        return { ...handle, sync: () => (syncs++, handle.sync()) };
      },
    };
    const store = await FileStore.open(dir, { fs, checkpointEvery: 1_000_000 });
    await store.open({ startedAt: base.firstAttemptAt, sources: {} });
    const before = syncs;
    await Promise.all(range(200).map((position) => store.record(position % 2 === 0 ? { ...base, position, key: `k${position}`, reason: 'r' } : { ...base, position, key: `k${position}`, outcome: 'success' })));
    // 200 records waiting together: one group, one fsync of the ledger and one of the journal.
    expect(syncs - before).toBe(2);
    expect(store.status()).toMatchObject({ watermark: 200, completed: 200 });
    await store.close();
  });

  it('keeps every synced record across checkpoints taken while records keep coming (a crash image loads them all)', async () => {
    const store = await FileStore.open(dir, { checkpointEvery: 3 });
    await store.open({ startedAt: base.firstAttemptAt, sources: {} });
    const waves: Promise<void>[] = [];
    for (let wave = 0; wave < 5; wave++) {
      const records = [];
      for (let i = 0; i < 10; i++) {
        const position = wave * 10 + i;
        records.push(store.record(position % 4 === 0 ? { ...base, position, key: `k${position}`, reason: 'r' } : { ...base, position, key: `k${position}`, outcome: 'success' }));
      }
      waves.push(Promise.all(records).then(() => undefined));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(waves);
    // Copy the directory as a crash would leave it (no last checkpoint, no lock released). A
    // checkpoint may still be under way and rename or remove a file during the copy: start again.
    // The seal first: the copy is not one instant, and a seal copied after a newer checkpoint
    // would be newer than the checkpoint copied before it, which no crash leaves.
    const image = path.join(dir, 'image');
    for (let copied = false; !copied; ) {
      await rm(image, { recursive: true, force: true });
      await mkdir(image);
      try {
        const names = (await readdir(dir)).sort((a, b) => Number(b === 'seal') - Number(a === 'seal'));
        for (const file of names) if (file !== 'lock' && file !== 'image') await copyFile(path.join(dir, file), path.join(image, file));
        copied = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    const reopened = await FileStore.open(image);
    expect(reopened.status()).toMatchObject({ watermark: 50, finished: [], counts: { rn: { success: 37, reject: 13, exhausted: 0 } } });
    await reopened.close();
    await store.close();
  });
});

describe('torn ends and damage', () => {
  it('treats a ledger cut at any byte of its last record as ending before it, and appends after the cut', async () => {
    const ledger = await writeRejects(3, { checkpointEvery: 1_000_000 });
    const full = await readFile(ledger);
    const lastStart = full.lastIndexOf('\n', full.length - 2) + 1;
    // The checkpoint and the seal written at close cover all three records: remove both, so the
    // directory is the image of a crash in the middle of the first group's write.
    const checkpoint = await readFile(path.join(dir, 'checkpoint'));
    for (let cut = lastStart; cut < full.length; cut++) {
      await writeFile(ledger, full.subarray(0, cut));
      await rm(path.join(dir, 'checkpoint'));
      await rm(path.join(dir, 'seal'));
      const records = await readLedger(dir);
      expect(records.map((r) => r.position)).toEqual([0, 1]);
      const store = await FileStore.open(dir);
      expect(store.status().completed).toBe(2);
      await store.open({ startedAt: base.firstAttemptAt, sources: {} });
      await store.record({ ...base, position: 2, key: 'again', reason: 'again' });
      await store.close();
      expect((await readLedger(dir)).map((r) => r.key)).toEqual(['k0', 'k1', 'again']);
    }
    await writeFile(path.join(dir, 'checkpoint'), checkpoint);
  });

  it('reports damage in the middle of a ledger with the file and byte offset', async () => {
    const ledger = await writeRejects(3);
    const data = await readFile(ledger);
    const second = data.indexOf('\n') + 1;
    data[second + 20] = data[second + 20]! ^ 0x01;
    await writeFile(ledger, data);
    const error = await readLedger(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerDamagedError);
    expect(error).toMatchObject({ file: ledger, offset: second, code: 'LEDGER_DAMAGED' });
    await expect(FileStore.open(dir)).rejects.toBeInstanceOf(LedgerDamagedError);
    // The store did not keep the lock after refusing.
    await writeFile(ledger, (await readFile(ledger)).subarray(0, second));
    await expect(FileStore.open(dir).then((s) => s.close())).rejects.toBeInstanceOf(LedgerDamagedError); // the checkpoint covers 3 records
  });

  it('refuses a damaged checkpoint', async () => {
    await writeRejects(2);
    const file = path.join(dir, 'checkpoint');
    const data = await readFile(file);
    data[30] = data[30]! ^ 0x04;
    await writeFile(file, data);
    const error = await FileStore.open(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'LEDGER_DAMAGED', file });
    // A repair cannot rebuild a checkpoint: the message sends the operator to a backup, not to the repair.
    expect((error as Error).message).toMatch(/restore .* from a backup/);
    expect((error as Error).message).not.toContain('ledger repair');
  });
});

/** The real file system, with rename or fsync failing once armed. */
function failingFs(what: 'rename' | 'sync' | 'syncDir') {
  const state = { armed: false };
  const fs: FileSystem = {
    ...nodeFileSystem,
    rename: (from, to) => (state.armed && what === 'rename' ? Promise.reject(Object.assign(new Error('EIO: rename failed'), { code: 'EIO' })) : nodeFileSystem.rename(from, to)),
    syncDir: (d) => (state.armed && what === 'syncDir' ? Promise.reject(Object.assign(new Error('EIO: fsync failed'), { code: 'EIO' })) : nodeFileSystem.syncDir(d)),
    openAppend: async (file, mode, exclusive) => {
      const handle = await nodeFileSystem.openAppend(file, mode, exclusive);
      return { ...handle, sync: () => (state.armed && what === 'sync' ? Promise.reject(Object.assign(new Error('EIO: fsync failed'), { code: 'EIO' })) : handle.sync()) };
    },
  };
  return { fs, state };
}

describe('failing writes', () => {
  for (const what of ['rename', 'sync', 'syncDir'] as const) {
    it(`fails the run when a ${what} fails, and the previous checkpoint still loads`, async () => {
      const { fs, state } = failingFs(what);
      const store = await FileStore.open(dir, { fs, checkpointEvery: 10 });
      await store.open({ startedAt: base.firstAttemptAt, sources: {} });
      for (let i = 0; i < 10; i++) await store.record({ ...base, position: i, key: `k${i}`, reason: 'r' }); // a checkpoint at 10
      state.armed = true;
      const failures: unknown[] = [];
      for (let i = 10; i < 20; i++) failures.push(await store.record({ ...base, position: i, key: `k${i}`, reason: 'r' }).catch((e: unknown) => e));
      expect(failures.some((f) => f instanceof Error && /EIO/.test(f.message))).toBe(true);
      // Once failed, the store refuses every later record: nothing is silently dropped.
      await expect(store.record({ ...base, position: 99, key: 'late', reason: 'r' })).rejects.toThrow(/EIO/);
      await expect(store.close()).rejects.toThrow(/EIO/);
      const reopened = await FileStore.open(dir);
      const status = reopened.status();
      expect(status.completed).toBeGreaterThanOrEqual(10);
      expect(status.watermark).toBe(status.completed); // no hole: what is recorded is a prefix
      await reopened.close();
      expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp/));
    });
  }
});

describe('the run directory lock', () => {
  it('refuses a second store on the same directory, in this process and in another one', async () => {
    const store = await FileStore.open(dir);
    const error = await FileStore.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunDirLockedError);
    expect((error as RunDirLockedError).holder.pid).toBe(process.pid);
    const child = await runNode(`import('${path.resolve('src/index.ts').replace(/\\/g, '/')}').then(m => m.FileStore.open(process.argv[1])).then(() => console.log('opened'), e => console.log(e.code, e.holder.pid))`, [dir]);
    expect(child.trim()).toBe(`RUN_DIR_LOCKED ${process.pid}`);
    await store.close();
    const again = await FileStore.open(dir);
    await again.close();
  });

  it('takes over the lock of a holder that died', async () => {
    const output = await runNode(`import('${path.resolve('src/index.ts').replace(/\\/g, '/')}').then(m => m.FileStore.open(process.argv[1])).then(() => { console.log('held'); process.kill(process.pid, 'SIGKILL'); })`, [dir]);
    expect(output.trim()).toBe('held');
    expect(JSON.parse(await readFile(path.join(dir, 'lock'), 'utf8'))).toMatchObject({ pid: expect.any(Number) });
    const store = await FileStore.open(dir);
    expect(JSON.parse(await readFile(path.join(dir, 'lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await store.close();
  });

  it('takes over a lock naming this pid that this process does not hold (a restarted container reuses PID 1)', async () => {
    await writeFile(path.join(dir, 'lock'), JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2026-01-05T03:12:00.000Z' }));
    const store = await FileStore.open(dir);
    expect(JSON.parse(await readFile(path.join(dir, 'lock'), 'utf8'))).toMatchObject({ pid: process.pid, startedAt: expect.not.stringMatching(/^2026-01-05T03:12/) });
    await expect(FileStore.open(dir)).rejects.toBeInstanceOf(RunDirLockedError);
    await store.close();
  });

  it('refuses a lock held from another host', async () => {
    await writeFile(path.join(dir, 'lock'), JSON.stringify({ pid: 1, hostname: 'elsewhere.example', startedAt: '2026-01-05T03:12:00.000Z' }));
    await expect(FileStore.open(dir)).rejects.toMatchObject({ code: 'RUN_DIR_LOCKED', message: expect.stringContaining('elsewhere.example') });
  });
});

describe('file modes', () => {
  it('creates the directory owner-only and every file read/write for the owner only', async () => {
    const sub = path.join(dir, 'run');
    const store = await FileStore.open(sub, { checkpointEvery: 2 });
    await store.open({ startedAt: base.firstAttemptAt, sources: {} });
    await store.record({ ...base, position: 0, key: 'a', reason: 'r' });
    await store.record({ ...base, position: 1, key: 'b', reason: 'r', outcome: 'exhausted' });
    await store.record({ ...base, position: 2, key: 'c', outcome: 'success' });
    expect((await stat(sub)).mode & 0o777).toBe(0o700);
    const files = await readdir(sub);
    expect(files).toEqual(expect.arrayContaining(['lock', 'checkpoint', 'ledger-rejects.log']));
    expect(files.some((f) => f.startsWith('journal-'))).toBe(true);
    for (const file of files) expect({ file, mode: (await stat(path.join(sub, file))).mode & 0o777 }).toEqual({ file, mode: 0o600 });
    await store.close();
  });
});

/** Runs a Node ESM snippet with tsx; resolves with its stdout. */
function runNode(code: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => (out === '' && err !== '' ? reject(new Error(err)) : resolve(out)));
  });
}


describe('options', () => {
  it('refuses each malformed option with its path, and takes no lock', async () => {
    const error = await FileStore.open(dir, { checkpointEvery: 0, defaultLedger: 'no/slash', routes: [{ ledger: 'ok' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.path.join('.'))).toEqual(['checkpointEvery']);
    const routes = await FileStore.open(dir, { defaultLedger: 'no/slash', routes: [{ ledger: 'ok' }] }).catch((e: unknown) => e);
    expect((routes as ConfigError).issues.map((issue) => issue.path.join('.'))).toEqual(['defaultLedger', 'routes.0']);
    await (await FileStore.open(dir)).close(); // the directory was not locked
  });
});
