/**
 * The run engine. A {@link BulkRun} reads items lazily from its input, calls the caller's
 * function for each one under its source's cap, classifies every attempt, retries transient
 * failures with backoff (without holding a slot), records every finished item in its store,
 * and owns the run's state: one field, changed only through the state machine.
 *
 * Reading order of this file: public types, then the class: its public API (start, pause,
 * resume, stop, status), then state changes, reading, dispatching, outcomes, finishing, ending.
 */
import { AttemptContext } from './attempt-context.js';
import { retryDelay } from './backoff.js';
import { isRejectBudgetExceeded } from './budget.js';
import { composeClassifiers, reasonOf, type AttemptResult, type Classification, type ClassifyContext } from './classify.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { parseRunOptions, type CallContext, type ResolvedRunOptions, type RunOptions } from './config.js';
import { TypedEmitter } from './emitter.js';
import { CallTimeoutError, RunFailedError, RunStateError } from './errors.js';
import type { RunEvents, StateChange } from './events.js';
import { openInput, type InputReader, type Read } from './input.js';
import { isoInstant } from './instant.js';
import { maskNationalNumbers } from './privacy.js';
import { RateMeter } from './rate.js';
import { SourceLane, type PendingItem, type SourceStatus } from './source-lane.js';
import { canTransition, isFinal, type PauseReason, type RunState } from './state-machine.js';
import { MemoryStore, type ItemOutcome, type OutcomeRecord, type RunMeta, type RunStore, type SourceRecord } from './store.js';

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
}

/** A caller-supplied step of finishing an item (onSuccess, store), and how its failure is reported. */
interface Step {
  readonly run: () => void | Promise<void>;
  readonly code: string;
  readonly what: string;
}

type Counter = 'inFlight' | 'retrying' | 'succeeded' | 'rejected' | 'exhausted' | 'attempts' | 'retries';

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
  private nextLane = 0;

  private settle!: { resolve: (summary: RunSummary) => void; reject: (error: unknown) => void };
  private readonly finished: Promise<RunSummary>;
  private failure: RunFailedError | undefined;
  private listenerFailure: RunFailedError | undefined;

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
    this.finished = new Promise<RunSummary>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  /** The run's current state. */
  get state(): RunState {
    return this.current;
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
   */
  start(): Promise<RunSummary> {
    if (this.current !== 'idle' || this.startedAt !== undefined) {
      return Promise.reject(new RunStateError(`start() called on a run that is ${this.current}`));
    }
    this.startedAt = this.clock.now();
    this.rate = new RateMeter(this.startedAt);
    this.reader = openInput(this.options.input);
    const meta = runMeta(this.options, this.startedAt);
    this.runSteps([{ run: () => this.store.open(meta), code: 'STORE_FAILED', what: 'The store could not be opened' }], () => {
      if (this.current !== 'idle') return; // stopped while the store was opening
      this.transition('running', 'start');
      this.pump();
    });
    return this.finished;
  }

  /**
   * Stops new calls; calls in flight finish and are recorded. A paused run stays paused until
   * {@link resume} (or {@link stop}); pausing it again cancels a scheduled resumption.
   *
   * @throws {RunStateError} when the run is not running or paused.
   */
  pause(): void {
    if (this.current === 'paused') {
      this.cancelScheduledResume();
      return;
    }
    if (this.current !== 'running') throw new RunStateError(`pause() called on a run that is ${this.current}`);
    this.enterPause('manual');
  }

  /**
   * Resumes a paused run, no earlier than `minPauseMs` after the pause (the BCSS asks for a
   * delay between an interruption and its resumption). Returns the instant the run resumes:
   * now, or later, in which case a `resume-scheduled` event says when.
   *
   * @throws {RunStateError} when the run is not paused or running.
   */
  resume(): Date {
    if (this.current === 'running') return new Date(this.clock.now());
    if (this.current !== 'paused') throw new RunStateError(`resume() called on a run that is ${this.current}`);
    const now = this.clock.now();
    const earliest = this.pausedAt + this.options.minPauseMs;
    if (now >= earliest) {
      this.leavePause();
      return new Date(now);
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
    if (isFinal(this.current) || this.current === 'draining') {
      if (abort) this.abortInFlight('stop');
      return this.finished;
    }
    this.cancelScheduledResume();
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
    this.transition('running', 'resume');
    this.pump();
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
    if (this.current !== 'running' && this.current !== 'paused') return;
    while (this.queued() + this.sum('retrying') < this.options.prefetch) {
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
      return false;
    }
    const position = this.read++;
    const item = result.value;
    let name: string;
    let key: string;
    try {
      name = this.options.sourceOf(item);
      key = this.options.key === undefined ? `#${position}` : maskNationalNumbers(String(this.options.key(item, position)));
    } catch (error) {
      this.fail(new RunFailedError('PROGRAMMER_ERROR', `The source or key function threw for item #${position}: ${reasonOf(error)}`, { cause: error }));
      return false;
    }
    const lane = this.lanes.get(name);
    if (lane === undefined) {
      const configured = [...this.lanes.keys()].join(', ');
      this.fail(new RunFailedError('UNKNOWN_SOURCE', `Item #${position} belongs to source '${maskNationalNumbers(String(name))}', which is not configured (configured: ${configured})`));
      return false;
    }
    lane.queue.push({
      item,
      position,
      key,
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
    });
    return true;
  }

  // ── Dispatching ──────────────────────────────────────────────────────────

  /**
   * Starts calls while slots are free (per source, and in all), round-robin: each source in
   * turn starts at most one call, until no source can start one.
   */
  private dispatchAll(): void {
    const count = this.laneList.length;
    const globalCap = this.options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    let inFlight = this.sum('inFlight');
    let idleTurns = 0;
    const now = this.clock.now();
    while (this.current === 'running' && inFlight < globalCap && idleTurns < count) {
      const lane = this.laneList[this.nextLane]!;
      this.nextLane = (this.nextLane + 1) % count;
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
    const lane = pending.lane;
    pending.probe = lane.started(now);
    this.inFlightItems.set(pending.position, pending);
    pending.attempts++;
    if (pending.attempts === 1) pending.firstAttemptAt = now;
    pending.lastAttemptAt = now;
    pending.timedOut = false;
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
    if (pending.timeoutTimer !== undefined) this.clock.clearTimeout(pending.timeoutTimer);
    pending.timeoutTimer = undefined;
    lane.inFlight--;
    this.inFlightItems.delete(pending.position);
    if (pending.abandoned || this.current === 'failed') {
      this.pump();
      return;
    }
    const now = this.clock.now();
    let verdict: Classification;
    try {
      verdict = this.classify(result, { now, timedOut: pending.timedOut });
    } catch (error) {
      this.fail(new RunFailedError('PROGRAMMER_ERROR', `The classifier threw: ${reasonOf(error)}`, { cause: error }));
      return;
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
        } else if (this.current !== 'draining') {
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
      key: pending.key,
      source: pending.lane.name,
      outcome,
      attempts: pending.attempts,
      firstAttemptAt: isoInstant(pending.firstAttemptAt),
      lastAttemptAt: isoInstant(pending.lastAttemptAt),
    };
    if (code !== undefined) record.code = code; // assigned, not spread: spreads cost a slow path per item
    if (reason !== undefined) record.reason = reason;
    const steps: Step[] = [];
    const onSuccess = this.options.onSuccess;
    if (outcome === 'success' && onSuccess !== undefined) {
      const info = { position: pending.position, key: pending.key, source: record.source, attempts: pending.attempts, ...(code === undefined ? {} : { code }) };
      steps.push({ run: () => onSuccess(pending.item, value as R, info), code: 'ON_SUCCESS_FAILED', what: `onSuccess threw for item ${pending.key}` });
    }
    steps.push({ run: () => this.store.record(record), code: 'STORE_FAILED', what: 'The store could not record an outcome' });
    this.runSteps(steps, () => this.counted(pending.lane, record));
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

  // ── Ending ───────────────────────────────────────────────────────────────

  private checkEnd(): void {
    if (this.finishing > 0) return;
    let held = 0;
    for (const lane of this.laneList) held += this.current === 'draining' ? lane.inFlight : lane.held();
    if (held > 0) return;
    if (this.current === 'draining') this.transition('stopped', 'stop');
    else if ((this.current === 'running' || this.current === 'paused') && this.inputExhausted && !this.reading) this.transition('completed', 'completed');
  }

  /** Final state reached: release timers and the input, then settle the promise of `start()`. */
  private close(): void {
    this.endedAt = this.clock.now();
    this.cancelScheduledResume();
    for (const lane of this.laneList) {
      if (lane.cooldownTimer !== undefined) this.clock.clearTimeout(lane.cooldownTimer);
      lane.cooldownTimer = undefined;
    }
    void this.reader?.close().catch(() => undefined);
    const status = this.status();
    const summary: RunSummary = { ...status, unfinished: this.read - status.totals.finished, endedAt: this.endedAt };
    this.emitter.emit('progress', summary);
    const failure = this.failure ?? this.listenerFailure;
    if (failure !== undefined) this.settle.reject(failure);
    else this.settle.resolve(summary);
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
      pending.controller?.abort(new Error(why === 'stop' ? 'The run was stopped' : 'The run failed'));
      if (why === 'fatal' && pending.timeoutTimer !== undefined) {
        this.clock.clearTimeout(pending.timeoutTimer);
        pending.timeoutTimer = undefined;
      }
    }
  }
}

/** The failure of a run whose input could not be read. */
function inputFailure(error: unknown): RunFailedError {
  return new RunFailedError('INPUT_ERROR', `Reading the input failed: ${reasonOf(error)}`, { cause: error });
}

/** What the run tells its store when it starts: its sources' caps, with any override's reason. */
function runMeta<T, R>(options: ResolvedRunOptions<T, R>, startedAt: number): RunMeta {
  const sources: Record<string, SourceRecord> = {};
  for (const { name, kind, cap, policyCap, overrideReason } of options.sources.values()) {
    sources[name] = overrideReason === undefined ? { kind, cap, policyCap } : { kind, cap, policyCap, overrideReason };
  }
  return {
    startedAt: new Date(startedAt).toISOString(),
    sources,
    ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
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
