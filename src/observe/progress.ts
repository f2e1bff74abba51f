/**
 * Progress of a run, followed from outside: counts per source and outcome, the throughput over
 * a moving window, and an ETA that spends the remaining work through the allowed windows still
 * to come (nights, weekends), not a naive "remaining ÷ rate from now".
 *
 * The maths are pure functions ({@link throughputOf}, {@link estimateFinish}); {@link trackProgress}
 * attaches to a run, takes samples of `finished` while the run is `running` (at each `progress`
 * event, state change and {@link ProgressTracker.snapshot} call), and builds {@link ProgressSnapshot}s.
 */
import { OfficeCalendar } from '../calendar/calendar.js';
import { runCalendarSchema, type RunCalendarConfig } from '../calendar/run-calendar.js';
import { ConfigError } from '../util/errors.js';
import type { RunEvents } from '../engine/events.js';
import type { ObservedRun } from '../engine/observed-run.js';
import type { RunStatus } from '../engine/status.js';
import type { SourceStatus } from '../engine/source-lane.js';
import type { RunState } from '../engine/state-machine.js';
import { addAllowedTime } from '../calendar/windows.js';

/** What the progress tracker, the renderer and the metrics need of a run: its status and its events (a {@link BulkRun} has them). */
export type StatusSource = Pick<ObservedRun, 'status' | 'on'>;

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

/** Counts of one source in a {@link ProgressSnapshot}. */
export interface SourceProgress {
  readonly succeeded: number;
  readonly rejected: number;
  readonly exhausted: number;
  /** succeeded + rejected + exhausted. */
  readonly finished: number;
  readonly inFlight: number;
  readonly queued: number;
  readonly retrying: number;
  readonly cap: number;
  /** The items of this source in the input, when given (`sourceTotals`, or `total` for a run of one source), or once the input has been read to its end; otherwise `undefined`. */
  readonly total: number | undefined;
}

/** A run's progress at an instant. */
export interface ProgressSnapshot {
  /** Instant of the snapshot (ms since epoch). */
  readonly at: number;
  readonly state: RunState;
  /** The run's status the snapshot was made from. */
  readonly status: RunStatus;
  readonly sources: Readonly<Record<string, SourceProgress>>;
  /** Items finished (succeeded + rejected + exhausted). */
  readonly finished: number;
  /** Items in the input: `total` when given, the items read once the input is exhausted, else `undefined`. */
  readonly total: number | undefined;
  /** total − finished; `undefined` while the total is unknown. */
  readonly remaining: number | undefined;
  /** Finished items per second over the moving window (see {@link throughputOf}); `undefined` before two samples of a running stretch. */
  readonly throughputPerSecond: number | undefined;
  /** Expected end (see {@link estimateFinish}); `undefined` without a total or a throughput. The end itself once the run is final. */
  readonly eta: Date | undefined;
  /** Allowed windows still to be used; `undefined` when there is no ETA. */
  readonly windowsLeft: number | undefined;
  /** While the run waits for its window: when it opens (ms since epoch). */
  readonly nextWindowAt: number | undefined;
}

/** Options of {@link trackProgress}. */
export interface ProgressOptions {
  /** Items in the input, when known. */
  readonly total?: number;
  /** Items of each source in the input, when known (for the per-source bars). */
  readonly sourceTotals?: Readonly<Record<string, number>>;
  /** Length of the moving window of the throughput, in ms (default 5 minutes). */
  readonly windowMs?: number;
  /**
   * The run's calendar options (the same as given to `createRun`; default the BCSS calendar), or
   * `null` for calls at any time. A calendar with `enforce: false` is none.
   */
  readonly calendar?: RunCalendarConfig | null;
}

/** A tracker attached to a run. */
export interface ProgressTracker {
  /** The progress now (polls `run.status()`, which also counts as a sample while the run runs). */
  snapshot(): ProgressSnapshot;
  /** Detaches from the run. */
  stop(): void;
}

const DEFAULT_WINDOW_MS = 5 * 60_000;
/** Samples older than this many windows (from the end of their stretch) are dropped: the rate only looks one window back. */
const KEEP_WINDOWS = 2;

/**
 * The calendar of tracker options: the BCSS calendar by default, none for `null` or `enforce: false`.
 *
 * @throws {ConfigError} options that do not parse, each issue with its path under `calendar`.
 */
export function resolveProgressCalendar(config: RunCalendarConfig | null | undefined): OfficeCalendar | undefined {
  if (config === null) return undefined;
  const result = runCalendarSchema.safeParse(config ?? {});
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => ({ path: ['calendar', ...issue.path], message: issue.message })), 'progress options');
  const resolved = result.data;
  if (!resolved.enforce) return undefined;
  return new OfficeCalendar({ timeZone: resolved.timeZone, officeHours: resolved.officeHours, holidaysAreFree: resolved.holidaysAreFree, blackouts: resolved.blackouts });
}

const FINAL_STATES: ReadonlySet<RunState> = new Set(['stopped', 'completed', 'failed']);
/** States of a stretch of work: running, and the drain that ends it (the calls in flight as the window closes still finish items). */
const STRETCH_STATES: ReadonlySet<RunState> = new Set(['running', 'draining']);

/** Progress of one source from its status. */
function sourceProgress(status: SourceStatus, total: number | undefined): SourceProgress {
  return {
    succeeded: status.succeeded,
    rejected: status.rejected,
    exhausted: status.exhausted,
    finished: status.succeeded + status.rejected + status.exhausted,
    inFlight: status.inFlight,
    queued: status.queued,
    retrying: status.retrying,
    cap: status.cap,
    total,
  };
}

/**
 * Builds a snapshot from a status and the samples so far (pure). The ETA is the end itself once
 * the run is final, and is computed from `status.at` otherwise.
 */
export function progressSnapshot(
  status: RunStatus,
  samples: readonly ProgressSample[],
  options: { readonly total?: number; readonly sourceTotals?: Readonly<Record<string, number>>; readonly windowMs: number; readonly calendar: OfficeCalendar | undefined },
): ProgressSnapshot {
  const finished = status.totals.finished;
  const total = options.total ?? (status.inputExhausted ? status.totals.read : undefined);
  const sources: Record<string, SourceProgress> = {};
  const names = Object.keys(status.sources);
  for (const [name, source] of Object.entries(status.sources)) {
    const seen = source.succeeded + source.rejected + source.exhausted + source.inFlight + source.queued + source.retrying;
    // A single source has all the items: the run's total is its total.
    const sourceTotal = options.sourceTotals?.[name] ?? (names.length === 1 ? options.total : undefined);
    sources[name] = sourceProgress(source, sourceTotal ?? (status.inputExhausted ? seen : undefined));
  }
  const remaining = total === undefined ? undefined : Math.max(0, total - finished);
  const throughput = throughputOf(samples, options.windowMs);
  let eta: Date | undefined;
  let windowsLeft: number | undefined;
  if (FINAL_STATES.has(status.state)) {
    eta = new Date(status.at);
    windowsLeft = 0;
  } else if (remaining !== undefined && throughput !== undefined && throughput > 0) {
    const estimate = estimateFinish({ remaining, throughputPerSecond: throughput, from: status.at, calendar: options.calendar });
    eta = estimate.eta;
    windowsLeft = estimate.windowsLeft;
  }
  return {
    at: status.at,
    state: status.state,
    status,
    sources,
    finished,
    total,
    remaining,
    throughputPerSecond: throughput,
    eta,
    windowsLeft,
    nextWindowAt: status.nextWindowAt,
  };
}

/**
 * Follows a run's progress from outside: samples `finished` at each `progress` event, at each
 * state change into `running` and out of a stretch of work (`running`, and `draining` as the
 * window closes), and at each {@link ProgressTracker.snapshot} call during such a stretch. Its
 * listeners never throw and do no I/O.
 *
 * @throws {ConfigError} calendar options that do not parse (as `createRun` would).
 */
export function trackProgress(run: StatusSource, options: ProgressOptions = {}): ProgressTracker {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`windowMs: expected a duration of more than 0 ms, got ${windowMs}`);
  const calendar = resolveProgressCalendar(options.calendar);
  const samples: ProgressSample[] = [];
  let segment = 0;
  let inStretch = false;

  const sample = (status: RunStatus): void => {
    if (!inStretch) return;
    samples.push({ at: status.at, finished: status.totals.finished, segment });
    prune(status.at);
  };
  /** Keeps what the rate may look at: the current stretch's last windows, and the previous stretch's (its rate is the fallback). */
  const prune = (now: number): void => {
    const keep = KEEP_WINDOWS * windowMs;
    let previousEnd = Number.NEGATIVE_INFINITY;
    for (const s of samples) if (s.segment === segment - 1) previousEnd = s.at;
    let kept = 0;
    for (const s of samples) {
      const wanted = s.segment === segment ? s.at >= now - keep : s.segment === segment - 1 && s.at >= previousEnd - keep;
      if (wanted) samples[kept++] = s;
    }
    samples.length = kept;
  };
  const onState = (change: RunEvents['state']): void => {
    if (change.to === 'running' && !inStretch) {
      inStretch = true;
      segment++;
      sample(run.status());
    } else if (inStretch && !STRETCH_STATES.has(change.to)) {
      // The last sample of the stretch: the finished items up to the change, then the stretch ends.
      sample(run.status());
      inStretch = false;
    }
  };
  const onProgress = (status: RunStatus): void => {
    if (inStretch) sample(status);
  };
  const unsubscribe = [run.on('state', onState), run.on('progress', onProgress)];
  inStretch = STRETCH_STATES.has(run.status().state);
  if (inStretch) {
    segment++;
    sample(run.status());
  }

  return {
    snapshot(): ProgressSnapshot {
      const status = run.status();
      if (STRETCH_STATES.has(status.state)) sample(status);
      return progressSnapshot(status, samples, {
        total: options.total,
        sourceTotals: options.sourceTotals,
        windowMs,
        calendar,
      });
    },
    stop(): void {
      for (const off of unsubscribe.splice(0)) off();
    },
  };
}
