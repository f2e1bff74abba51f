/**
 * The maths of progress (pure): the throughput over a moving window of samples, and the ETA that
 * spends the remaining work through the allowed windows still to come.
 */
import type { OfficeCalendar } from '../calendar/calendar.js';
import { addAllowedTime } from '../calendar/windows.js';

/** One sample of a run's finished items. Samples of one `segment` were taken during one uninterrupted stretch of `running`. */
export interface ProgressSample {
  /** Instant of the sample (ms since epoch). */
  readonly at: number;
  /** Items finished at that instant. */
  readonly finished: number;
  /** Stretch of `running` the sample belongs to; the time between two stretches (a night, a pause) is not counted. */
  readonly segment: number;
}

/**
 * Items finished per second over the moving window ending at the last sample: the items finished
 * between consecutive samples of the same segment, divided by the time between them, for the
 * pairs whose first sample lies within `windowMs` of the last sample. Time between segments
 * (the run waiting for its window, or paused) counts for nothing, so a night does not drag the
 * rate, and while the run waits the rate is the one measured at the end of its last window. As
 * a window opens, until two samples of the new stretch exist, the rate is the previous stretch's.
 *
 * @returns `undefined` when no two samples of a segment lie in the window (nothing measured yet).
 */
export function throughputOf(samples: readonly ProgressSample[], windowMs: number): number | undefined {
  let end = samples.length;
  while (end > 0) {
    const last = samples[end - 1]!;
    const from = last.at - windowMs;
    let items = 0;
    let time = 0;
    for (let i = end - 1; i > 0; i--) {
      const b = samples[i]!;
      const a = samples[i - 1]!;
      if (a.at < from) break;
      if (a.segment !== b.segment) continue;
      items += b.finished - a.finished;
      time += b.at - a.at;
    }
    if (time > 0) return (items * 1000) / time;
    // Nothing measured yet in the stretch that just began: the rate of the stretch before it.
    while (end > 0 && samples[end - 1]!.segment === last.segment) end--;
  }
  return undefined;
}

/** Input of {@link estimateFinish}. */
export interface FinishEstimateInput {
  /** Items left to finish. */
  readonly remaining: number;
  /** Items finished per second while calls are allowed (more than 0). */
  readonly throughputPerSecond: number;
  /** From when (ms since epoch or Date): now, or while the run waits, now too (the wait is skipped as forbidden time). */
  readonly from: Date | number;
  /** The calendar whose office hours and blackouts stop the calls; `undefined` for calls at any time. */
  readonly calendar: OfficeCalendar | undefined;
}

/** When the remaining work should be done. */
export interface FinishEstimate {
  /** The expected end, rounded up to the whole second. */
  readonly eta: Date;
  /** Allowed time the remaining work needs (remaining ÷ throughput), in ms, rounded up to the ms. */
  readonly neededMs: number;
  /** Allowed windows still to be used, the current one included (0 when nothing is left). */
  readonly windowsLeft: number;
}

/**
 * The ETA that accounts for the windows still to come: the allowed time the remaining items
 * need (remaining ÷ throughput) spent through {@link addAllowedTime} from `from`, so that 3 h of
 * work at 06:00 on a Tuesday ends at 18:00 (2 h before 08:00, 1 h from 17:00), not at 09:00.
 *
 * @throws {RangeError} a negative remaining count, or a throughput that is not more than 0.
 */
export function estimateFinish(input: FinishEstimateInput): FinishEstimate {
  const { remaining, throughputPerSecond, from, calendar } = input;
  if (!Number.isFinite(remaining) || remaining < 0) throw new RangeError(`expected 0 or more items remaining, got ${remaining}`);
  if (!Number.isFinite(throughputPerSecond) || throughputPerSecond <= 0) throw new RangeError(`expected a throughput of more than 0 items per second, got ${throughputPerSecond}`);
  const neededMs = Math.ceil((remaining * 1000) / throughputPerSecond);
  const end = addAllowedTime(calendar, from, neededMs);
  return { eta: new Date(Math.ceil(end.end.getTime() / 1000) * 1000), neededMs, windowsLeft: end.windows };
}
