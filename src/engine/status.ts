/**
 * What a run tells about itself: the snapshot {@link RunStatus} (`run.status()`), its totals,
 * and the {@link RunSummary} that `start()` resolves with. Types only: the observers, the
 * events and the engine all read them from here.
 */
import type { SourceStatus } from './source-lane.js';
import type { ControlOrigin, PauseReason, RunState } from './state-machine.js';

/** Who paused a run, when, and why (see {@link RunStatus.pausedBy}). */
export interface PausedBy {
  readonly origin: ControlOrigin;
  /** Instant of the pause (ms since epoch). */
  readonly at: number;
  /** Why, in the words of whoever paused it, when given. */
  readonly reason?: string;
}

/** Totals of a {@link RunStatus}, summed over the sources. */
export interface RunTotals {
  /** Items read from the input so far. */
  readonly read: number;
  readonly inFlight: number;
  readonly queued: number;
  readonly retrying: number;
  readonly succeeded: number;
  readonly rejected: number;
  readonly exhausted: number;
  /** Items finished: succeeded + rejected + exhausted. */
  readonly finished: number;
  readonly attempts: number;
  readonly retries: number;
}

/** A snapshot of a run. */
export interface RunStatus {
  readonly state: RunState;
  /** Why the run is paused, while it is. */
  readonly pauseReason: PauseReason | undefined;
  /** While paused by `pause()` (from the code, a command, a signal) or an institution-wide pause: who paused it, when, and why. */
  readonly pausedBy?: PausedBy | undefined;
  /** When a scheduled resumption will happen (ms since epoch), if one is scheduled. */
  readonly resumesAt: number | undefined;
  /** Instant of the snapshot (ms since epoch). */
  readonly at: number;
  readonly startedAt: number | undefined;
  /** True once every item of the input has been read. */
  readonly inputExhausted: boolean;
  readonly totals: RunTotals;
  readonly sources: Readonly<Record<string, SourceStatus>>;
  /** Finished items per second over the last minute. */
  readonly ratePerSecond: number;
  /** While the run waits for its office-hours window (or drains before waiting): when calls resume by themselves (ms since epoch). */
  readonly nextWindowAt: number | undefined;
  /** While the run runs under its calendar: when the window closes, i.e. office hours or a blackout begin (ms since epoch). */
  readonly windowClosesAt: number | undefined;
}

/** What a finished run reports. */
export interface RunSummary extends RunStatus {
  /** Items read but not finished (the run was stopped or failed before them). */
  readonly unfinished: number;
  readonly endedAt: number;
}

/** Options of {@link BulkRun.stop}. */
export interface StopOptions {
  /** `wait` (default): let in-flight calls finish; `abort`: abort them (their items stay unfinished). */
  readonly inFlight?: 'wait' | 'abort';
  /**
   * Who stops the run.
   * @defaultValue `'api'`
   */
  readonly origin?: ControlOrigin | undefined;
  /**
   * Why, in the operator's words; kept in the `state` event's `message`.
   * @defaultValue none
   */
  readonly reason?: string | undefined;
}

