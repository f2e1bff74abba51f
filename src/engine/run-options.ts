/**
 * The options of a run, written as interfaces with their documentation and defaults (what an
 * editor shows on hover). The zod schemas of engine/config.ts validate them at run time and are
 * checked against them at compile time.
 */
import type { RunCalendarConfig } from '../calendar/run-calendar.js';
import type { PlannedFigures } from '../store/records/format.js';
import type { AnnouncementConfig } from '../policy/announcement.js';
import type { SourceConfig } from '../policy/source.js';
import type { PrecheckFailure } from '../policy/classify.js';
import type { Classifier } from '../policy/classify.js';
import type { Clock } from '../util/clock.js';
import type { SharedOptions } from '../shared/shared-options.js';
import type { RunLogger } from './run-logger.js';
import type { RunStore } from '../store/store.js';
import type { RetryOptions } from '../policy/retry.js';
import type { LiveControlOptions } from './control/control-options.js';

/** Overload protection of each source: a circuit breaker on the share of failed calls (or `false` to switch it off). */
export interface OverloadConfig {
  /**
   * Number of latest calls of a source over which the failure ratio is measured.
   * @defaultValue `20`
   */
  readonly windowSize?: number | undefined;
  /**
   * Fewest calls in the window before the protection may trip (at most `windowSize`).
   * @defaultValue `10`
   */
  readonly minSamples?: number | undefined;
  /**
   * Share of failed calls in the window, from 0 to 1, that pauses the source.
   * @defaultValue `0.5`
   */
  readonly failureRatio?: number | undefined;
  /**
   * First pause of a tripped source, in ms; doubled each time it trips again.
   * @defaultValue `30000`
   */
  readonly cooldownMs?: number | undefined;
  /**
   * Longest pause of a tripped source, in ms.
   * @defaultValue `600000` (10 minutes)
   */
  readonly maxCooldownMs?: number | undefined;
}

/** Stall watchdog (or `false` to switch it off). */
export interface StallConfig {
  /**
   * No call ended and no item finished for this long, with calls out: the run has stalled (ms).
   * @defaultValue twice the longest call timeout of the run's sources, and at least 10 minutes
   */
  readonly afterMs?: number | undefined;
  /**
   * Abort the calls in flight when the run stalls, so that their items are retried (code `CALL_STALLED`).
   * @defaultValue `false` (the `stalled` event only)
   */
  readonly abort?: boolean | undefined;
}

/** Reject budget: the run stops when too large a share of its items is rejected (or `false` to switch it off). */
export interface RejectBudgetConfig {
  /**
   * Largest share of rejected items, from 0 to 1, before the run stops.
   * @defaultValue `0.1`
   */
  readonly maxRatio?: number | undefined;
  /**
   * Items finished before the budget is checked.
   * @defaultValue `100`
   */
  readonly minSample?: number | undefined;
}

/** What the call function receives besides the item. */
export interface CallContext {
  /** Aborted when the call times out or the run stops or fails: pass it to your HTTP client. */
  readonly signal: AbortSignal;
  /** Attempt number, from 1. */
  readonly attempt: number;
  /** Name of the item's source. */
  readonly source: string;
  /** Position of the item in the input, from 0. */
  readonly position: number;
  /**
   * The item's key, masked (`85.07.30-***.**`): the context is safe to log. The call has the
   * item itself, whole; only `onSuccess` gets the key whole (`SuccessInfo.key`).
   */
  readonly key: string;
}

/** What `onSuccess` receives besides the item and value. */
export interface SuccessInfo {
  /** Position of the item in the input, from 0. */
  readonly position: number;
  /**
   * The item's key as the `key` option returned it, national numbers WHOLE (your own code:
   * upsert by it); `#position` without a `key` option. Do not log it: log `maskedKey`.
   */
  readonly key: string;
  /** The same key with national numbers masked (`85.07.30-***.**`), as in events, errors and the ledger: the one to log. */
  readonly maskedKey: string;
  /** Name of the item's source. */
  readonly source: string;
  /** Attempts the item took, from 1. */
  readonly attempts: number;
  /** Code of the success when the classifier gave one (e.g. `NO_DATA_FOUND`). */
  readonly code?: string | undefined;
}

/** Configuration of a run over items of type `T` whose calls return `R`. */
export interface RunOptions<T, R> {
  /**
   * The items, pulled lazily: an array, a generator, a readline interface, any (async) iterable.
   * @defaultValue none: required
   */
  readonly input: Iterable<T> | AsyncIterable<T>;
  /**
   * Calls the service for one item. Must honour `context.signal`.
   * @defaultValue none: required
   */
  readonly call: (item: T, context: CallContext) => Promise<R> | R;
  /**
   * The source of every item (a name), or a function giving each item's source.
   * @defaultValue none: required
   */
  readonly source: string | ((item: T) => string);
  /**
   * The sources, by name, with their kind and cap.
   * @defaultValue none: required
   */
  readonly sources: Readonly<Record<string, SourceConfig>>;
  /**
   * Key of an item in events and records (national numbers in it are masked there).
   * @defaultValue `#position`
   */
  readonly key?: ((item: T, position: number) => string) | undefined;
  /**
   * Receives each successful item with the call's value. A throw here fails the run.
   * @defaultValue none
   */
  readonly onSuccess?: ((item: T, value: R, info: SuccessInfo) => void | Promise<void>) | undefined;
  /**
   * Classifier asked first for each attempt; return `undefined` to defer to the default.
   * @defaultValue none: the default classifier alone
   */
  readonly classify?: Classifier<R> | undefined;
  /**
   * Checks an item before any call: a returned `{ code, reason }` finishes it as a reject with
   * 0 attempts (recorded and counted like any reject), so an invalid item costs the service
   * nothing. `inszPrecheck` checks national numbers.
   * @defaultValue none
   */
  readonly precheck?: ((item: T) => PrecheckFailure | undefined) | undefined;
  /**
   * Cap on simultaneous calls across all sources.
   * @defaultValue none: the sum of the sources' caps
   */
  readonly maxConcurrency?: number | undefined;
  /**
   * Timeout of one call in ms; a source may set its own.
   * @defaultValue `30000`
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Retry policy of transient failures.
   * @defaultValue `{ maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60000, maxRetryAfterMs: 300000 }`
   */
  readonly retry?: RetryOptions | undefined;
  /**
   * Overload protection of each source; `false` switches it off.
   * @defaultValue `{ windowSize: 20, minSamples: 10, failureRatio: 0.5, cooldownMs: 30000, maxCooldownMs: 600000 }`
   */
  readonly overload?: OverloadConfig | false | undefined;
  /**
   * Reject budget; `false` switches it off.
   * @defaultValue `{ maxRatio: 0.1, minSample: 100 }`
   */
  readonly rejectBudget?: RejectBudgetConfig | false | undefined;
  /**
   * The stall watchdog (on by default, alarm only; `afterMs` defaults to twice the longest call
   * timeout, at least 10 minutes, since a call may take its whole timeout): when calls are out
   * and none has ended, nor any item finished, for `afterMs` while the run is running or
   * draining, the run emits `stalled`; with `abort: true` it also aborts the calls in flight,
   * whose items are retried (code `CALL_STALLED`). `false` switches it off.
   * @defaultValue `{ abort: false }`
   */
  readonly stall?: StallConfig | false | undefined;
  /**
   * Shortest delay between a pause and the resumption, in ms.
   * @defaultValue `300000` (5 minutes)
   */
  readonly minPauseMs?: number | undefined;
  /**
   * Items read ahead of the calls; memory stays bounded by caps + prefetch.
   * @defaultValue `64`
   */
  readonly prefetch?: number | undefined;
  /**
   * Least time between two `progress` events, in ms.
   * @defaultValue `1000`
   */
  readonly progressIntervalMs?: number | undefined;
  /**
   * Time source; `FakeClock` from `bcss-bulk/testing` in tests.
   * @defaultValue the system clock
   */
  readonly clock?: Clock | undefined;
  /**
   * Where records go; a `FileStore` makes the run durable and resumable.
   * @defaultValue a `MemoryStore`
   */
  readonly store?: RunStore | undefined;
  /**
   * Random numbers in [0, 1) for jitter.
   * @defaultValue `Math.random`
   */
  readonly random?: (() => number) | undefined;
  /**
   * The office-hours calendar. `{ enforce: false, override: { reason } }` turns it off (e.g. a
   * test server); the reason is kept.
   * @defaultValue the BCSS rule: Mon–Fri 08:00–17:00 Europe/Brussels, enforced
   */
  readonly calendar?: RunCalendarConfig | undefined;
  /**
   * `start()` during office hours waits for the window (state `waiting`) instead of refusing.
   * @defaultValue `false`
   */
  readonly waitForWindow?: boolean | undefined;
  /**
   * When the window closes, how long calls in flight may still finish before they are aborted
   * and their items queued again, in ms.
   * @defaultValue `60000`
   */
  readonly drainDeadlineMs?: number | undefined;
  /**
   * Shared mode: caps held across processes and hosts through Redis, and a run lock.
   * @defaultValue off
   */
  readonly shared?: SharedOptions | undefined;
  /**
   * Name of the batch (e.g. `pensions-monthly`), kept with its records; preflight looks for earlier runs of it.
   * @defaultValue none
   */
  readonly name?: string | undefined;
  /**
   * The batch's announcement to the BCSS service desk: `{ reference, announcedOn: 'YYYY-MM-DD' }`
   * (a run refuses to start sooner than `leadDays`, 7 by default, after that date), or
   * `{ override: { reason } }` (e.g. a test environment); the reason is kept with the records.
   * @defaultValue none: `start()` refuses with an `AnnouncementError` (`NOT_ANNOUNCED`)
   */
  readonly announcement?: AnnouncementConfig | undefined;
  /**
   * The figures of the batch's capacity plan (a plan made by `planBatch()` fits as it is), kept
   * with the run's compliance records for the report's "plan versus actual".
   * @defaultValue none: the report shows no plan
   */
  readonly plan?: PlannedFigures | undefined;
  /**
   * Where the library logs what it has to say: a pino logger, `console`, or any object with
   * `info`, `warn`, `error` (and optionally `debug`) methods, each called as
   * `logger.info(fields, message)` (pino's shape). State changes and the end at `info`
   * (`failed` at `error`, a pause by the reject budget at `warn`), rejects (masked) at `warn`,
   * retries at `debug`; see `attachRunLogger`. A logger that throws fails the run
   * (`LISTENER_ERROR`).
   *
   * @defaultValue `undefined`: nothing is logged (the library never writes to the console by itself).
   */
  readonly logger?: RunLogger | undefined;
  /**
   * The operator's control of a run whose store is a `FileStore`: the run keeps a status
   * snapshot in its run directory and takes `bcss-bulk pause|resume|stop DIR` (see
   * docs/operating.md); `false` switches it off. A run without a `FileStore` has no live files.
   * @defaultValue `{ refreshMs: 2000, pollMs: 500 }`
   */
  readonly control?: LiveControlOptions | false | undefined;
  /**
   * Stops the run when it aborts, as `run.stop()` does (no new calls, calls in flight finish,
   * the state event says `origin: 'signal'`); aborted before the calls start, the run ends
   * `stopped` with nothing sent. See also `stopOnSignals(run)` for SIGTERM and SIGINT.
   * @defaultValue none
   */
  readonly signal?: AbortSignal | undefined;
}
