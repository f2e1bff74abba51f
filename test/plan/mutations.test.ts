/**
 * Mutations advice: pure advice for a recurring batch or one that ran under the same name in the
 * last weeks, and the run history read from real run directories (a real FileStore run keeps
 * its name in the checkpoint from its start; damage is reported, not skipped).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adviseMutations, createRun, FileStore, LedgerDamagedError, readRunHistory } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { runToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bcss-history-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs a small named batch into a FileStore run directory, starting at `at` (a night). */
async function namedRun(dir: string, name: string | undefined, at: string): Promise<void> {
  const clock = new FakeClock(Date.parse(at));
  const store = await FileStore.open(dir);
  try {
    const run = createRun<number, number>({ input: [1, 2], source: 'rn', sources: { rn: { kind: 'rn' } }, call: (n) => n, clock, store, announcement: TEST_ANNOUNCEMENT, ...(name === undefined ? {} : { name }) });
    await runToEnd(clock, run);
  } finally {
    await store.close();
  }
}

const NOW = new Date('2026-11-24T20:00:00Z');

describe('adviseMutations', () => {
  it('gives no advice for a new, non-recurring batch', () => {
    expect(adviseMutations({ name: 'pensions', now: NOW })).toBeUndefined();
    expect(adviseMutations({ name: 'pensions', now: NOW, history: [{ name: 'other', startedAt: '2026-11-10T20:00:00Z' }] })).toBeUndefined();
  });

  it('advises a subscription for a recurring batch, in three languages', () => {
    const advice = adviseMutations({ recurring: true, now: NOW })!;
    expect(advice.reasons).toEqual(['recurring']);
    expect(advice.message('fr')).toMatch(/récurrent.*abonner aux mutations du Registre national/);
    expect(advice.message('nl')).toMatch(/terugkerend.*mutaties van het Rijksregister/);
    expect(advice.message('en')).toMatch(/recurring.*mutations of the National Register/);
  });

  it('advises when the same name ran within 42 days (by default), listing those runs oldest first', () => {
    const history = [
      { name: 'pensions', startedAt: '2026-11-17T20:00:00Z' },
      { name: 'pensions', startedAt: '2026-10-13T19:59:59Z' }, // 42 days and a second ago: too old
      { name: 'pensions', startedAt: '2026-10-20T20:00:00Z' },
      { name: 'other', startedAt: '2026-11-20T20:00:00Z' },
    ];
    const advice = adviseMutations({ name: 'pensions', history, now: NOW })!;
    expect(advice.reasons).toEqual(['ran-before']);
    expect(advice.earlierRuns.map((r) => r.startedAt.toISOString())).toEqual(['2026-10-20T20:00:00.000Z', '2026-11-17T20:00:00.000Z']);
    expect(advice.message('en')).toContain('The batch "pensions" already ran recently (2026-10-20, 2026-11-17).');
    expect(adviseMutations({ name: 'pensions', history, now: NOW, withinDays: 5 })).toBeUndefined();
    expect(adviseMutations({ name: 'pensions', history, now: NOW, withinDays: 43 })!.earlierRuns).toHaveLength(3);
  });
});

describe('readRunHistory', () => {
  it('reads names and starts from a root of run directories and from a run directory itself, skipping what is not a run', async () => {
    await namedRun(path.join(root, 'october'), 'pensions', '2026-10-20T20:00:00Z');
    await namedRun(path.join(root, 'november'), 'pensions', '2026-11-17T20:00:00Z');
    await namedRun(path.join(root, 'unnamed'), undefined, '2026-11-18T20:00:00Z');
    await mkdir(path.join(root, 'notes'));
    await writeFile(path.join(root, 'README.txt'), 'not a run');
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'bcss-history-single-'));
    try {
      await namedRun(elsewhere, 'allowances', '2026-11-01T20:00:00Z');
      const history = await readRunHistory([root, elsewhere]);
      expect(history).toEqual([
        { name: 'pensions', startedAt: '2026-10-20T20:00:00.000Z', dir: path.join(root, 'october') },
        { name: 'allowances', startedAt: '2026-11-01T20:00:00.000Z', dir: elsewhere },
        { name: 'pensions', startedAt: '2026-11-17T20:00:00.000Z', dir: path.join(root, 'november') },
        { name: undefined, startedAt: '2026-11-18T20:00:00.000Z', dir: path.join(root, 'unnamed') },
      ]);
      expect(adviseMutations({ name: 'pensions', history, now: NOW })!.earlierRuns).toHaveLength(2);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('sees the name of a run still under way: the checkpoint written at its start holds it', async () => {
    const dir = path.join(root, 'live');
    const clock = new FakeClock(Date.parse('2026-11-24T20:00:00Z'));
    const store = await FileStore.open(dir, { checkpointEvery: 1_000 });
    const run = createRun<number, number>({ input: [1, 2, 3], source: 'rn', sources: { rn: { kind: 'rn' } }, call: (_n, { signal }) => new Promise<number>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))), clock, store, announcement: TEST_ANNOUNCEMENT, name: 'live-batch' });
    const done = run.start();
    done.catch(() => undefined);
    await vi.waitFor(() => expect(run.status().totals.inFlight).toBe(3)); // the store opened (real file I/O) and the calls began
    expect(await readRunHistory(root)).toEqual([{ name: 'live-batch', startedAt: '2026-11-24T20:00:00.000Z', dir }]);
    await run.stop({ inFlight: 'abort' });
    await store.close();
  });

  it('reports a damaged checkpoint loudly, and a missing path', async () => {
    await namedRun(path.join(root, 'good'), 'pensions', '2026-11-17T20:00:00Z');
    await mkdir(path.join(root, 'bad'));
    await writeFile(path.join(root, 'bad', 'checkpoint'), 'garbage that is not a framed record');
    await expect(readRunHistory(root)).rejects.toBeInstanceOf(LedgerDamagedError);
    await expect(readRunHistory(path.join(root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
