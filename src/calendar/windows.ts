/**
 * The allowed windows of a calendar — the stretches between the end of office hours (or of a
 * blackout) and the start of the next — and how much allowed time a batch consumes. Pure
 * functions over an {@link OfficeCalendar}; the capacity plan and the progress ETA build on them.
 */
import type { OfficeCalendar } from './calendar.js';

/** One allowed window: calls may run from `start` (inclusive) to `end` (exclusive), in ms since epoch. */
export interface AllowedWindow {
  readonly start: number;
  /** `Infinity` when nothing ever closes it (no office day and no blackout ahead, or no calendar). */
  readonly end: number;
}

/**
 * The allowed windows from `from` on, in order: the first is the one containing `from` (cut to
 * start at `from`) or the next to open. Without a calendar (calls allowed at any time) there is
 * one window that never closes.
 */
export function* allowedWindows(calendar: OfficeCalendar | undefined, from: Date | number): Generator<AllowedWindow> {
  let start = calendar === undefined ? +from : calendar.nextAllowedStart(from).getTime();
  for (;;) {
    const end = calendar === undefined ? Number.POSITIVE_INFINITY : calendar.nextOfficeHoursStart(start).getTime();
    yield { start, end };
    if (!Number.isFinite(end)) return;
    start = calendar!.nextAllowedStart(end).getTime();
  }
}

/** Where a stretch of allowed time ends: the instant and how many windows it touches. */
export interface AllowedTimeEnd {
  /** The instant the `durationMs` of allowed time is used up. */
  readonly end: Date;
  /** Allowed windows used, the partial last one included (0 for a zero duration). */
  readonly windows: number;
}

/**
 * Spends `durationMs` of allowed time from `from`: skips office hours and blackouts, and says
 * when the time is used up and over how many windows (nights, weekends).
 *
 * @throws {RangeError} a negative or non-finite duration.
 */
export function addAllowedTime(calendar: OfficeCalendar | undefined, from: Date | number, durationMs: number): AllowedTimeEnd {
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new RangeError(`expected a duration of 0 ms or more, got ${durationMs}`);
  let left = durationMs;
  let windows = 0;
  for (const window of allowedWindows(calendar, from)) {
    if (left === 0) return { end: new Date(window.start), windows };
    windows++;
    const length = window.end - window.start;
    if (left <= length) return { end: new Date(window.start + left), windows };
    left -= length;
  }
  throw new Error('bcss-bulk internal error: the windows ran out');
}

/** Allowed time between two instants, in ms (office hours and blackouts excluded). */
export function allowedTimeBetween(calendar: OfficeCalendar | undefined, from: Date | number, to: Date | number): number {
  const until = +to;
  let total = 0;
  for (const window of allowedWindows(calendar, from)) {
    if (window.start >= until) break;
    total += Math.min(window.end, until) - window.start;
  }
  return total;
}
