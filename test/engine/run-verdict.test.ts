/**
 * The classifier's verdict is checked: anything but a shape of `Classification` fails the run
 * with `PROGRAMMER_ERROR` naming the item and the value (masked, cut short), the item stays
 * unfinished (not recorded, called again on a resume), and what was finished stays recorded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRun, FileStore, RunFailedError, type Classification, type Classifier, type RunSummary } from 'bcss-bulk';
import { FakeClock } from 'bcss-bulk/testing';
import { runToEnd, TEST_ANNOUNCEMENT, validInsz } from '../helpers.js';

const NO_CALENDAR = { enforce: false, override: { reason: 'unit test against a fake service, not the BCSS' } } as const;

/** A run over `count` items (item i is a national number), calls answering at once, whose classifier gives `verdict(i)` (undefined: the default's). */
function verdictRun(count: number, verdict: (item: number) => unknown, extra: { store?: FileStore; clock?: FakeClock } = {}) {
  const clock = extra.clock ?? new FakeClock();
  const called: number[] = [];
  const succeeded: number[] = [];
  const classify = ((result: { ok: boolean; value?: unknown }) => (result.ok ? verdict(result.value as number) : undefined)) as Classifier<number>;
  const run = createRun<number, number>({
    input: Array.from({ length: count }, (_, i) => i),
    source: 'rn',
    sources: { rn: { kind: 'rn', cap: 1 } },
    key: (item) => validInsz(item),
    call: async (item) => {
      called.push(item);
      return item;
    },
    onSuccess: (item) => void succeeded.push(item),
    classify,
    clock,
    calendar: NO_CALENDAR,
    announcement: TEST_ANNOUNCEMENT,
    rejectBudget: false,
    ...(extra.store === undefined ? {} : { store: extra.store }),
  });
  return { run, clock, called, succeeded };
}

async function failure(run: { start(): Promise<RunSummary>; state: string }, clock: FakeClock): Promise<RunFailedError> {
  const error = await runToEnd(clock, run).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(run.state).toBe('failed');
  expect(error).toBeInstanceOf(RunFailedError);
  return error as RunFailedError;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

describe('an invalid verdict fails the run with PROGRAMMER_ERROR', () => {
  const invalid: ReadonlyArray<[string, unknown, RegExp]> = [
    ["a typo of the class ({ class: 'rejected' })", { class: 'rejected', code: 'X', reason: 'no' }, /class must be one of 'success', 'reject', 'transient', 'fatal'.*\{ class: 'rejected'/],
    ['a string', 'reject', /expected an object.*got string.*'reject'/],
    ['0', 0, /expected an object.*got number.*gave 0$/],
    ['null', null, /expected an object.*got null.*gave null$/],
    ['false', false, /got boolean/],
    ['an object without class', { code: 'X', reason: 'y' }, /class must be one of/],
    ['a reject without code and reason', { class: 'reject' }, /code of a reject verdict must be a string/],
    ['a reject without reason', { class: 'reject', code: 'X' }, /reason of a reject verdict must be a string/],
    ['a fatal without code', { class: 'fatal', reason: 'why' }, /code of a fatal verdict must be a string/],
    ['a transient with a numeric code', { class: 'transient', code: 503, reason: 'busy' }, /code of a transient verdict must be a string/],
    ['a transient with retryAfterMs as text', { class: 'transient', code: 'BUSY', reason: 'busy', retryAfterMs: '5000' }, /retryAfterMs of a transient verdict must be a finite number/],
    ['a transient with a negative retryAfterMs', { class: 'transient', code: 'BUSY', reason: 'busy', retryAfterMs: -1 }, /retryAfterMs/],
    ['a transient with NaN retryAfterMs', { class: 'transient', code: 'BUSY', reason: 'busy', retryAfterMs: Number.NaN }, /retryAfterMs/],
    ['a success with a numeric code', { class: 'success', code: 200 }, /code of a success must be a string/],
    ['an array', ['success'], /class must be one of/],
  ];

  it.each(invalid)('%s', async (_name, verdict, problem) => {
    const { run, clock, called, succeeded } = verdictRun(6, (item) => (item === 3 ? verdict : undefined));
    const error = await failure(run, clock);
    expect(error.outcomeCode).toBe('PROGRAMMER_ERROR');
    // Names the item: its masked key and its position.
    expect(error.message).toContain(`item ${validInsz(3).slice(0, 2)}.${validInsz(3).slice(2, 4)}.${validInsz(3).slice(4, 6)}-***.**`);
    expect(error.message).toContain('position 3');
    expect(error.message).toMatch(problem);
    expect(error.message).not.toContain(validInsz(3));
    // Nothing after it was called; the item itself is not finished.
    expect(called).toEqual([0, 1, 2, 3]);
    expect(succeeded).toEqual([0, 1, 2]);
    const status = run.status();
    expect(status.totals.finished).toBe(3);
    expect(status.totals.read - status.totals.finished).toBeGreaterThanOrEqual(1);
    expect(unhandled).toEqual([]);
  });

  it('a verdict whose field getter throws', async () => {
    const hostile = {
      get class(): string {
        throw new Error('boom');
      },
    };
    const { run, clock } = verdictRun(3, (item) => (item === 1 ? hostile : undefined));
    const error = await failure(run, clock);
    expect(error.outcomeCode).toBe('PROGRAMMER_ERROR');
    expect(error.message).toMatch(/position 1.*reading its fields threw/);
    expect(unhandled).toEqual([]);
  });

  it('prints the value with national numbers masked and cut short', async () => {
    const nn = validInsz(42, '900101');
    const { run, clock } = verdictRun(2, () => ({ class: 'rejected', code: 'UNKNOWN', reason: `person ${nn} unknown ${'x'.repeat(5_000)}` }));
    const error = await failure(run, clock);
    expect(error.message).not.toContain(nn);
    expect(error.message).toContain('90.01.01-***.**');
    expect(error.message.length).toBeLessThan(600);
  });

  it('a classifier returning null does not crash the process: start() rejects, nothing is unhandled', async () => {
    const { run, clock } = verdictRun(4, () => null);
    const error = await failure(run, clock);
    expect(error.message).toMatch(/position 0.*got null/);
    expect(unhandled).toEqual([]);
  });

  it('a classifier that throws names the item', async () => {
    const { run, clock } = verdictRun(4, (item) => {
      if (item === 2) throw new Error('classifier bug');
      return undefined;
    });
    const error = await failure(run, clock);
    expect(error.outcomeCode).toBe('PROGRAMMER_ERROR');
    expect(error.message).toMatch(/classifier threw for item 85\.07\.30-\*\*\*\.\*\* \(position 2, source rn\): Error: classifier bug/);
  });
});

describe('every shape of Classification is accepted', () => {
  const valid: ReadonlyArray<[string, Classification | Record<string, unknown>, 'success' | 'reject']> = [
    ['a success', { class: 'success' }, 'success'],
    ['a success with a code', { class: 'success', code: 'NO_DATA_FOUND' }, 'success'],
    ['a success with code undefined', { class: 'success', code: undefined }, 'success'],
    ['a reject', { class: 'reject', code: 'UNKNOWN', reason: 'not known' }, 'reject'],
    ['a reject with an empty code and more fields', { class: 'reject', code: '', reason: '', detail: 1 }, 'reject'],
  ];

  it.each(valid)('%s', async (_name, verdict, outcome) => {
    const { run, clock } = verdictRun(5, () => verdict);
    const summary = await runToEnd(clock, run);
    expect(summary.state).toBe('completed');
    expect(summary.totals.finished).toBe(5);
    expect(outcome === 'success' ? summary.totals.succeeded : summary.totals.rejected).toBe(5);
  });

  it('a transient verdict, with or without retryAfterMs, is retried until exhausted', async () => {
    for (const verdict of [
      { class: 'transient', code: 'BUSY', reason: 'busy' },
      { class: 'transient', code: 'BUSY', reason: 'busy', retryAfterMs: 0 },
      { class: 'transient', code: 'BUSY', reason: 'busy', retryAfterMs: 2_500, retryAfterMsUndefined: undefined },
      { class: 'transient', code: 'BUSY', reason: 'busy', retryAfterMs: undefined },
    ]) {
      const { run, clock, called } = verdictRun(2, () => verdict);
      const summary = await runToEnd(clock, run);
      expect(summary.state).toBe('completed');
      expect(summary.totals.exhausted).toBe(2);
      expect(called).toHaveLength(10); // 5 attempts each
    }
  });

  it('a fatal verdict fails the run with its own code', async () => {
    const { run, clock } = verdictRun(3, () => ({ class: 'fatal', code: 'CREDENTIALS', reason: 'refused' }));
    const error = await failure(run, clock);
    expect(error.outcomeCode).toBe('CREDENTIALS');
  });
});

describe('an invalid verdict with a FileStore: nothing is lost, the item is called again on resume', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bcss-verdict-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fails on the bad verdict, keeps what was finished, and the resumed run finishes exactly the rest', async () => {
    const runDir = path.join(dir, 'run');
    const firstStore = await FileStore.open(runDir);
    const first = verdictRun(10, (item) => (item === 6 ? { class: 'rejected', code: 'X', reason: 'typo' } : item % 3 === 0 ? { class: 'reject', code: 'UNKNOWN', reason: 'not known' } : undefined), {
      store: firstStore,
    });
    const error = await failure(first.run, first.clock);
    await firstStore.close();
    expect(error.outcomeCode).toBe('PROGRAMMER_ERROR');
    expect(first.called).toEqual([0, 1, 2, 3, 4, 5, 6]);

    const secondStore = await FileStore.open(runDir);
    const second = verdictRun(10, (item) => (item % 3 === 0 ? { class: 'reject', code: 'UNKNOWN', reason: 'not known' } : undefined), { store: secondStore });
    const summary = await runToEnd(second.clock, second.run);
    await secondStore.close();
    expect(summary.state).toBe('completed');
    // Item 6 was not recorded by the failed run: called again. Items 0–5 were: not called again.
    expect(second.called).toEqual([6, 7, 8, 9]);
    expect(summary.totals.finished).toBe(10);
    expect(summary.totals.rejected).toBe(4); // 0, 3, 6, 9
    expect(summary.totals.succeeded).toBe(6);
    expect([...first.succeeded, ...second.succeeded].sort((a, b) => a - b)).toEqual([1, 2, 4, 5, 7, 8]);
  });
});
