/**
 * The input is checked at the level of the iteration protocol: a `Symbol.iterator` that is not
 * a function is a ConfigError when the options are checked; anything that breaks the protocol
 * later (a method changed after createRun, an iterator without `next`, a `next()` that gives a
 * non-object) fails the run with INPUT_ERROR: start() rejects, never a raw TypeError, never an
 * endless stream of `undefined` items.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, createRun, RunFailedError, type RunOptions } from 'bcss-bulk';
import { FakeClock } from 'bcss-bulk/testing';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

const NO_CALENDAR = { enforce: false, override: { reason: 'unit test against a fake service, not the BCSS' } } as const;

function runOver(input: unknown, clock = new FakeClock()) {
  const calls: unknown[] = [];
  const options: RunOptions<unknown, unknown> = {
    input: input as Iterable<unknown>,
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    call: async (item) => {
      calls.push(item);
      return item;
    },
    clock,
    calendar: NO_CALENDAR,
    announcement: TEST_ANNOUNCEMENT,
  };
  return { options, calls, clock, create: () => createRun(options) };
}

/** Starts the run and drives its clock until it ends, or until it has made 50 calls (an endless stream of undefined items). */
async function outcome(input: unknown): Promise<{ error: unknown; calls: unknown[]; read: number }> {
  const { create, calls, clock } = runOver(input);
  const run = create();
  let started: Promise<unknown>;
  try {
    started = run.start();
  } catch (error) {
    return { error: new Error(`start() threw synchronously: ${String(error)}`), calls, read: 0 };
  }
  const settled = started.then(
    () => undefined,
    (error: unknown) => error,
  );
  await clock.runUntil(() => ['completed', 'failed', 'stopped'].includes(run.state) || calls.length >= 50);
  if (calls.length >= 50) await run.stop();
  return { error: await settled, calls, read: run.status().totals.read };
}

function expectInputError(error: unknown, message: RegExp): void {
  expect(error).toBeInstanceOf(RunFailedError);
  expect(error).toMatchObject({ code: 'RUN_FAILED', outcomeCode: 'INPUT_ERROR' });
  expect((error as Error).message).toMatch(message);
}

describe('input checked when the options are', () => {
  it.each([
    ['Symbol.iterator is a number', { [Symbol.iterator]: 5 }, /input\[Symbol\.iterator\] must be a function, got number/],
    ['Symbol.iterator is a string', { [Symbol.iterator]: 'values' }, /input\[Symbol\.iterator\] must be a function, got string/],
    ['Symbol.asyncIterator is an object', { [Symbol.asyncIterator]: {} }, /input\[Symbol\.asyncIterator\] must be a function, got object/],
    ['no iterator method at all', { length: 3 }, /expected an Iterable or an AsyncIterable/],
    ['a getter of Symbol.iterator that throws', { get [Symbol.iterator]() { throw new Error('no'); } }, /reading the input's iterator method threw: Error: no/],
  ])('%s: createRun throws a ConfigError on input', (_name, input, message) => {
    const { create } = runOver(input);
    let thrown: unknown;
    try {
      create();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues).toEqual([{ path: ['input'], message: expect.stringMatching(message) }]);
  });

  it('an async iterable whose Symbol.asyncIterator is null is read through Symbol.iterator, as for await does', async () => {
    const input = { [Symbol.asyncIterator]: null, *[Symbol.iterator]() { yield 1; yield 2; } };
    const { error, calls } = await outcome(input);
    expect(error).toBeUndefined();
    expect(calls).toEqual([1, 2]);
  });
});

describe('the protocol broken at run time fails the run with INPUT_ERROR', () => {
  it('Symbol.iterator replaced by a non-function after createRun: start() rejects (no raw TypeError)', async () => {
    const input: Record<symbol, unknown> = { *[Symbol.iterator]() { yield 1; } };
    const { create, clock } = runOver(input);
    const run = create();
    input[Symbol.iterator] = 42;
    const started = run.start(); // must not throw
    const settled = started.then(() => undefined, (error: unknown) => error);
    await clock.runUntil(() => run.state === 'failed' || run.state === 'completed');
    expectInputError(await settled, /input\[Symbol\.iterator\] must be a function, got number/);
  });

  it('Symbol.iterator returns a non-object', async () => {
    const { error, calls } = await outcome({ [Symbol.iterator]: () => 7 });
    expectInputError(error, /input\[Symbol\.iterator\]\(\) returned 7, not an iterator object/);
    expect(calls).toEqual([]);
  });

  it('Symbol.iterator throws', async () => {
    const { error } = await outcome({
      [Symbol.iterator]: () => {
        throw new Error('cannot open 85073003328.csv');
      },
    });
    expectInputError(error, /input\[Symbol\.iterator\]\(\) threw: Error: cannot open 85\.07\.30-\*\*\*\.\*\*\.csv/);
  });

  it('the iterator has no next function', async () => {
    const { error } = await outcome({ [Symbol.iterator]: () => ({ next: 5 }) });
    expectInputError(error, /the iterator's next must be a function, got 5/);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 3],
    ['a string', 'item'],
  ])('next() returns %s: no endless stream of undefined items', async (_name, result) => {
    let nexts = 0;
    const { error, calls, read } = await outcome({ [Symbol.iterator]: () => ({ next: () => (nexts++ === 0 ? { done: false, value: 'first' } : result) }) });
    expectInputError(error, /broke the iteration protocol at item #1: next\(\) gave .*, not an object \{ done, value \}/);
    expect(calls.length).toBeLessThanOrEqual(1);
    expect(read).toBe(1);
  });

  it('an async iterator whose next() resolves to a non-object', async () => {
    let nexts = 0;
    const { error, calls } = await outcome({ [Symbol.asyncIterator]: () => ({ next: async () => (nexts++ < 2 ? { done: false, value: nexts } : undefined) }) });
    expectInputError(error, /at item #2: next\(\) gave undefined/);
    expect(calls.length).toBeLessThanOrEqual(2);
  });

  it('an async iterator whose next() returns a non-object without a promise', async () => {
    const { error } = await outcome({ [Symbol.asyncIterator]: () => ({ next: () => 0 }) });
    expectInputError(error, /at item #0: next\(\) gave 0/);
  });

  it('an iterator result whose done getter throws', async () => {
    const { error } = await outcome({
      [Symbol.iterator]: () => ({
        next: () => ({
          get done(): boolean {
            throw new Error('torn');
          },
        }),
      }),
    });
    expectInputError(error, /at item #0: reading its result threw: Error: torn/);
  });

  it('an iterator that throws: INPUT_ERROR naming the item it stopped at, the error as cause', async () => {
    const cause = new Error('disk gone');
    const { error } = await outcome(
      (function* () {
        yield 'a';
        yield 'b';
        throw cause;
      })(),
    );
    expectInputError(error, /Reading the input failed at item #2: Error: disk gone/);
    expect((error as Error).cause).toBe(cause);
  });

  it('done is read as for…of reads it (truthy ends the input)', async () => {
    let i = 0;
    const { error, calls } = await outcome({ [Symbol.iterator]: () => ({ next: () => (i < 2 ? { done: 0, value: i++ } : { done: 1 }) }) });
    expect(error).toBeUndefined();
    expect(calls).toEqual([0, 1]);
  });
});
