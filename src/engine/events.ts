/**
 * The events a run emits, by name, with their payloads. Keys and reasons in them are masked.
 */
import type { ControlOrigin, RunState } from './state-machine.js';
import type { OutcomeRecord } from '../store/store.js';
import type { RunStatus } from './status.js';

/** Payload of the `state` event. */
export interface StateChange {
  readonly from: RunState;
  readonly to: RunState;
  /** Instant of the change (ms since epoch). */
  readonly at: number;
  /**
   * Why: `start`, `resume`, a pause reason, `stop`, `completed`, the code of a fatal outcome, or
   * for the office-hours window `office-hours` / `blackout` (it closed) and `window-open`.
   */
  readonly reason: string;
  /** A sentence for the operator, when there is more to say (e.g. why the reject budget paused the run). */
  readonly message?: string;
  /**
   * Who asked for the change, when it is a pause, a resumption or a stop asked from outside the
   * engine: `api`, `command`, `signal` or `institution` (the operator's reason, if any, is in `message`).
   */
  readonly origin?: ControlOrigin;
}

/** Payload of the `retry` event. */
export interface RetryEvent {
  readonly key: string;
  readonly position: number;
  readonly source: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  readonly code: string;
  readonly reason: string;
  /** Delay before the next attempt, in ms. */
  readonly delayMs: number;
  readonly at: number;
}

/** Payload of the `source-paused` event. */
export interface SourcePausedEvent {
  readonly source: string;
  /** Share of transient failures that tripped the protection. */
  readonly failureRatio: number;
  /** When a probe call will be let through (ms since epoch). */
  readonly until: number;
  readonly at: number;
}

/** Events of a run, by name. */
export interface RunEvents {
  /** The run's state changed. */
  state: StateChange;
  /** Periodic snapshot (at most every `progressIntervalMs`, and once at the end). */
  progress: RunStatus;
  /** An item was rejected or exhausted its attempts (after its record was stored). */
  reject: OutcomeRecord;
  /** An attempt failed transiently and will be retried. */
  retry: RetryEvent;
  /** A source was paused by its overload protection. */
  'source-paused': SourcePausedEvent;
  /** A source's probe call succeeded; calls flow again. */
  'source-resumed': { readonly source: string; readonly at: number };
  /** `resume()` was called before the minimum pause elapsed; the run resumes at `at`. */
  'resume-scheduled': { readonly at: number };
  /** Shared mode: Redis became unreachable; no new call starts until it is back (calls in flight finish). */
  'shared-unavailable': SharedUnavailableEvent;
  /** Shared mode: Redis is reachable again; calls flow again. */
  'shared-restored': SharedRestoredEvent;
  /** The stall watchdog saw calls in flight and no item finished for `stallAfterMs` (see {@link StallEvent}). */
  stalled: StallEvent;
}

/** Payload of the `stalled` event. */
export interface StallEvent {
  readonly at: number;
  /** Time since the last item finished (or since the window opened), in ms. */
  readonly idleMs: number;
  /** Calls in flight when the watchdog fired, per source. */
  readonly inFlight: Readonly<Record<string, number>>;
  /** Calls the watchdog aborted (their items are queued again, the attempt not counted); 0 when it only alarms. */
  readonly aborted: number;
}

/** Payload of the `shared-unavailable` event. */
export interface SharedUnavailableEvent {
  /** What the Redis client said (no credentials: ioredis does not put them in its messages). */
  readonly reason: string;
  readonly at: number;
}

/** Payload of the `shared-restored` event. */
export interface SharedRestoredEvent {
  readonly at: number;
  /** How long Redis was unreachable, in ms. */
  readonly downMs: number;
}
