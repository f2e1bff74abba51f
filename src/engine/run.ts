/**
 * The run engine's facade. A {@link BulkRun} reads items lazily from its input, calls the
 * caller's function for each one under its source's cap, classifies every attempt, retries
 * transient failures with backoff (without holding a slot), records every finished item in its
 * store, and owns the run's state. It wires parts with one job each, each behind a narrow
 * context, and keeps the public API (start, pause, resume, stop, status, events):
 *
 * - {@link Lifecycle} (lifecycle.ts): the state machine, why it pauses, why it drains;
 * - {@link Intake} (intake.ts): read-ahead, resume skipping, fingerprints, precheck;
 * - {@link Lanes} (lanes.ts, source-lane.ts): each source's queue and books;
 * - {@link Dispatcher} (dispatcher.ts): slots, the window guard, the shared slot gate, timeouts;
 * - {@link Settler} (settler.ts), asking outcomes.ts and policy/retry.ts; {@link Retries} (retries.ts);
 * - {@link Finisher} (finisher.ts): onSuccess, the store, accounting, the reject budget;
 * - {@link OfficeWindow} (office-window.ts): the office-hours window and its drain;
 * - the stall watchdog (stall-watchdog.ts) and the shared mode (src/shared/).
 */
import { checkAnnouncement } from '../policy/announcement.js';
import { officeCalendarOf } from '../calendar/run-calendar.js';
import { reasonOf } from '../util/reason.js';
import { composeClassifiers } from '../policy/classify.js';
import { RetryPolicy } from '../policy/retry.js';
import { systemClock, type Clock } from '../util/clock.js';
import { parseRunOptions, type ResolvedRunOptions, type RunOptions } from './config.js';
import { TypedEmitter } from '../util/emitter.js';
import { CallStalledError, OfficeHoursError, RunStateError } from './errors.js';
import { RunFailedError } from '../util/errors.js';
import type { RunEvents } from './events.js';
import { attachRunLogger } from './run-logger.js';
import type { SharedMode } from '../shared/shared-mode.js';
import { openShared } from './shared-link.js';
import { snapshot } from './snapshot.js';
import { watchdogFor, type StallWatchdog } from './stall-watchdog.js';
import { leaseTtl } from '../shared/shared-options.js';
import type { ControlRequest, RunState } from './state-machine.js';
import { YieldBudget } from '../util/yield-budget.js';
import { refusalMessage } from './window-messages.js';
import type { RunStatus, RunSummary, StopOptions } from './status.js';
import { MemoryStore, type ResumeState, type RunStore } from '../store/store.js';
import { Lifecycle } from './lifecycle.js';
import { Lanes } from './lanes.js';
import { Intake } from './intake.js';
import { Dispatcher } from './dispatcher.js';
import { Settler } from './settler.js';
import { Retries } from './retries.js';
import { Finisher } from './finisher.js';
import { OfficeWindow } from './office-window.js';
import { runMeta } from './run-meta.js';
import { Pump } from './pump.js';
import { Recorder, recorderSettings } from './recorder.js';
import { RunControl } from './control/run-control.js';

export type { RunTotals, RunStatus, RunSummary, StopOptions } from './status.js';

/**
 * A bulk run over a stream of items. Create it with {@link createRun}, listen to its events,
 * then `await run.start()`.
 */
export class BulkRun<T, R = unknown> {
  private readonly options: ResolvedRunOptions<T, R>;
  private readonly clock: Clock;
  private readonly store: RunStore;
  private readonly emitter: TypedEmitter<RunEvents>;
  private readonly lifecycle: Lifecycle;
  private readonly lanes: Lanes<T>;
  private readonly intake: Intake<T>;
  private readonly dispatcher: Dispatcher<T, R>;
  private readonly retries: Retries<T>;
  private readonly finisher: Finisher<T, R>;
  private readonly window: OfficeWindow;
  /** Measures the calls for the compliance records (a FileStore's run directory). */
  private readonly recorder: Recorder;
  /** Raises `stalled` when calls are out and nothing ends (undefined when switched off). */
  private readonly watchdog: StallWatchdog | undefined;
  private readonly pumper: Pump;
  /** Live files, commands, the abort signal (engine/control/). */
  private readonly control: RunControl;
  private startedAt: number | undefined;
  private settle!: { resolve: (summary: RunSummary) => void; reject: (error: unknown) => void };
  private readonly finished: Promise<RunSummary>;
  private failure: RunFailedError | undefined;
  private listenerFailure: RunFailedError | undefined;
  /** Shared mode: the Redis slot gate and run lock, once open. */
  private shared: SharedMode | undefined;

  /**
   * Validates the configuration; nothing is read or called before {@link start}.
   *
   * @throws {ConfigError} a malformed field, with its path.
   * @throws {PolicyError} a cap above the BCSS policy without a written override.
   */
  constructor(options: RunOptions<T, R>) {
    const o = (this.options = parseRunOptions(options));
    const clock = (this.clock = o.clock ?? systemClock);
    this.store = o.store ?? new MemoryStore();
    const budget = new YieldBudget(clock);
    this.pumper = new Pump(budget, () => this.turn());
    this.emitter = new TypedEmitter<RunEvents>((error, event) => {
      const failure = new RunFailedError('LISTENER_ERROR', `A listener of the '${String(event)}' event threw: ${reasonOf(error)}`, { cause: error });
      // Kept for close(): a listener of the final events throws when the run can no longer fail.
      this.listenerFailure ??= failure;
      queueMicrotask(() => this.fail(failure));
    });
    const pump = () => this.pump();
    const fail = (error: RunFailedError) => this.fail(error);
    const activity = (now: number) => this.watchdog?.activity(now);
    const lifecycle = (this.lifecycle = new Lifecycle(clock, {
      changed: (change) => {
        this.watchdog?.follow(change.to === 'running' || change.to === 'draining');
        this.emitter.emit('state', change);
        this.control.changed();
      },
      ended: () => this.close(),
    }));
    const lanes = (this.lanes = new Lanes<T>(o.sources.values(), o.overload));
    const finisher = (this.finisher = new Finisher<T, R>(clock, this.store, lanes, this.emitter, o, {
      lifecycle,
      fail,
      pump,
      activity,
      pauseForBudget: (message) => lifecycle.to('paused', 'reject-budget', message),
      status: () => this.status(),
    }));
    this.intake = new Intake<T>(o, this.store, lanes, budget, {
      lifecycle,
      waiting: () => lanes.waiting() + finisher.pending,
      refuse: (pending, code, reason) => {
        pending.firstAttemptAt = pending.lastAttemptAt = clock.now();
        finisher.finish(pending, 'reject', code, reason);
      },
      fail,
      pump,
    });
    this.retries = new Retries<T>(clock, this.emitter, pump);
    const retryPolicy = new RetryPolicy(o.retry, o.random);
    const settler = new Settler<T, R>(clock, this.emitter, composeClassifiers(o.classify), o.classify !== undefined, retryPolicy, this.retries, { lifecycle, finisher, activity, fail, pump });
    const recorder = (this.recorder = new Recorder(clock, recorderSettings(o), { on: (event, listener) => this.emitter.on(event, listener), fail }));
    const window = (this.window = new OfficeWindow(
      clock,
      officeCalendarOf(o.calendar),
      o.drainDeadlineMs,
      { lifecycle, inFlight: () => lanes.sum('inFlight'), interrupt: (reason) => void this.dispatcher.cutAll('interrupted', reason), pump },
    ));
    this.dispatcher = new Dispatcher<T, R>(
      clock,
      lanes,
      { call: o.call, maxConcurrency: o.maxConcurrency, leaseTtl: (holdMs) => leaseTtl(o.shared!, holdMs) },
      {
        lifecycle,
        outsideWindow: (now) => window.outside(now),
        windowClosed: (now) => window.closed(now),
        settled: (pending, attempt, result) => settler.settled(pending, attempt, result),
        fail,
        pump,
        recorder,
      },
    );
    this.watchdog = watchdogFor(o.stall, clock, [...o.sources.values()].map((source) => source.timeoutMs), {
      busy: () => lanes.occupied() > 0,
      stalled: (idleMs) => this.stalled(idleMs),
    });
    this.control = new RunControl(this, { fail, lifecycle, lanes, pump }, clock, o, this.store);
    if (o.logger !== undefined) attachRunLogger(this, o.logger); // detached with the run: its listeners go with it
    this.finished = new Promise<RunSummary>((resolve, reject) => void (this.settle = { resolve, reject }));
  }

  /** The run's current state. */
  get state(): RunState {
    return this.lifecycle.state;
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
    const lifecycle = this.lifecycle;
    if (lifecycle.state !== 'idle' || this.startedAt !== undefined) {
      return Promise.reject(new RunStateError(`start() called on a run that is ${lifecycle.state}`));
    }
    const now = this.clock.now();
    const announced = checkAnnouncement(this.options.announcement, now, this.options.calendar.timeZone);
    if (!announced.ok) return Promise.reject(announced.error);
    const calendar = this.window.calendar;
    const closed = this.options.waitForWindow ? undefined : calendar?.closedAt(now);
    if (closed !== undefined) return Promise.reject(new OfficeHoursError(refusalMessage(calendar!, now, closed), closed.opensAt, closed.reason));
    this.startedAt = now;
    this.finisher.started(now);
    this.intake.open();
    const meta = runMeta(this.options, now, announced.record);
    let resume: void | ResumeState;
    const open = (): void | Promise<void> => {
      const opened = this.store.open(meta);
      if (!(opened instanceof Promise)) resume = opened;
      else return opened.then((state) => void (resume = state));
    };
    this.openShared(() =>
      this.finisher.runSteps([{ run: open, code: 'STORE_FAILED', what: 'The store could not be opened' }, { run: () => this.recorder.open(this.store, meta, now), code: 'STORE_FAILED', what: 'The compliance records could not be opened' }], () => {
        if (lifecycle.state !== 'idle') return; // stopped while the store was opening
        if (resume !== undefined && !this.intake.resumeFrom(resume)) return;
        this.control.begin(() => this.window.enter('start'));
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
   * `request` says who pauses and why (kept in the `state` event and in `status().pausedBy`).
   *
   * @throws {RunStateError} when the run is not running, waiting or paused.
   */
  pause(request: ControlRequest = {}): void {
    const lifecycle = this.lifecycle;
    const origin = request.origin ?? 'api';
    const code = origin === 'institution' ? 'institution' : 'manual';
    if (lifecycle.state === 'paused') {
      lifecycle.cancelScheduledResume();
      return;
    }
    if (lifecycle.state !== 'running' && lifecycle.state !== 'waiting' && !lifecycle.windowClosing) throw new RunStateError(`pause() called on a run that is ${lifecycle.state}`);
    if (lifecycle.state !== 'running') this.window.forget(); // waiting, or draining as the window closes: calls in flight still finish, within the drain deadline
    lifecycle.asking({ origin, reason: request.reason }, () => lifecycle.to('paused', code));
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
  resume(request: ControlRequest = {}): Date {
    const lifecycle = this.lifecycle;
    const asked = { origin: request.origin ?? 'api', reason: request.reason } as const;
    const now = this.clock.now();
    if (lifecycle.state === 'running') return new Date(now);
    if (lifecycle.state === 'waiting' || lifecycle.windowClosing) return new Date(this.window.nextWindowAt ?? now);
    if (lifecycle.state !== 'paused') throw new RunStateError(`resume() called on a run that is ${lifecycle.state}`);
    const earliest = lifecycle.pausedAt + this.options.minPauseMs;
    if (now >= earliest) {
      lifecycle.asking(asked, () => this.leavePause());
      return new Date(this.state === 'waiting' ? (this.window.nextWindowAt ?? now) : now); // `state`: leavePause() changed it
    }
    if (lifecycle.resumesAt === undefined) {
      lifecycle.scheduleResume(earliest, () => lifecycle.asking(asked, () => this.leavePause()));
      this.emitter.emit('resume-scheduled', { at: earliest });
    }
    return new Date(lifecycle.resumesAt ?? earliest);
  }

  /**
   * Stops the run: no new calls, retries dropped; in-flight calls are awaited (default) or
   * aborted. Items not finished stay unfinished (never rejected). Resolves with the summary
   * once nothing is in flight.
   */
  stop(options: StopOptions = {}): Promise<RunSummary> {
    return this.lifecycle.asking({ origin: options.origin ?? 'api', reason: options.reason }, () => this.stopNow(options.inFlight === 'abort'));
  }

  private stopNow(abort: boolean): Promise<RunSummary> {
    const lifecycle = this.lifecycle;
    if (lifecycle.state === 'idle') {
      if (this.startedAt === undefined) return Promise.reject(new RunStateError('stop() called on a run that was never started'));
      lifecycle.to('stopped', 'stop'); // stopped while its store was opening: nothing was sent
      return this.finished;
    }
    if (lifecycle.windowClosing) {
      lifecycle.stopDraining(); // the drain now ends in `stopped`; its deadline still holds
      this.window.forget();
      this.retries.drop();
      if (abort) this.dispatcher.abandonAll('stop');
      this.pump();
      return this.finished;
    }
    if (lifecycle.final || lifecycle.state === 'draining') {
      if (abort) this.dispatcher.abandonAll('stop');
      return this.finished;
    }
    lifecycle.cancelScheduledResume();
    this.window.forget();
    lifecycle.to('draining', 'stop', undefined, 'stopping');
    this.retries.drop();
    if (abort) this.dispatcher.abandonAll('stop');
    this.pump();
    return this.finished;
  }

  /** A snapshot of the run: state, totals and counts per source. */
  status(): RunStatus {
    const { lifecycle, lanes, intake, finisher, window } = this;
    return snapshot({ lifecycle, lanes, intake, finisher, window }, this.clock.now(), this.startedAt);
  }

  private leavePause(): void {
    this.lifecycle.cancelScheduledResume();
    if (this.lifecycle.pauseReason === 'reject-budget') this.finisher.resetBudget();
    this.window.enter('resume');
  }

  private fail(error: RunFailedError): void {
    if (this.lifecycle.final || this.failure !== undefined) return;
    this.failure = error;
    this.retries.drop();
    this.dispatcher.abandonAll('fatal'); // a slot given back here pumps: checkEnd() waits for the line below
    this.lifecycle.to('failed', error.outcomeCode, error.message);
  }

  /** Calls out and nothing ended for `idleMs`: say so, and abort the calls when configured. */
  private stalled(idleMs: number): void {
    const now = this.clock.now();
    const inFlight = this.lanes.busy();
    const stall = this.options.stall;
    const aborted = stall !== false && stall.abort ? this.dispatcher.cutAll('stalled', new CallStalledError(idleMs)) : 0;
    this.emitter.emit('stalled', { at: now, idleMs, inFlight, aborted });
  }

  /** Reads ahead, dispatches what the caps allow, and detects the end (see pump.ts). */
  private pump(): void {
    this.pumper.run();
  }

  /** One turn of the pump. */
  private turn(): void {
    this.intake.readAhead();
    if (this.lifecycle.state === 'running') this.dispatcher.dispatchAll();
    this.checkEnd();
  }

  /** A closing window whose calls are all in waits for the next; then the run ends if nothing is left. */
  private checkEnd(): void {
    if (this.failure !== undefined && !this.lifecycle.final) return; // failing: fail() ends the run
    if (this.lifecycle.windowClosing && this.lanes.sum('inFlight') === 0) this.window.drained();
    this.lifecycle.endIfDone(this.finisher.pending, this.lanes, this.intake.exhausted && !this.intake.reading);
  }

  /** Final state reached: release timers and the input, then settle the promise of `start()`. */
  private close(): void {
    const endedAt = this.clock.now();
    this.lifecycle.cancelScheduledResume();
    this.window.close();
    this.lanes.clearCooldowns(this.clock);
    this.intake.close();
    const status = this.status();
    const summary: RunSummary = { ...status, unfinished: this.intake.read - status.totals.finished, endedAt };
    this.emitter.emit('progress', summary);
    const settle = (closeError?: unknown) => {
      const closeFailure = closeError === undefined || closeError instanceof RunFailedError ? closeError : new RunFailedError('SHARED_CLOSE_FAILED', `The shared mode could not be closed: ${reasonOf(closeError)}`, { cause: closeError });
      const failure = this.failure ?? this.listenerFailure ?? closeFailure;
      if (failure !== undefined) this.settle.reject(failure);
      else this.settle.resolve(summary);
    };
    const closed = (error?: unknown) => this.control.close().then(() => settle(error), (controlError: unknown) => settle(error ?? controlError));
    if (this.shared === undefined) void closed();
    else this.shared.close().then(() => closed(), closed); // the run lock is released before start() settles
  }

  /** Opens the shared mode (Redis connection and run lock) when configured, then goes on with `then`. */
  private openShared(then: () => void): void {
    const link = { emitter: this.emitter, fail: (error: RunFailedError) => this.fail(error), ended: () => this.lifecycle.final };
    openShared(this.options.shared, this.clock, link, (mode) => {
      if (mode !== undefined) this.dispatcher.useGate((this.shared = mode));
      then();
    });
  }
}
