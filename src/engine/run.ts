/**
 * The run engine. A {@link BulkRun} reads items lazily from its input, calls the caller's
 * function for each one under its source's cap, classifies every attempt, retries transient
 * failures with backoff (without holding a slot), records every finished item in its store,
 * and owns the run's state: one field, changed only through the state machine.
 *
 * Reading order of this file: public types, then the class: its public API (start, pause,
 * resume, stop, status), then state changes, reading, dispatching, outcomes, finishing, the
 * office-hours window, ending.
 */
import { Alarm } from '../util/alarm.js';
import { checkAnnouncement, type AnnouncementRecord } from '../policy/announcement.js';
import { AttemptContext } from './attempt-context.js';
import { retryDelay } from '../policy/backoff.js';
import { isRejectBudgetExceeded } from '../policy/budget.js';
import { OfficeCalendar, type ClosedPeriod, type ClosedReason } from '../calendar/calendar.js';
import { reasonOf } from '../util/reason.js';
import { composeClassifiers, type AttemptResult, type Classification, type ClassifyContext } from '../policy/classify.js';
import { systemClock, type Clock, type TimerHandle } from '../util/clock.js';
import { defaultStallAfterMs, parseRunOptions, type CallContext, type PrecheckFailure, type ResolvedRunOptions, type RunOptions, type SuccessInfo } from './config.js';
import { TypedEmitter } from '../util/emitter.js';
import { CallStalledError, OfficeHoursError, RunStateError } from './errors.js';
import { CallTimeoutError } from '../policy/errors.js';
import { InputChangedError } from '../store/errors.js';
import { RunFailedError } from '../util/errors.js';
import type { RunEvents, StateChange } from './events.js';
import { itemFingerprint } from '../store/fingerprint.js';
import { openInput, type InputReader, type Read } from './input.js';
import { isoInstant } from '../util/instant.js';
import { maskNationalNumbers } from '../util/privacy.js';
import { RateMeter } from '../util/rate.js';
import { attachRunLogger } from './run-logger.js';
import { SharedMode } from '../shared/shared-mode.js';
import { StallWatchdog } from './stall-watchdog.js';
import { leaseTtl } from '../shared/shared-options.js';
import { SourceLane, type PendingItem, type SourceStatus } from './source-lane.js';
import { canTransition, isFinal, type PauseReason, type RunState } from './state-machine.js';
import { checkVerdict } from '../policy/verdict.js';
import { YieldBudget } from '../util/yield-budget.js';
import { printable } from '../util/printable.js';
import { calendarRecord, closingMessage, openingMessage, refusalMessage, waitingMessage } from './window-messages.js';
import type { RunStatus, RunSummary, StopOptions } from './status.js';
import { FINGERPRINTED_ITEMS, MemoryStore, type ItemOutcome, type OutcomeRecord, type ResumeState, type RunMeta, type RunStore, type SourceRecord } from '../store/store.js';

export type { RunTotals, RunStatus, RunSummary, StopOptions } from './status.js';

/** A caller-supplied step of finishing an item (onSuccess, store), and how its failure is reported. */
interface Step {
  readonly run: () => void | Promise<void>;
  readonly code: string;
  readonly what: string;
}

type Counter = 'inFlight' | 'finishing' | 'retrying' | 'succeeded' | 'rejected' | 'exhausted' | 'attempts' | 'retries';

/**
 * A bulk run over a stream of items. Create it with {@link createRun}, listen to its events,
 * then `await run.start()`.
 */
export class BulkRun<T, R = unknown> {
  private readonly options: ResolvedRunOptions<T, R>;
  private readonly clock: Clock;
  private readonly store: RunStore;
  private readonly classify: (result: AttemptResult<R>, context: ClassifyContext) => Classification;
  private readonly emitter: TypedEmitter<RunEvents>;
  private readonly lanes = new Map<string, SourceLane<T>>();
  private readonly laneList: readonly SourceLane<T>[];
  /** Calls in flight, by the position of their item (a Map of numbers: a Set of fresh objects costs each one an identity hash). */
  private readonly inFlightItems = new Map<number, PendingItem<T>>();
  private readonly retryingItems = new Set<PendingItem<T>>();

  private current: RunState = 'idle';
  private pauseReason: PauseReason | undefined;
  private pausedAt = 0;
  private resumeTimer: TimerHandle | undefined;
  private resumesAt: number | undefined;
  private startedAt: number | undefined;
  private endedAt: number | undefined;

  private reader: InputReader<T> | undefined;
  private reading = false;
  private inputExhausted = false;
  private read = 0;
  /** Items whose onSuccess or store step is still pending. */
  private finishing = 0;
  private budgetBase = { finished: 0, rejected: 0 };
  private rate: RateMeter;
  private lastProgressAt = 0;
  private pumping = false;
  private pumpAgain = false;
  /** Gives the event loop a turn every so often, so timers, heartbeats and stop() run even when calls resolve without I/O. */
  private readonly budget: YieldBudget;
  private nextLane = 0;

  /** The office-hours calendar, unless turned off by a written override. */
  private readonly calendar: OfficeCalendar | undefined;
  /** The allowed window calls are dispatched in: from `windowOpenedAt` (inclusive) to `windowClosesAt` (exclusive). Always open without a calendar. */
  private windowOpenedAt = Number.NEGATIVE_INFINITY;
  private windowClosesAt = Number.POSITIVE_INFINITY;
  private windowReason: ClosedReason = 'office-hours';
  private nextWindowAt: number | undefined;
  /** True while `draining` lets calls finish because the window closed (not because of `stop()`). */
  private drainingForWindow = false;
  private readonly closeAlarm: Alarm;
  /** Raises `stalled` when calls are out and nothing ends (undefined when switched off). */
  private readonly watchdog: StallWatchdog | undefined;
  private readonly openAlarm: Alarm;
  private readonly drainAlarm: Alarm;

  private settle!: { resolve: (summary: RunSummary) => void; reject: (error: unknown) => void };
  private readonly finished: Promise<RunSummary>;
  private failure: RunFailedError | undefined;
  private listenerFailure: RunFailedError | undefined;
  /** Positions an earlier run over the same store finished (skipped here), when resuming. */
  private resumed: { readonly watermark: number; readonly finished: ReadonlySet<number>; readonly last: number } | undefined;
  /** Shared mode: the Redis slot gate and run lock, once open. */
  private shared: SharedMode | undefined;

  /**
   * Validates the configuration; nothing is read or called before {@link start}.
   *
   * @throws {ConfigError} a malformed field, with its path.
   * @throws {PolicyError} a cap above the BCSS policy without a written override.
   */
  constructor(options: RunOptions<T, R>) {
    this.options = parseRunOptions(options);
    this.clock = this.options.clock ?? systemClock;
    this.store = this.options.store ?? new MemoryStore();
    this.budget = new YieldBudget(this.clock);
    this.classify = composeClassifiers(this.options.classify);
    this.emitter = new TypedEmitter<RunEvents>((error, event) => {
      const failure = new RunFailedError('LISTENER_ERROR', `A listener of the '${String(event)}' event threw: ${reasonOf(error)}`, { cause: error });
      // Kept for close(): a listener of the final events throws when the run can no longer fail.
      this.listenerFailure ??= failure;
      queueMicrotask(() => this.fail(failure));
    });
    for (const config of this.options.sources.values()) this.lanes.set(config.name, new SourceLane<T>(config, this.options.overload));
    this.laneList = [...this.lanes.values()];
    this.rate = new RateMeter(this.clock.now());
    const calendar = this.options.calendar;
    this.calendar = calendar.enforce
      ? new OfficeCalendar({ timeZone: calendar.timeZone, officeHours: calendar.officeHours, holidaysAreFree: calendar.holidaysAreFree, blackouts: calendar.blackouts })
      : undefined;
    const stall = this.options.stall;
    this.watchdog =
      stall === false
        ? undefined
        : new StallWatchdog(this.clock, stall.afterMs ?? defaultStallAfterMs([...this.options.sources.values()].map((source) => source.timeoutMs)), {
            busy: () => this.sum('inFlight') + this.sum('finishing') > 0,
            stalled: (idleMs) => this.stalled(idleMs),
          });
    if (this.options.logger !== undefined) attachRunLogger(this, this.options.logger); // detached with the run: its listeners go with it
    this.closeAlarm = new Alarm(this.clock);
    this.openAlarm = new Alarm(this.clock);
    this.drainAlarm = new Alarm(this.clock);
    this.finished = new Promise<RunSummary>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  /** The run's current state. */
  get state(): RunState {
    return this.current;
  }

  /** The batch's name (the option `name`), when it has one. */
  get name(): string | undefined {
    return this.options.name;
  }

  /** Adds a listener for a run event; returns a function that removes it. */
  on<K extends keyof RunEvents>(event: K, listener: (payload: RunEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  /** Adds a listener called once. */
  once<K extends keyof RunEvents>(event: K, listener: (payload: RunEvents[K]) => void): () => void {
    return this.emitter.once(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof RunEvents>(event: K, listener: (payload: RunEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /**
   * Starts the run. Resolves with the summary when every item is finished (`completed`) or the
   * run is stopped (`stopped`); rejects with a {@link RunFailedError} when a fatal outcome
   * stopped it (`failed`), and with a {@link RunStateError} when the run was already started.
   *
   * Under the office-hours calendar (on by default), a start while calls are forbidden rejects
   * at once with an {@link OfficeHoursError} saying when the next window opens, and the run
   * stays `idle` (it may be started later); with `waitForWindow: true` it goes `waiting` and
   * starts calling at the window's first instant.
   *
   * A batch must be announced to the BCSS service desk: without `announcement`, or sooner than
   * its `leadDays` after `announcedOn`, `start()` rejects with an `AnnouncementError` and
   * the run stays `idle`; `announcement: { override: { reason } }` starts and keeps the reason.
   */
  start(): Promise<RunSummary> {
    if (this.current !== 'idle' || this.startedAt !== undefined) {
      return Promise.reject(new RunStateError(`start() called on a run that is ${this.current}`));
    }
    const now = this.clock.now();
    const announced = checkAnnouncement(this.options.announcement, now, this.options.calendar.timeZone);
    if (!announced.ok) return Promise.reject(announced.error);
    const closed = this.options.waitForWindow ? undefined : this.calendar?.closedAt(now);
    if (closed !== undefined) return Promise.reject(new OfficeHoursError(refusalMessage(this.calendar!, now, closed), closed.opensAt, closed.reason));
    this.startedAt = now;
    this.rate = new RateMeter(this.startedAt);
    this.reader = openInput(this.options.input);
    const meta = runMeta(this.options, this.startedAt, announced.record);
    let resume: void | ResumeState;
    const open = (): void | Promise<void> => {
      const opened = this.store.open(meta);
      if (!(opened instanceof Promise)) resume = opened;
      else return opened.then((state) => void (resume = state));
    };
    this.openShared(() =>
      this.runSteps([{ run: open, code: 'STORE_FAILED', what: 'The store could not be opened' }], () => {
        if (this.current !== 'idle') return; // stopped while the store was opening
        if (resume !== undefined && !this.resumeFrom(resume)) return;
        this.enterWindow('start');
      }),
    );
    return this.finished;
  }

  /**
   * Stops new calls; calls in flight finish and are recorded. A paused run stays paused until
   * {@link resume} (or {@link stop}); pausing it again cancels a scheduled resumption. A run
   * waiting for its window (or draining as it closes) may be paused too: it then stays paused
   * after the window opens, until {@link resume}.
   *
   * @throws {RunStateError} when the run is not running, waiting or paused.
   */
  pause(): void {
    if (this.current === 'paused') {
      this.cancelScheduledResume();
      return;
    }
    if (this.current === 'waiting' || (this.current === 'draining' && this.drainingForWindow)) {
      this.openAlarm.cancel();
      this.drainingForWindow = false; // calls in flight still finish, within the drain deadline
      this.nextWindowAt = undefined;
      this.enterPause('manual');
      return;
    }
    if (this.current !== 'running') throw new RunStateError(`pause() called on a run that is ${this.current}`);
    this.enterPause('manual');
  }

  /**
   * Resumes a paused run, no earlier than `minPauseMs` after the pause (the BCSS asks for a
   * delay between an interruption and its resumption). Returns the instant the run resumes:
   * now, or later, in which case a `resume-scheduled` event says when. A run resumed while calls
   * are forbidden goes `waiting` for its window; on a run already waiting, returns when its
   * window opens.
   *
   * @throws {RunStateError} when the run is not paused, waiting or running.
   */
  resume(): Date {
    if (this.current === 'running') return new Date(this.clock.now());
    if (this.current === 'waiting' || (this.current === 'draining' && this.drainingForWindow)) return new Date(this.nextWindowAt ?? this.clock.now());
    if (this.current !== 'paused') throw new RunStateError(`resume() called on a run that is ${this.current}`);
    const now = this.clock.now();
    const earliest = this.pausedAt + this.options.minPauseMs;
    if (now >= earliest) {
      this.leavePause();
      return new Date(this.state === 'waiting' ? (this.nextWindowAt ?? now) : now); // `state`: leavePause() changed it
    }
    if (this.resumesAt === undefined) {
      this.resumesAt = earliest;
      this.resumeTimer = this.clock.setTimeout(() => {
        this.resumeTimer = undefined;
        this.resumesAt = undefined;
        if (this.current === 'paused') this.leavePause();
      }, earliest - now);
      this.emitter.emit('resume-scheduled', { at: earliest });
    }
    return new Date(this.resumesAt);
  }

  /**
   * Stops the run: no new calls, retries dropped; in-flight calls are awaited (default) or
   * aborted. Items not finished stay unfinished (never rejected). Resolves with the summary
   * once nothing is in flight.
   */
  stop(options: StopOptions = {}): Promise<RunSummary> {
    const abort = options.inFlight === 'abort';
    if (this.current === 'idle') {
      if (this.startedAt === undefined) return Promise.reject(new RunStateError('stop() called on a run that was never started'));
      this.transition('stopped', 'stop'); // stopped while its store was opening: nothing was sent
      return this.finished;
    }
    if (this.current === 'draining' && this.drainingForWindow) {
      this.drainingForWindow = false; // the drain now ends in `stopped`; its deadline still holds
      this.nextWindowAt = undefined;
      this.dropRetries();
      if (abort) this.abortInFlight('stop');
      this.pump();
      return this.finished;
    }
    if (isFinal(this.current) || this.current === 'draining') {
      if (abort) this.abortInFlight('stop');
      return this.finished;
    }
    this.cancelScheduledResume();
    this.openAlarm.cancel();
    this.nextWindowAt = undefined;
    this.transition('draining', 'stop');
    this.dropRetries();
    if (abort) this.abortInFlight('stop');
    this.pump();
    return this.finished;
  }

  /** A snapshot of the run: state, totals and counts per source. */
  status(): RunStatus {
    const now = this.clock.now();
    const sources: Record<string, SourceStatus> = {};
    for (const lane of this.laneList) sources[lane.name] = lane.status(now);
    const succeeded = this.sum('succeeded');
    const rejected = this.sum('rejected');
    const exhausted = this.sum('exhausted');
    return {
      state: this.current,
      pauseReason: this.pauseReason,
      resumesAt: this.resumesAt,
      at: now,
      startedAt: this.startedAt,
      inputExhausted: this.inputExhausted,
      totals: {
        read: this.read,
        inFlight: this.sum('inFlight'),
        queued: this.queued(),
        retrying: this.sum('retrying'),
        succeeded,
        rejected,
        exhausted,
        finished: succeeded + rejected + exhausted,
        attempts: this.sum('attempts'),
        retries: this.sum('retries'),
      },
      sources,
      ratePerSecond: this.rate.perSecond(now),
      nextWindowAt: this.nextWindowAt,
      windowClosesAt: this.current === 'running' && Number.isFinite(this.windowClosesAt) ? this.windowClosesAt : undefined,
    };
  }

  private sum(counter: Counter): number {
    let total = 0;
    for (const lane of this.laneList) total += lane[counter];
    return total;
  }

  private queued(): number {
    let total = 0;
    for (const lane of this.laneList) total += lane.queue.length;
    return total;
  }

  // ── State ────────────────────────────────────────────────────────────────

  private transition(to: RunState, reason: string, message?: string): void {
    const from = this.current;
    if (from === to) return;
    if (!canTransition(from, to)) throw new Error(`bcss-bulk internal error: transition ${from} → ${to} is not allowed`);
    this.current = to;
    this.pauseReason = to === 'paused' ? (reason as PauseReason) : undefined;
    this.watchdog?.follow(to === 'running' || to === 'draining');
    const at = this.clock.now();
    const change: StateChange = message === undefined ? { from, to, at, reason } : { from, to, at, reason, message };
    this.emitter.emit('state', change);
    if (isFinal(to)) this.close();
  }

  private enterPause(reason: PauseReason, message?: string): void {
    this.pausedAt = this.clock.now();
    this.transition('paused', reason, message);
  }

  private leavePause(): void {
    this.cancelScheduledResume();
    if (this.pauseReason === 'reject-budget') this.budgetBase = this.budgetCounts();
    this.enterWindow('resume');
  }

  private cancelScheduledResume(): void {
    if (this.resumeTimer !== undefined) this.clock.clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    this.resumesAt = undefined;
  }

  private fail(error: RunFailedError): void {
    if (isFinal(this.current)) return;
    this.failure = error;
    this.dropRetries();
    this.abortInFlight('fatal');
    this.transition('failed', error.outcomeCode, error.message);
  }

  // ── Reading ──────────────────────────────────────────────────────────────

  /** Reads ahead, dispatches what the caps allow, and detects the end. Re-entrant calls are folded into one. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    if (this.budget.spend()) {
      this.budget.yieldThen(() => this.pump()); // the event loop's turn first: timers, heartbeats, stop()
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.readAhead();
        if (this.current === 'running') this.dispatchAll();
        this.checkEnd();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /** Reads items until `prefetch` of them wait (queued or for a retry), or the input ends. */
  private readAhead(): void {
    const reader = this.reader;
    if (reader === undefined || this.inputExhausted || this.reading) return;
    if (this.current !== 'running' && this.current !== 'paused' && this.current !== 'waiting') return;
    // Items whose record is still being stored count too: a long run of items refused by the
    // precheck, with an asynchronous store, must not pile up without bound.
    // Items whose record is still being stored count too: a long run of items refused by the
    // precheck, with an asynchronous store, must not pile up without bound.
    while (this.queued() + this.sum('retrying') + this.finishing < this.options.prefetch) {
      if (!reader.sync) {
        this.reading = true;
        reader.next().then(
          (result) => {
            this.reading = false;
            if (isFinal(this.current)) return;
            this.accept(result);
            this.pump();
          },
          (error: unknown) => {
            this.reading = false;
            this.fail(inputFailure(error));
          },
        );
        return;
      }
      if (this.budget.spend()) {
        this.budget.yieldThen(() => this.pump());
        return;
      }
      let result: Read<T>;
      try {
        result = reader.next();
      } catch (error) {
        this.fail(inputFailure(error));
        return;
      }
      if (!this.accept(result)) return;
    }
  }

  /** Queues an item read from the input in its source's lane; false when there is nothing more to read. */
  private accept(result: Read<T>): boolean {
    if (result.done) {
      this.inputExhausted = true;
      if (this.resumed !== undefined && this.resumed.last >= this.read) {
        this.fail(new InputChangedError(`The input has ${this.read} items, but the store records item #${this.resumed.last} as finished: the input changed since the run it resumes`));
      }
      return false;
    }
    const position = this.read++;
    const item = result.value;
    let name: string;
    let key: string;
    let rawKey: string | undefined;
    try {
      if (position < FINGERPRINTED_ITEMS && this.store.verifyInput !== undefined) this.verifyInput(item, position);
      if (this.resumed !== undefined && (position < this.resumed.watermark || this.resumed.finished.has(position))) return true;
      name = this.options.sourceOf(item);
      if (this.options.key === undefined) key = `#${position}`;
      else {
        const raw = String(this.options.key(item, position));
        key = maskNationalNumbers(raw);
        if (raw !== key) rawKey = raw; // whole for the caller's own code (onSuccess), and for a store whose owner opted in
      }
    } catch (error) {
      if (error instanceof RunFailedError) this.fail(error);
      else this.fail(new RunFailedError('PROGRAMMER_ERROR', `The source or key function threw for item #${position}: ${reasonOf(error)}`, { cause: error }));
      return false;
    }
    const lane = this.lanes.get(name);
    if (lane === undefined) {
      const configured = [...this.lanes.keys()].join(', ');
      this.fail(new RunFailedError('UNKNOWN_SOURCE', `Item #${position} belongs to source '${maskNationalNumbers(String(name))}', which is not configured (configured: ${configured})`));
      return false;
    }
    const pending: PendingItem<T> = {
      item,
      position,
      key,
      rawKey, // always present (possibly undefined): one object shape for every item
      lane,
      attempts: 0,
      firstAttemptAt: 0,
      lastAttemptAt: 0,
      controller: undefined,
      timeoutTimer: undefined,
      retryTimer: undefined,
      timedOut: false,
      probe: false,
      abandoned: false,
      interrupted: false,
      stalled: false,
      lease: undefined,
    };
    if (this.options.precheck !== undefined && this.refusedByPrecheck(pending)) return !isFinal(this.current);
    lane.queue.push(pending);
    return true;
  }

  /** Asks the precheck about an item; a refused item is finished as a reject with 0 attempts, before any call. */
  private refusedByPrecheck(pending: PendingItem<T>): boolean {
    let refused: PrecheckFailure | undefined;
    try {
      refused = this.options.precheck?.(pending.item);
    } catch (error) {
      this.fail(new RunFailedError('PROGRAMMER_ERROR', `The precheck function threw for item ${pending.key}: ${reasonOf(error)}`, { cause: error }));
      return true;
    }
    if (refused === undefined) return false;
    pending.firstAttemptAt = pending.lastAttemptAt = this.clock.now();
    this.finish(pending, 'reject', String(refused.code), maskNationalNumbers(String(refused.reason)));
    return true;
  }

  /** Takes over what an earlier run over the same store finished; false when the run failed on it. */
  private resumeFrom(state: ResumeState): boolean {
    for (const [source, counts] of Object.entries(state.counts)) {
      const lane = this.lanes.get(source);
      if (lane === undefined) {
        this.fail(new InputChangedError(`The store records items of source '${source}', which is not configured (configured: ${[...this.lanes.keys()].join(', ')})`));
        return false;
      }
      lane.succeeded += counts.success;
      lane.rejected += counts.reject;
      lane.exhausted += counts.exhausted;
    }
    const finished = new Set(state.finished);
    let last = state.watermark - 1;
    for (const position of finished) if (position > last) last = position;
    this.resumed = { watermark: state.watermark, finished, last };
    return true;
  }

  /** Hands the store the fingerprint of one of the first items; the store throws when it differs from its earlier run's. */
  private verifyInput(item: T, position: number): void {
    const identity = this.options.key === undefined ? undefined : String(this.options.key(item, position));
    this.store.verifyInput?.(position, itemFingerprint(item, position, identity));
  }

  // ── Dispatching ──────────────────────────────────────────────────────────

  /**
   * Starts calls while slots are free (per source, and in all), round-robin: each source in
   * turn starts at most one call, until no source can start one.
   */
  private dispatchAll(): void {
    const count = this.laneList.length;
    const globalCap = this.options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    let inFlight = this.sum('inFlight') + this.sum('finishing');
    let idleTurns = 0;
    while (this.current === 'running' && inFlight < globalCap && idleTurns < count) {
      const lane = this.laneList[this.nextLane]!;
      this.nextLane = (this.nextLane + 1) % count;
      const now = this.clock.now();
      if (this.outsideWindow(now)) {
        this.windowClosed(now); // the guard: checked at every dispatch, whatever the timers did
        continue;
      }
      if (!lane.ready(now)) {
        idleTurns++;
        continue;
      }
      this.dispatch(lane.queue.shift()!, now);
      inFlight++;
      idleTurns = 0;
    }
  }

  private dispatch(pending: PendingItem<T>, now: number): void {
    if (this.shared !== undefined && pending.lease === undefined) {
      this.waitForLease(pending, this.shared);
      return;
    }
    const lane = pending.lane;
    pending.probe = lane.started(now);
    this.inFlightItems.set(pending.position, pending);
    pending.attempts++;
    if (pending.attempts === 1) pending.firstAttemptAt = now;
    pending.lastAttemptAt = now;
    pending.timedOut = false;
    pending.stalled = false;
    pending.controller = undefined;
    const timeoutMs = lane.config.timeoutMs;
    pending.timeoutTimer = this.clock.setTimeout(() => {
      pending.timeoutTimer = undefined;
      pending.timedOut = true;
      pending.controller?.abort(new CallTimeoutError(timeoutMs));
    }, timeoutMs);

    let call: Promise<R> | R;
    try {
      call = this.options.call(pending.item, contextFor(pending));
    } catch (error) {
      call = Promise.reject(error);
    }
    Promise.resolve(call).then(
      (value) => this.settled(pending, { ok: true, value }),
      (error: unknown) => this.settled(pending, { ok: false, error }),
    );
  }

  // ── Outcomes ─────────────────────────────────────────────────────────────

  private settled(pending: PendingItem<T>, result: AttemptResult<R>): void {
    const lane = pending.lane;
    pending.lease?.release();
    pending.lease = undefined;
    if (pending.timeoutTimer !== undefined) this.clock.clearTimeout(pending.timeoutTimer);
    pending.timeoutTimer = undefined;
    lane.inFlight--;
    this.inFlightItems.delete(pending.position);
    if (pending.abandoned || this.current === 'failed') {
      this.pump();
      return;
    }
    if (pending.interrupted) {
      pending.interrupted = false;
      if (!result.ok) {
        this.putBack(pending);
        this.pump();
        return;
      } // an answer that came despite the abort is kept
    }
    const now = this.clock.now();
    this.watchdog?.activity(now);
    let verdict: Classification;
    if (pending.stalled && !result.ok) {
      verdict = { class: 'transient', code: 'CALL_STALLED', reason: reasonOf(pending.controller?.signal.reason ?? result.error) };
    } else {
      let given: unknown;
      try {
        given = this.classify(result, { now, timedOut: pending.timedOut });
      } catch (error) {
        this.fail(new RunFailedError('PROGRAMMER_ERROR', `The classifier threw for item ${pending.key} (position ${pending.position}, source ${lane.name}): ${reasonOf(error)}`, { cause: error }));
        return;
      }
      // The default classifier alone is ours: only a caller's classifier is checked.
      const checked = this.options.classify === undefined ? (given as Classification) : checkVerdict(given);
      if (typeof checked === 'string') {
        // The item is left unfinished (not recorded): a resumed run calls it again.
        this.fail(new RunFailedError('PROGRAMMER_ERROR', `The classifier gave an invalid verdict for item ${pending.key} (position ${pending.position}, source ${lane.name}): ${checked}; it gave ${printable(given)}`));
        return;
      }
      verdict = checked;
    }
    this.noteHealth(lane, verdict.class === 'transient', pending.probe, now);

    switch (verdict.class) {
      case 'success':
        this.finish(pending, 'success', verdict.code, undefined, result.ok ? result.value : undefined);
        break;
      case 'reject':
        this.finish(pending, 'reject', verdict.code, verdict.reason);
        break;
      case 'fatal':
        this.fail(
          new RunFailedError(verdict.code, `Run stopped on a fatal outcome for item ${pending.key} (source ${lane.name}): ${verdict.reason}`, {
            cause: result.ok ? undefined : result.error,
          }),
        );
        return;
      case 'transient':
        if (pending.attempts >= this.options.retry.maxAttempts) {
          this.finish(pending, 'exhausted', verdict.code, `${verdict.reason} (after ${pending.attempts} attempts)`);
        } else if (this.current !== 'draining' || this.drainingForWindow) {
          this.scheduleRetry(pending, verdict.code, verdict.reason, verdict.retryAfterMs, now);
        } // while stopping, the item stays unfinished rather than being retried
        break;
    }
    this.pump();
  }

  /** Feeds the source's overload protection and announces a change of its health. */
  private noteHealth(lane: SourceLane<T>, failed: boolean, probe: boolean, now: number): void {
    const change = lane.breaker?.record(failed, probe, now);
    if (change === undefined) return;
    if (change.to === 'healthy') {
      this.emitter.emit('source-resumed', { source: lane.name, at: now });
      return;
    }
    if (lane.cooldownTimer !== undefined) this.clock.clearTimeout(lane.cooldownTimer);
    lane.cooldownTimer = this.clock.setTimeout(() => {
      lane.cooldownTimer = undefined;
      this.pump();
    }, change.until - now);
    this.emitter.emit('source-paused', { source: lane.name, failureRatio: change.failureRatio, until: change.until, at: now });
  }

  private scheduleRetry(pending: PendingItem<T>, code: string, reason: string, retryAfterMs: number | undefined, now: number): void {
    const lane = pending.lane;
    const delayMs = retryDelay(pending.attempts, retryAfterMs, this.options.retry, this.options.random);
    lane.retries++;
    lane.retrying++;
    this.retryingItems.add(pending);
    pending.retryTimer = this.clock.setTimeout(() => {
      pending.retryTimer = undefined;
      this.retryingItems.delete(pending);
      lane.retrying--;
      lane.queue.unshift(pending);
      this.pump();
    }, delayMs);
    if (this.emitter.has('retry')) {
      this.emitter.emit('retry', { key: pending.key, position: pending.position, source: lane.name, attempt: pending.attempts, code, reason, delayMs, at: now });
    }
  }

  // ── Finishing ────────────────────────────────────────────────────────────

  /** Hands a success to the caller, stores the record, then counts the item as finished. */
  private finish(pending: PendingItem<T>, outcome: ItemOutcome, code: string | undefined, reason: string | undefined, value?: R): void {
    const record: { -readonly [K in keyof OutcomeRecord]: OutcomeRecord[K] } = {
      position: pending.position,
      key: this.store.keepsNationalNumbers === true ? (pending.rawKey ?? pending.key) : pending.key,
      source: pending.lane.name,
      outcome,
      attempts: pending.attempts,
      firstAttemptAt: isoInstant(pending.firstAttemptAt),
      lastAttemptAt: isoInstant(pending.lastAttemptAt),
    };
    if (code !== undefined) record.code = code; // assigned, not spread: spreads cost a slow path per item
    if (reason !== undefined) record.reason = reason;
    // The item keeps its slot until it is finished: at most `cap` items per source are called and not yet stored.
    pending.lane.finishing++;
    const done = () => {
      pending.lane.finishing--;
      this.counted(pending.lane, pending.key === record.key ? record : { ...record, key: pending.key });
    };
    const onSuccess = this.options.onSuccess;
    if (outcome !== 'success' || onSuccess === undefined) {
      this.runSteps([{ run: () => this.store.record(record), code: 'STORE_FAILED', what: 'The store could not record an outcome' }], done);
      return;
    }
    // The caller's own code gets the item's real key (an upsert by it must not merge two people born the same day).
    const info: { -readonly [K in keyof SuccessInfo]: SuccessInfo[K] } = { position: pending.position, key: pending.rawKey ?? pending.key, maskedKey: pending.key, source: record.source, attempts: pending.attempts };
    if (code !== undefined) info.code = code;
    this.runSteps(
      [
        { run: () => onSuccess(pending.item, value as R, info), code: 'ON_SUCCESS_FAILED', what: `onSuccess threw for item ${pending.key}` },
        { run: () => this.store.record(record), code: 'STORE_FAILED', what: 'The store could not record an outcome' },
      ],
      done,
    );
  }

  /**
   * Runs caller-supplied steps in order, each synchronous or returning a promise, then `done`.
   * Synchronous steps cost no promise; while a step is pending the item counts as finishing.
   * A step that throws or rejects fails the run.
   */
  private runSteps(steps: readonly Step[], done: () => void, from = 0): void {
    for (let i = from; i < steps.length; i++) {
      const step = steps[i]!;
      let result: void | Promise<void>;
      try {
        result = step.run();
      } catch (error) {
        this.fail(new RunFailedError(step.code, `${step.what}: ${reasonOf(error)}`, { cause: error }));
        return;
      }
      if (result instanceof Promise) {
        this.finishing++;
        result.then(
          () => {
            this.finishing--;
            if (this.current === 'failed') return;
            this.runSteps(steps, done, i + 1);
            this.pump();
          },
          (error: unknown) => {
            this.finishing--;
            this.fail(new RunFailedError(step.code, `${step.what}: ${reasonOf(error)}`, { cause: error }));
          },
        );
        return;
      }
    }
    done();
  }

  /** The item's record is stored: count it, announce a reject, judge the reject budget. */
  private counted(lane: SourceLane<T>, record: OutcomeRecord): void {
    if (this.current === 'failed') return;
    const now = this.clock.now();
    this.watchdog?.activity(now);
    this.rate.add(now);
    lane[record.outcome === 'success' ? 'succeeded' : record.outcome === 'reject' ? 'rejected' : 'exhausted']++;
    if (record.outcome !== 'success') {
      this.emitter.emit('reject', record);
      this.judgeBudget();
    }
    if (now - this.lastProgressAt >= this.options.progressIntervalMs && this.emitter.has('progress')) {
      this.lastProgressAt = now;
      this.emitter.emit('progress', this.status());
    }
  }

  private budgetCounts(): { finished: number; rejected: number } {
    const rejected = this.sum('rejected') + this.sum('exhausted');
    return { finished: this.sum('succeeded') + rejected, rejected };
  }

  private judgeBudget(): void {
    const budget = this.options.rejectBudget;
    if (budget === false || this.current !== 'running') return;
    const now = this.budgetCounts();
    const counts = { finished: now.finished - this.budgetBase.finished, rejected: now.rejected - this.budgetBase.rejected };
    if (!isRejectBudgetExceeded(counts, budget)) return;
    const share = ((counts.rejected / counts.finished) * 100).toFixed(1);
    this.enterPause(
      'reject-budget',
      `${counts.rejected} of ${counts.finished} finished items were rejected (${share}% > ${(budget.maxRatio * 100).toFixed(1)}%): check the rejects, then resume() or stop()`,
    );
  }

  // ── Office-hours window ──────────────────────────────────────────────────
  // Calls go out only inside an allowed window [windowOpenedAt, windowClosesAt), computed once
  // per window; the dispatch loop compares the clock with both bounds (no calendar work per call).

  /** Runs now when the calendar allows it, otherwise waits for the next window. */
  private enterWindow(reason: string): void {
    const now = this.clock.now();
    const closed = this.calendar?.closedAt(now);
    if (closed !== undefined) {
      this.waitForWindow(closed);
      return;
    }
    this.openWindow(now);
    this.transition('running', reason, reason === 'window-open' ? openingMessage(this.calendar!, this.windowClosesAt) : undefined);
    this.pump();
  }

  /** The dispatch guard: true when `now` lies outside the current window (checked before every call). */
  private outsideWindow(now: number): boolean {
    return now >= this.windowClosesAt || now < this.windowOpenedAt;
  }

  /** Computes the window that contains `now` and sets the alarm of its end. */
  private openWindow(now: number): void {
    this.nextWindowAt = undefined;
    this.openAlarm.cancel();
    this.drainAlarm.cancel();
    if (this.calendar === undefined) return;
    this.windowOpenedAt = now;
    this.windowClosesAt = this.calendar.nextOfficeHoursStart(now).getTime();
    this.closeAlarm.set(this.windowClosesAt, () => this.windowClosed(this.clock.now()));
  }

  /**
   * The window closed: its alarm rang, or a dispatch saw an instant outside it (a late timer, a
   * clock set back). No new calls; calls in flight may finish until the drain deadline.
   */
  private windowClosed(now: number): void {
    const closed = this.calendar?.closedAt(now);
    if (closed === undefined) {
      this.openWindow(now); // the clock was set back to an allowed instant: a new window
      return;
    }
    const closingAt = Math.min(now, this.windowClosesAt);
    this.closeAlarm.cancel();
    this.windowOpenedAt = Number.POSITIVE_INFINITY;
    this.windowClosesAt = Number.NEGATIVE_INFINITY;
    this.windowReason = closed.reason;
    const inFlight = this.sum('inFlight');
    const deadline = closingAt + this.options.drainDeadlineMs;
    if (inFlight > 0) this.drainAlarm.set(deadline, () => this.drainDeadlinePassed(closed));
    if (this.current !== 'running') return; // paused or stopping: nothing is sent anyway; the deadline holds
    this.drainingForWindow = true;
    this.nextWindowAt = closed.opensAt.getTime();
    this.transition('draining', closed.reason, closingMessage(this.calendar!, closingAt, closed, inFlight, deadline));
    this.pump();
  }

  /** The drain deadline passed with calls still out: abort them; their items go back to the front of their queues. */
  private drainDeadlinePassed(closed: ClosedPeriod): void {
    const reason = new OfficeHoursError(
      `The call was aborted: the window closed and the drain deadline (${this.options.drainDeadlineMs} ms) passed; the item is queued again`,
      closed.opensAt,
      closed.reason,
    );
    for (const pending of this.inFlightItems.values()) {
      if (pending.abandoned || pending.interrupted) continue;
      pending.interrupted = true;
      pending.controller ??= new AbortController();
      pending.controller.abort(reason);
    }
  }

  /**
   * An attempt cut off by the closing window: it does not count against the item's attempts
   * (the source's `attempts` still counts the call), and the item goes back to the front of its
   * queue, before the items read after it (so items cut together keep their order).
   */
  private putBack(pending: PendingItem<T>): void {
    pending.attempts--;
    if (pending.probe) pending.lane.breaker?.withdrawProbe();
    const queue = pending.lane.queue;
    let at = 0;
    while (at < queue.length && queue[at]!.position < pending.position) at++;
    queue.splice(at, 0, pending);
  }

  // ── Stall watchdog ───────────────────────────────────────────────────────

  /** Calls out and nothing ended for `idleMs`: say so, and abort the calls when configured. */
  private stalled(idleMs: number): void {
    const now = this.clock.now();
    const inFlight: Record<string, number> = {};
    for (const lane of this.laneList) if (lane.inFlight + lane.finishing > 0) inFlight[lane.name] = lane.inFlight + lane.finishing;
    let aborted = 0;
    if (this.options.stall !== false && this.options.stall.abort) {
      const reason = new CallStalledError(idleMs);
      for (const pending of this.inFlightItems.values()) {
        if (pending.abandoned || pending.interrupted || pending.stalled) continue;
        pending.stalled = true;
        pending.controller ??= new AbortController();
        pending.controller.abort(reason);
        aborted++;
      }
    }
    this.emitter.emit('stalled', { at: now, idleMs, inFlight, aborted });
  }

  /** The last call of a closing window settled: wait for the next window. */
  private windowDrained(): void {
    this.drainingForWindow = false;
    this.drainAlarm.cancel();
    const now = this.clock.now();
    this.waitForWindow(this.calendar?.closedAt(now) ?? { reason: this.windowReason, opensAt: new Date(now) });
  }

  /** Goes `waiting` until the window opens, then runs (unless paused or stopped meanwhile). */
  private waitForWindow(closed: ClosedPeriod): void {
    this.closeAlarm.cancel();
    this.nextWindowAt = closed.opensAt.getTime();
    this.transition('waiting', closed.reason, waitingMessage(this.calendar!, closed));
    this.openAlarm.set(this.nextWindowAt, () => {
      if (this.current === 'waiting') this.enterWindow('window-open');
    });
    this.pump();
  }

  // ── Ending ───────────────────────────────────────────────────────────────

  private checkEnd(): void {
    if (this.current === 'draining' && this.drainingForWindow && this.sum('inFlight') === 0) this.windowDrained();
    if (this.finishing > 0) return;
    const stopping = this.current === 'draining';
    let held = 0;
    for (const lane of this.laneList) held += stopping ? lane.inFlight : lane.held();
    if (held > 0) return;
    if (stopping) this.transition('stopped', 'stop');
    else if ((this.current === 'running' || this.current === 'paused' || this.current === 'waiting') && this.inputExhausted && !this.reading) {
      this.transition('completed', 'completed');
    }
  }

  /** Final state reached: release timers and the input, then settle the promise of `start()`. */
  private close(): void {
    this.endedAt = this.clock.now();
    this.cancelScheduledResume();
    this.closeAlarm.cancel();
    this.openAlarm.cancel();
    this.drainAlarm.cancel();
    this.nextWindowAt = undefined;
    for (const lane of this.laneList) {
      if (lane.cooldownTimer !== undefined) this.clock.clearTimeout(lane.cooldownTimer);
      lane.cooldownTimer = undefined;
    }
    void this.reader?.close().catch(() => undefined);
    const status = this.status();
    const summary: RunSummary = { ...status, unfinished: this.read - status.totals.finished, endedAt: this.endedAt };
    this.emitter.emit('progress', summary);
    const settle = (closeError?: unknown) => {
      const closeFailure = closeError === undefined ? undefined : new RunFailedError('SHARED_CLOSE_FAILED', `The shared mode could not be closed: ${reasonOf(closeError)}`, { cause: closeError });
      const failure = this.failure ?? this.listenerFailure ?? closeFailure;
      if (failure !== undefined) this.settle.reject(failure);
      else this.settle.resolve(summary);
    };
    if (this.shared === undefined) settle();
    else this.shared.close().then(() => settle(), settle); // the run lock is released before start() settles
  }

  // ── Shared mode ──────────────────────────────────────────────────────────

  /** Opens the shared mode (Redis connection and run lock) when configured, then goes on with `then`. */
  private openShared(then: () => void): void {
    const shared = this.options.shared;
    if (shared === undefined) {
      then();
      return;
    }
    const hooks = {
      unavailable: (reason: string, at: number) => this.emitter.emit('shared-unavailable', { reason: maskNationalNumbers(reason), at }),
      restored: (at: number, downMs: number) => this.emitter.emit('shared-restored', { at, downMs }),
      fatal: (error: Error) => this.fail(error instanceof RunFailedError ? error : new RunFailedError('SHARED_STATE', `Shared mode: ${reasonOf(error)}`, { cause: error })),
    };
    SharedMode.open(shared, this.clock, hooks).then(
      (mode) => {
        if (isFinal(this.current)) {
          // Stopped while it was opening: start() has settled, so a failure to close has no one to
          // tell; the lock then expires after lockMs and the connection is dropped anyway.
          mode.close().catch(() => undefined);
          return;
        }
        this.shared = mode;
        then();
      },
      (error: unknown) => {
        const code = error instanceof Error && 'code' in error && (error.code === 'RUN_LOCKED' || error.code === 'PEER_MISSING') ? error.code : 'SHARED_START_FAILED';
        this.fail(new RunFailedError(code, `The shared mode could not start: ${reasonOf(error)}`, { cause: error }));
      },
    );
  }

  /**
   * Shared mode: the item holds a local slot (so the local cap holds) while it waits for a slot
   * of the shared cap, then is dispatched. If the run stopped, failed or paused meanwhile (or its
   * source was paused by the overload protection, or another item is its probe), the shared
   * slot is given back and the item goes back to the front of its queue.
   */
  private waitForLease(pending: PendingItem<T>, shared: SharedMode): void {
    const lane = pending.lane;
    lane.inFlight++;
    this.inFlightItems.set(pending.position, pending);
    const controller = new AbortController();
    pending.controller = controller; // aborted by stop({ inFlight: 'abort' }) and by a failure
    const ttlMs = leaseTtl(this.options.shared!, lane.config.timeoutMs);
    const waited = () => {
      lane.inFlight--;
      this.inFlightItems.delete(pending.position);
      pending.controller = undefined;
    };
    shared.acquire(lane.name, lane.config.cap, ttlMs, controller.signal).then(
      (lease) => {
        waited();
        const now = this.clock.now();
        // The office-hours guard holds here too: the lease may arrive after the window closed.
        const closed = this.outsideWindow(now);
        const paused = this.current !== 'running' || closed || !(lane.breaker?.canDispatch(now) ?? true);
        if (pending.abandoned || paused) {
          lease.release();
          if (!pending.abandoned && !isFinal(this.current)) lane.queue.unshift(pending);
          if (closed && this.current === 'running') this.windowClosed(now);
          this.pump();
          return;
        }
        pending.lease = lease;
        this.dispatch(pending, now);
      },
      (error: unknown) => {
        waited();
        if (pending.abandoned || isFinal(this.current)) this.pump();
        else this.fail(new RunFailedError('SHARED_STATE', `Shared mode: no slot of source ${lane.name} could be obtained: ${reasonOf(error)}`, { cause: error }));
      },
    );
  }

  private dropRetries(): void {
    for (const pending of this.retryingItems) {
      if (pending.retryTimer !== undefined) this.clock.clearTimeout(pending.retryTimer);
      pending.retryTimer = undefined;
      pending.lane.retrying--;
    }
    this.retryingItems.clear();
  }

  private abortInFlight(why: 'stop' | 'fatal'): void {
    for (const pending of this.inFlightItems.values()) {
      pending.abandoned = true;
      // Created if the call has not looked at its signal yet, so that a late look sees it aborted.
      (pending.controller ??= new AbortController()).abort(new Error(why === 'stop' ? 'The run was stopped' : 'The run failed'));
      if (why === 'fatal' && pending.timeoutTimer !== undefined) {
        this.clock.clearTimeout(pending.timeoutTimer);
        pending.timeoutTimer = undefined;
      }
    }
  }
}

/** The failure of a run whose input could not be read. */
function inputFailure(error: unknown): RunFailedError {
  if (error instanceof RunFailedError && error.outcomeCode === 'INPUT_ERROR') return error; // already says what broke (src/input-protocol.ts)
  return new RunFailedError('INPUT_ERROR', `Reading the input failed: ${reasonOf(error)}`, { cause: error });
}

/** What the run tells its store when it starts: its sources' caps, with any override's reason. */
function runMeta<T, R>(options: ResolvedRunOptions<T, R>, startedAt: number, announcement: AnnouncementRecord): RunMeta {
  const sources: Record<string, SourceRecord> = {};
  for (const { name, kind, cap, policyCap, overrideReason } of options.sources.values()) {
    sources[name] = overrideReason === undefined ? { kind, cap, policyCap } : { kind, cap, policyCap, overrideReason };
  }
  return {
    startedAt: new Date(startedAt).toISOString(),
    sources,
    ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
    calendar: calendarRecord(options.calendar),
    ...(options.name === undefined ? {} : { name: options.name }),
    announcement,
  };
}

/** The call's context; its signal is created on first use (a call that never looks costs no controller). */
function contextFor<T>(pending: PendingItem<T>): CallContext {
  return new AttemptContext(pending);
}

/**
 * Creates a run. Validates the configuration at once (zod, then the BCSS cap policy); nothing
 * is read or called before `start()`.
 *
 * @throws {ConfigError} a malformed field, with its path.
 * @throws {PolicyError} a cap above the BCSS policy without a written override.
 */
export function createRun<T, R = unknown>(options: RunOptions<T, R>): BulkRun<T, R> {
  return new BulkRun(options);
}
