/**
 * Runs a job under fake timers (vitest's `vi.useFakeTimers()`, or `@sinonjs/fake-timers`
 * directly): fake time jumps to the next timer only when the code under test and the I/O it
 * started are idle, exactly as {@link FakeClock.runUntilSettled} does on a `FakeClock`. The run
 * then needs no clock of its own: its default clock reads `Date.now()` and sets `setTimeout`,
 * which the fake timers own.
 */
import { driveUntilSettled, waitForIdle, type IdleOptions } from '../util/io-idle.js';
import type { RunUntilSettledOptions } from '../util/fake-clock.js';

/** vitest's `vi` (after `vi.useFakeTimers()`), or anything with these two methods. */
export interface VitestTimers {
  /** Fires the next timer, moving fake time to it, and lets promise callbacks run. */
  advanceTimersToNextTimerAsync(): Promise<unknown>;
  /** Number of fake timers pending. */
  getTimerCount(): number;
}

/** A clock of `@sinonjs/fake-timers` (`FakeTimers.install()`), or anything with these two methods. */
export interface SinonTimers {
  /** Fires the next timer, moving fake time to it, and lets promise callbacks run. */
  nextAsync(): Promise<unknown>;
  /** Number of fake timers pending. */
  countTimers(): number;
}

/** The fake timers {@link runWithFakeTimers} drives. */
export type FakeTimers = VitestTimers | SinonTimers;

/** Options of {@link runWithFakeTimers}. */
export interface RunWithFakeTimersOptions extends RunUntilSettledOptions, IdleOptions {}

function driver(timers: FakeTimers): { next: () => Promise<unknown>; count: () => number } {
  if ('advanceTimersToNextTimerAsync' in timers && typeof timers.advanceTimersToNextTimerAsync === 'function') {
    return { next: () => timers.advanceTimersToNextTimerAsync(), count: () => timers.getTimerCount() };
  }
  if ('nextAsync' in timers && typeof timers.nextAsync === 'function') {
    return { next: () => timers.nextAsync(), count: () => timers.countTimers() };
  }
  throw new TypeError('runWithFakeTimers: expected vitest\'s `vi` (advanceTimersToNextTimerAsync, getTimerCount) or a @sinonjs/fake-timers clock (nextAsync, countTimers)');
}

/** Names of the microtask queues the fake timers replaced (Node's own I/O needs them real). */
function fakedMicrotasks(): string[] {
  const faked: string[] = [];
  if ((process.nextTick as { clock?: unknown }).clock !== undefined) faked.push('nextTick');
  if ((globalThis.queueMicrotask as { clock?: unknown }).clock !== undefined) faked.push('queueMicrotask');
  return faked;
}

/**
 * Drives fake timers until `promise` settles and returns its value (or throws its error): waits
 * until the code under test and the I/O it started are idle (no promise callback, no file or
 * network request in flight), fires the next fake timer, and again. A call of 5 s takes exactly
 * 5 s of fake time, however long the disk takes.
 *
 * ```ts
 * vi.useFakeTimers({ now: new Date('2026-11-24T15:00:00Z') });
 * const summary = await runWithFakeTimers(vi, run.start());
 * ```
 *
 * @param timers vitest's `vi` after `vi.useFakeTimers()`, or a `@sinonjs/fake-timers` clock.
 * @throws {TypeError} when `timers` is neither, or when `process.nextTick` or `queueMicrotask`
 * is faked (`FakeTimers.install()` fakes them by default; Node's streams and file handles need
 * them real: install with `toFake` without them, as vitest does).
 * @throws {Error} when the promise is still pending while no fake timer is pending and nothing is
 * in flight for `stuckAfterMs` of real time, after `maxTimers` timers, or when the I/O stays busy
 * longer than `ioTimeoutMs`.
 */
export async function runWithFakeTimers<V>(timers: FakeTimers, promise: PromiseLike<V>, options: RunWithFakeTimersOptions = {}): Promise<V> {
  const { next, count } = driver(timers);
  const faked = fakedMicrotasks();
  if (faked.length > 0) {
    throw new TypeError(
      `runWithFakeTimers: ${faked.join(' and ')} ${faked.length > 1 ? 'are' : 'is'} faked; Node's own streams and file handles need them real (work queued on them is lost when the fake timers are uninstalled). Install the fake timers without them, as vitest does: FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'hrtime', 'performance'] })`,
    );
  }
  return driveUntilSettled(promise, { idle: () => waitForIdle(options), pending: count, fireNext: next }, { who: 'runWithFakeTimers', noTimer: 'no fake timer is pending' }, options);
}
