/**
 * Time, injected. The engine never reads `Date.now()` or calls `setTimeout` itself: it asks a
 * {@link Clock}, so tests (ours and our users') can run hours of schedule in milliseconds with
 * the fake clock of `bcss-bulk/testing`.
 */
import { TimerLists } from './timer-lists.js';

/** Opaque handle of a timer set on a {@link Clock}. */
export type TimerHandle = unknown;

/** The source of time and timers used by a run. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `callback` once, `ms` milliseconds from now. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; cancelling a timer that already fired does nothing. */
  clearTimeout(handle: TimerHandle): void;
}

const timers = new TimerLists();

/**
 * The real clock: `Date.now()` and Node's timers, grouped by delay so that the timeout a run
 * sets and cancels for every call costs little (unref'd timers are not used: a run keeps the
 * process alive).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => timers.set(callback, ms),
  clearTimeout: (handle) => timers.clear(handle),
};
