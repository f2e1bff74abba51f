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
import { resolveRunCalendar, type RunCalendarConfig } from '../calendar/run-calendar.js';
import { z } from 'zod';
import { parseOptions, positiveInt } from '../util/options.js';
import { assertReadableOptions } from '../util/options-guard.js';
import type { RunEvents } from '../engine/events.js';
import type { Detach, ObservedRun, RunObserver } from '../engine/observed-run.js';
import { detachOnce, OneRun } from './attach.js';
import type { RunStatus } from '../engine/status.js';
import type { RunState } from '../engine/state-machine.js';
import { throughputOf, estimateFinish, type ProgressSample } from './progress-eta.js';

/** What the progress tracker, the renderer and the metrics need of a run: its status and its events (a {@link BulkRun} has them). */
export type StatusSource = Pick<ObservedRun, 'status' | 'on'>;

export { throughputOf, estimateFinish } from './progress-eta.js';
export type { ProgressSample, FinishEstimate, FinishEstimateInput } from './progress-eta.js';

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

/** Options of {@link progressTracker}. */
export interface ProgressOptions {
  /**
   * Items in the input, when known.
   * @defaultValue unknown until the input has been read to its end
   */
  readonly total?: number;
  /**
   * Items of each source in the input, when known (for the per-source bars).
   * @defaultValue unknown per source (a run of one source takes `total`)
   */
  readonly sourceTotals?: Readonly<Record<string, number>>;
  /**
   * Length of the moving window of the throughput, in ms.
   * @defaultValue `300_000` (5 minutes)
   */
  readonly windowMs?: number;
  /**
   * The run's calendar options (the same as given to `createRun`), or `null` for calls at any
   * time. A calendar with `enforce: false` is none.
   * @defaultValue the BCSS calendar
   */
  readonly calendar?: RunCalendarConfig | null;
}

/**
 * A progress tracker made by {@link progressTracker}: attach it to one run with
 * `attach(run, progress)`; the {@link Detach} stops its sampling.
 */
export interface ProgressTrackerObserver extends RunObserver {
  /**
   * The progress now (polls `run.status()`, which also counts as a sample while the run runs);
   * after detaching, the status still comes from the run, with no more samples taken by events.
   *
   * @throws {BcssBulkError} `OBSERVER_NOT_ATTACHED` before `attach`.
   */
  snapshot(): ProgressSnapshot;
}

/**
 * A tracker attached to a run, as {@link trackProgress} returns it.
 *
 * @deprecated use `attach(run, progressTracker(options))`: the {@link ProgressTrackerObserver}
 *   has the same `snapshot()`, and the returned {@link Detach} replaces `stop()`.
 */
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
  return resolveRunCalendar(config, 'progress options');
}

const FINAL_STATES: ReadonlySet<RunState> = new Set(['stopped', 'completed', 'failed']);
/** States of a stretch of work: running, and the drain that ends it (the calls in flight as the window closes still finish items). */
const STRETCH_STATES: ReadonlySet<RunState> = new Set(['running', 'draining']);

/** Progress of one source from its status. */
function sourceProgress(status: RunStatus['sources'][string], total: number | undefined): SourceProgress {
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

const progressOptionsSchema = z.object({
  total: z.number().int().nonnegative().optional(),
  sourceTotals: z.record(z.string(), z.number().int().nonnegative()).optional(),
  windowMs: positiveInt.optional(),
  calendar: z.unknown().optional(),
});

/** Tracker options, checked and resolved: the window of the rate and the calendar of the ETA. */
export interface ResolvedProgressOptions {
  readonly total: number | undefined;
  readonly sourceTotals: Readonly<Record<string, number>> | undefined;
  readonly windowMs: number;
  readonly calendar: OfficeCalendar | undefined;
}

/**
 * Checks tracker options (as part of `what`, e.g. a progress bar's options) and resolves them.
 *
 * @throws {ConfigError} a malformed field, with its path (the calendar's under `calendar`).
 */
export function resolveProgressOptions(options: ProgressOptions, what = 'progress options'): ResolvedProgressOptions {
  parseOptions(progressOptionsSchema, options, what);
  return { total: options.total, sourceTotals: options.sourceTotals, windowMs: options.windowMs ?? DEFAULT_WINDOW_MS, calendar: resolveProgressCalendar(options.calendar) };
}

/**
 * A progress tracker for one run: attach it with `attach(run, progress)`. It samples `finished`
 * at each `progress` event, at each state change into `running` and out of a stretch of work
 * (`running`, and `draining` as the window closes), and at each
 * {@link ProgressTrackerObserver.snapshot} call during such a stretch. Its listeners never throw
 * and do no I/O. The {@link Detach} removes its listeners.
 *
 * @example
 * ```ts
 * const progress = progressTracker({ total: 4_000 });
 * const off = attach(run, progress);
 * const { finished, eta } = progress.snapshot();
 * ```
 *
 * @throws {ConfigError} malformed options, and calendar options that do not parse (as `createRun` would).
 */
export function progressTracker(options: ProgressOptions = {}): ProgressTrackerObserver {
  assertReadableOptions(options, 'progress options');
  const resolved = resolveProgressOptions(options);
  const attachment = new OneRun<ProgressTracker>('progress tracker');
  return {
    attach(run: ObservedRun): Detach {
      const tracker = attachment.begin(() => followProgress(run, resolved));
      return detachOnce(() => tracker.stop());
    },
    snapshot: () => attachment.require().snapshot(),
  };
}

/**
 * Follows a run's progress from outside (see {@link progressTracker}).
 *
 * @deprecated use `const off = attach(run, progressTracker(options))`; `off()` replaces `stop()`.
 * @throws {RangeError} a `windowMs` that is not more than 0.
 * @throws {ConfigError} calendar options that do not parse (as `createRun` would).
 */
export function trackProgress(run: StatusSource, options: ProgressOptions = {}): ProgressTracker {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`windowMs: expected a duration of more than 0 ms, got ${windowMs}`);
  const calendar = resolveProgressCalendar(options.calendar);
  return followProgress(run, { total: options.total, sourceTotals: options.sourceTotals, windowMs, calendar });
}

/** The tracker itself, on resolved options: listens to the run until `stop()`. */
export function followProgress(run: StatusSource, options: ResolvedProgressOptions): ProgressTracker {
  const { windowMs, calendar } = options;
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
