/**
 * The run engine. A {@link BulkRun} pulls items lazily from its input, calls the caller's
 * function for each one under its source's cap, classifies every attempt, retries transient
 * failures with backoff (without holding a slot), records every finished item in its store,
 * and owns the run's state: one field, changed only through the state machine.
 */
import { retryDelay } from './backoff.js';
import { isRejectBudgetExceeded } from './budget.js';
import { composeClassifiers, reasonOf, type AttemptResult, type Classification } from './classify.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { parseRunOptions, type CallContext, type ResolvedRunOptions, type ResolvedSource, type RunOptions } from './config.js';
import { TypedEmitter } from './emitter.js';
import { CallTimeoutError, RunFailedError, RunStateError } from './errors.js';
import { openInput, type InputReader, type Read } from './input.js';
import { SourceBreaker, type BreakerState } from './overload.js';
import { maskNationalNumbers } from './privacy.js';
import { RateMeter } from './rate.js';
import { canTransition, isFinal, type PauseReason, type RunState } from './state-machine.js';
import { MemoryStore, type ItemOutcome, type OutcomeRecord, type RunStore } from './store.js';

/** Counts of one source, in a {@link RunStatus}. */
export interface SourceStatus {
  readonly kind: ResolvedSource['kind'];
  readonly cap: number;
  /** Calls running now. */
  readonly inFlight: number;
  /** Highest number of simultaneous calls seen so far. */
  readonly peakInFlight: number;
  /** Items read and waiting for a slot. */
  readonly queued: number;
  /** Items waiting for their retry delay (they hold no slot). */
  readonly retrying: number;
  readonly succeeded: number;
  readonly rejected: number;
  /** Items whose transient failures outlasted the attempts. */
  readonly exhausted: number;
  readonly attempts: number;
  readonly retries: number;
  /** Overload protection state of the source. */
  readonly health: BreakerState;
}

/** Totals of a {@link RunStatus}. */
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

/** Payload of the `state` event. */
export interface StateChange {
  readonly from: RunState;
  readonly to: RunState;
  readonly at: number;
  /** Why: a pause reason, `stop`, `completed`, or the code of a fatal outcome. */
  readonly reason: string;
  readonly message?: string;
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
}

interface SourceRuntime {
  readonly config: ResolvedSource;
  readonly breaker: SourceBreaker | undefined;
  readonly queue: Entry<unknown>[];
  inFlight: number;
  peakInFlight: number;
  retrying: number;
  succeeded: number;
  rejected: number;
  exhausted: number;
  attempts: number;
  retries: number;
  cooldownTimer: TimerHandle | undefined;
}

interface Entry<T> {
  readonly item: T;
  readonly position: number;
  readonly key: string;
  readonly source: SourceRuntime;
  attempts: number;
  firstAttemptAt: number;
  lastAttemptAt: number;
  controller: AbortController | undefined;
  timeoutTimer: TimerHandle | undefined;
  retryTimer: TimerHandle | undefined;
  timedOut: boolean;
  probe: boolean;
  /** Set when the run gave up on the call (stop with abort, fatal): its outcome is ignored. */
  abandoned: boolean;
}

/** A caller-supplied step of finishing an item (onSuccess, store), and how its failure is reported. */
interface Step {
  readonly run: () => void | Promise<void>;
  readonly code: string;
  readonly what: string;
}

/** Options of {@link BulkRun.stop}. */
export interface StopOptions {
  /** `wait` (default): let in-flight calls finish; `abort`: abort them (their items stay unfinished). */
  readonly inFlight?: 'wait' | 'abort';
}

/**
 * A bulk run over a stream of items. Create it with {@link createRun}, listen to its events,
 * then `await run.start()`.
 */
export class BulkRun<T, R = unknown> {
  private readonly options: ResolvedRunOptions<T, R>;
  private readonly clock: Clock;
  private readonly store: RunStore;
  private readonly classify: (result: AttemptResult<R>, context: { now: number; timedOut: boolean }) => Classification;
  private readonly emitter: TypedEmitter<RunEvents>;
  private readonly sources = new Map<string, SourceRuntime>();
  private readonly inFlightEntries = new Set<Entry<T>>();
  private readonly retryingEntries = new Set<Entry<T>>();

  private current: RunState = 'idle';
  private pauseReason: PauseReason | undefined;
  private pausedAt = 0;
  private resumeTimer: TimerHandle | undefined;
  private resumesAt: number | undefined;
  private startedAt: number | undefined;
  private endedAt: number | undefined;
  private stopMode: 'wait' | 'abort' = 'wait';

  private reader: InputReader<T> | undefined;
  private reading = false;
  private inputExhausted = false;
  private read = 0;
  private queued = 0;
  private retrying = 0;
  private inFlight = 0;
  private finishing = 0;
  private succeeded = 0;
  private rejected = 0;
  private exhausted = 0;
  private budgetBase = { finished: 0, rejected: 0 };
  private rate: RateMeter;
  private lastProgressAt = 0;
  private pumping = false;
  private pumpAgain = false;
  private nextSourceIndex = 0;
  private readonly sourceList: SourceRuntime[];

  private settle: { resolve: (summary: RunSummary) => void; reject: (error: unknown) => void } | undefined;
  private readonly finished: Promise<RunSummary>;
  private failure: RunFailedError | undefined;

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
      queueMicrotask(() => this.fail(new RunFailedError('LISTENER_ERROR', `A listener of the '${String(event)}' event threw: ${reasonOf(error)}`, { cause: error })));
    });
    const overload = this.options.overload;
    for (const config of this.options.sources.values()) {
      this.sources.set(config.name, {
        config,
        breaker: overload === false ? undefined : new SourceBreaker(overload),
        queue: [],
        inFlight: 0,
        peakInFlight: 0,
        retrying: 0,
        succeeded: 0,
        rejected: 0,
        exhausted: 0,
        attempts: 0,
        retries: 0,
        cooldownTimer: undefined,
      });
    }
    this.sourceList = [...this.sources.values()];
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
   * stopped it (`failed`).
   *
   * @throws {RunStateError} when the run was already started.
   */
  start(): Promise<RunSummary> {
    if (this.current !== 'idle') return Promise.reject(new RunStateError(`start() called on a run that is ${this.current}`));
    this.startedAt = this.clock.now();
    this.rate = new RateMeter(this.startedAt);
    this.reader = openInput(this.options.input);
    const sources: Record<string, { kind: ResolvedSource['kind']; cap: number; policyCap: number; overrideReason?: string }> = {};
    for (const { name, kind, cap, policyCap, overrideReason } of this.options.sources.values()) {
      sources[name] = overrideReason === undefined ? { kind, cap, policyCap } : { kind, cap, policyCap, overrideReason };
    }
    const meta = {
      startedAt: new Date(this.startedAt).toISOString(),
      sources,
      ...(this.options.maxConcurrency === undefined ? {} : { maxConcurrency: this.options.maxConcurrency }),
    };
    const begin = () => {
      if (this.current !== 'idle') return;
      this.transition('running', 'start');
      this.pump();
    };
    this.runSteps([{ run: () => this.store.open(meta), code: 'STORE_FAILED', what: 'The store could not be opened' }], begin);
    return this.finished;
  }

  /**
   * Stops new calls; calls in flight finish and are recorded. A paused run stays paused until
   * {@link resume} (or {@link stop}). Does nothing on a paused run.
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
   * delay between an interruption and its resumption). Returns the instant the run resumes
   * (now, or later: a `resume-scheduled` event says when).
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
   * Stops the run: no new calls; in-flight calls are awaited (default) or aborted. Items not
   * finished stay unfinished (not rejected). Resolves with the summary once nothing is in flight.
   */
  stop(options: StopOptions = {}): Promise<RunSummary> {
    if (this.current === 'idle') return Promise.reject(new RunStateError('stop() called on a run that was never started'));
    if (isFinal(this.current) || this.current === 'draining') {
      if (options.inFlight === 'abort') this.abortInFlight('stop');
      return this.finished;
    }
    this.stopMode = options.inFlight ?? 'wait';
    this.cancelScheduledResume();
    this.transition('draining', 'stop');
    this.dropRetries();
    if (this.stopMode === 'abort') this.abortInFlight('stop');
    this.pump();
    return this.finished;
  }

  /** A snapshot of the run: state, totals and counts per source. */
  status(): RunStatus {
    const now = this.clock.now();
    const sources: Record<string, SourceStatus> = {};
    let attempts = 0;
    let retries = 0;
    for (const s of this.sourceList) {
      attempts += s.attempts;
      retries += s.retries;
      sources[s.config.name] = {
        kind: s.config.kind,
        cap: s.config.cap,
        inFlight: s.inFlight,
        peakInFlight: s.peakInFlight,
        queued: s.queue.length,
        retrying: s.retrying,
        succeeded: s.succeeded,
        rejected: s.rejected,
        exhausted: s.exhausted,
        attempts: s.attempts,
        retries: s.retries,
        health: s.breaker?.state(now) ?? 'healthy',
      };
    }
    return {
      state: this.current,
      pauseReason: this.pauseReason,
      resumesAt: this.resumesAt,
      at: now,
      startedAt: this.startedAt,
      inputExhausted: this.inputExhausted,
      totals: {
        read: this.read,
        inFlight: this.inFlight,
        queued: this.queued,
        retrying: this.retrying,
        succeeded: this.succeeded,
        rejected: this.rejected,
        exhausted: this.exhausted,
        finished: this.succeeded + this.rejected + this.exhausted,
        attempts,
        retries,
      },
      sources,
      ratePerSecond: this.rate.perSecond(now),
    };
  }

  // ── State ────────────────────────────────────────────────────────────────

  private transition(to: RunState, reason: string, message?: string): void {
    const from = this.current;
    if (from === to) return;
    if (!canTransition(from, to)) throw new Error(`bcss-bulk internal error: transition ${from} → ${to} is not allowed`);
    this.current = to;
    if (to !== 'paused') this.pauseReason = undefined;
    const change: StateChange = message === undefined ? { from, to, at: this.clock.now(), reason } : { from, to, at: this.clock.now(), reason, message };
    this.emitter.emit('state', change);
    if (isFinal(to)) this.close();
  }

  private enterPause(reason: PauseReason, message?: string): void {
    this.pausedAt = this.clock.now();
    this.transition('paused', reason, message);
    this.pauseReason = reason;
  }

  private leavePause(): void {
    if (this.pauseReason === 'reject-budget') {
      this.budgetBase = { finished: this.succeeded + this.rejected + this.exhausted, rejected: this.rejected + this.exhausted };
    }
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

  /** Final state reached: release timers and the input, settle the promise. */
  private close(): void {
    this.endedAt = this.clock.now();
    this.cancelScheduledResume();
    for (const s of this.sourceList) {
      if (s.cooldownTimer !== undefined) this.clock.clearTimeout(s.cooldownTimer);
      s.cooldownTimer = undefined;
    }
    void this.reader?.close().catch(() => undefined);
    const summary = this.summary();
    this.emitter.emit('progress', summary);
    if (this.failure !== undefined) this.settle?.reject(this.failure);
    else this.settle?.resolve(summary);
  }

  private summary(): RunSummary {
    const status = this.status();
    return { ...status, unfinished: this.read - status.totals.finished, endedAt: this.endedAt ?? status.at };
  }

  // ── Reading and dispatching ─────────────────────────────────────────────

  /** Reads ahead, dispatches what the caps allow, and detects the end. Re-entrant calls are folded. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.fill();
        if (this.current === 'running') this.dispatchAll();
        this.checkEnd();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private fill(): void {
    const reader = this.reader;
    if (reader === undefined || this.inputExhausted || this.reading) return;
    if (this.current !== 'running' && this.current !== 'paused') return;
    while (this.queued + this.retrying < this.options.prefetch) {
      if (!reader.sync) {
        this.reading = true;
        (reader.next() as Promise<Read<T>>).then(
          (result) => {
            this.reading = false;
            if (isFinal(this.current)) return;
            this.accept(result);
            this.pump();
          },
          (error: unknown) => {
            this.reading = false;
            this.fail(new RunFailedError('INPUT_ERROR', `Reading the input failed: ${reasonOf(error)}`, { cause: error }));
          },
        );
        return;
      }
      let result: Read<T>;
      try {
        result = reader.next() as Read<T>;
      } catch (error) {
        this.fail(new RunFailedError('INPUT_ERROR', `Reading the input failed: ${reasonOf(error)}`, { cause: error }));
        return;
      }
      if (!this.accept(result)) return;
    }
  }

  /** Queues an item read from the input; false when there is nothing more to read. */
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
    const source = this.sources.get(name);
    if (source === undefined) {
      this.fail(new RunFailedError('UNKNOWN_SOURCE', `Item #${position} belongs to source '${maskNationalNumbers(String(name))}', which is not configured (configured: ${[...this.sources.keys()].join(', ')})`));
      return false;
    }
    const entry: Entry<T> = {
      item,
      position,
      key,
      source,
      attempts: 0,
      firstAttemptAt: 0,
      lastAttemptAt: 0,
      controller: undefined,
      timeoutTimer: undefined,
      retryTimer: undefined,
      timedOut: false,
      probe: false,
      abandoned: false,
    };
    source.queue.push(entry as Entry<unknown>);
    this.queued++;
    return true;
  }

  /** Dispatches round-robin across sources while slots are free. */
  private dispatchAll(): void {
    const count = this.sourceList.length;
    const globalCap = this.options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    let progressed = true;
    while (progressed && this.current === 'running') {
      progressed = false;
      for (let i = 0; i < count && this.inFlight < globalCap; i++) {
        const source = this.sourceList[(this.nextSourceIndex + i) % count]!;
        if (source.queue.length === 0 || source.inFlight >= source.config.cap) continue;
        const now = this.clock.now();
        if (source.breaker !== undefined && !source.breaker.canDispatch(now)) continue;
        const entry = source.queue.shift() as Entry<T>;
        this.queued--;
        this.dispatch(entry, now);
        progressed = true;
        if (this.current !== 'running') return;
      }
      this.nextSourceIndex = (this.nextSourceIndex + 1) % count;
    }
  }

  private dispatch(entry: Entry<T>, now: number): void {
    const source = entry.source;
    source.inFlight++;
    if (source.inFlight > source.peakInFlight) source.peakInFlight = source.inFlight;
    source.attempts++;
    this.inFlight++;
    this.inFlightEntries.add(entry);
    entry.attempts++;
    if (entry.attempts === 1) entry.firstAttemptAt = now;
    entry.lastAttemptAt = now;
    entry.timedOut = false;
    entry.controller = undefined;
    entry.probe = source.breaker?.dispatched(now) ?? false;
    const timeoutMs = source.config.timeoutMs;
    entry.timeoutTimer = this.clock.setTimeout(() => {
      entry.timeoutTimer = undefined;
      entry.timedOut = true;
      entry.controller?.abort(new CallTimeoutError(timeoutMs));
    }, timeoutMs);

    let pending: Promise<R> | R;
    try {
      pending = this.options.call(entry.item, this.contextFor(entry));
    } catch (error) {
      pending = Promise.reject(error);
    }
    Promise.resolve(pending).then(
      (value) => this.settled(entry, { ok: true, value }),
      (error: unknown) => this.settled(entry, { ok: false, error }),
    );
  }

  /** The call's context; its signal is created on first use (most calls in tests never look). */
  private contextFor(entry: Entry<T>): CallContext {
    const attempt = entry.attempts;
    return {
      get signal() {
        if (entry.controller === undefined) {
          entry.controller = new AbortController();
          if (entry.timedOut) entry.controller.abort(new CallTimeoutError(entry.source.config.timeoutMs));
        }
        return entry.controller.signal;
      },
      attempt,
      source: entry.source.config.name,
      position: entry.position,
      key: entry.key,
    };
  }

  // ── Outcomes ─────────────────────────────────────────────────────────────

  private settled(entry: Entry<T>, result: AttemptResult<R>): void {
    const source = entry.source;
    if (entry.timeoutTimer !== undefined) this.clock.clearTimeout(entry.timeoutTimer);
    entry.timeoutTimer = undefined;
    source.inFlight--;
    this.inFlight--;
    this.inFlightEntries.delete(entry);
    if (entry.abandoned || this.current === 'failed') {
      this.pump();
      return;
    }
    const now = this.clock.now();
    let verdict: Classification;
    try {
      verdict = this.classify(result, { now, timedOut: entry.timedOut });
    } catch (error) {
      this.fail(new RunFailedError('PROGRAMMER_ERROR', `The classifier threw: ${reasonOf(error)}`, { cause: error }));
      return;
    }
    this.noteHealth(source, verdict.class === 'transient', entry.probe, now);

    switch (verdict.class) {
      case 'success':
        this.finish(entry, 'success', verdict.code, undefined, result.ok ? result.value : undefined);
        break;
      case 'reject':
        this.finish(entry, 'reject', verdict.code, verdict.reason);
        break;
      case 'fatal': {
        const cause = result.ok ? undefined : result.error;
        this.fail(new RunFailedError(verdict.code, `Run stopped on a fatal outcome for item ${entry.key} (source ${source.config.name}): ${verdict.reason}`, { cause }));
        return;
      }
      case 'transient':
        if (entry.attempts >= this.options.retry.maxAttempts) {
          this.finish(entry, 'exhausted', verdict.code, `${verdict.reason} (after ${entry.attempts} attempts)`);
        } else if (this.current === 'draining') {
          // Stopping: the item stays unfinished rather than being retried.
        } else {
          this.scheduleRetry(entry, verdict.code, verdict.reason, verdict.retryAfterMs, now);
        }
        break;
    }
    this.pump();
  }

  private noteHealth(source: SourceRuntime, failed: boolean, probe: boolean, now: number): void {
    const change = source.breaker?.record(failed, probe, now);
    if (change === undefined) return;
    if (change.to === 'healthy') {
      this.emitter.emit('source-resumed', { source: source.config.name, at: now });
      return;
    }
    if (source.cooldownTimer !== undefined) this.clock.clearTimeout(source.cooldownTimer);
    source.cooldownTimer = this.clock.setTimeout(() => {
      source.cooldownTimer = undefined;
      this.pump();
    }, change.until - now);
    this.emitter.emit('source-paused', { source: source.config.name, failureRatio: change.failureRatio, until: change.until, at: now });
  }

  private scheduleRetry(entry: Entry<T>, code: string, reason: string, retryAfterMs: number | undefined, now: number): void {
    const source = entry.source;
    const delayMs = retryDelay(entry.attempts, retryAfterMs, this.options.retry, this.options.random);
    source.retries++;
    source.retrying++;
    this.retrying++;
    this.retryingEntries.add(entry);
    entry.retryTimer = this.clock.setTimeout(() => {
      entry.retryTimer = undefined;
      this.retryingEntries.delete(entry);
      source.retrying--;
      this.retrying--;
      source.queue.unshift(entry as Entry<unknown>);
      this.queued++;
      this.pump();
    }, delayMs);
    if (this.emitter.has('retry')) {
      this.emitter.emit('retry', { key: entry.key, position: entry.position, source: source.config.name, attempt: entry.attempts, code, reason, delayMs, at: now });
    }
  }

  /** Hands a success to the caller, stores the record, then counts the item as finished. */
  private finish(entry: Entry<T>, outcome: ItemOutcome, code: string | undefined, reason: string | undefined, value?: R): void {
    const record: OutcomeRecord = {
      position: entry.position,
      key: entry.key,
      source: entry.source.config.name,
      outcome,
      attempts: entry.attempts,
      firstAttemptAt: new Date(entry.firstAttemptAt).toISOString(),
      lastAttemptAt: new Date(entry.lastAttemptAt).toISOString(),
      ...(code === undefined ? {} : { code }),
      ...(reason === undefined ? {} : { reason }),
    };
    const steps: Step[] = [];
    const onSuccess = this.options.onSuccess;
    if (outcome === 'success' && onSuccess !== undefined) {
      const info = { position: entry.position, key: entry.key, source: record.source, attempts: entry.attempts, ...(code === undefined ? {} : { code }) };
      steps.push({ run: () => onSuccess(entry.item, value as R, info), code: 'ON_SUCCESS_FAILED', what: `onSuccess threw for item ${entry.key}` });
    }
    steps.push({ run: () => this.store.record(record), code: 'STORE_FAILED', what: 'The store could not record an outcome' });
    this.runSteps(steps, () => this.counted(entry, record));
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

  /** The item's record is stored: count it, and judge the reject budget. */
  private counted(entry: Entry<T>, record: OutcomeRecord): void {
    if (this.current === 'failed') return;
    const source = entry.source;
    const now = this.clock.now();
    this.rate.add(now);
    if (record.outcome === 'success') {
      source.succeeded++;
      this.succeeded++;
    } else {
      if (record.outcome === 'reject') {
        source.rejected++;
        this.rejected++;
      } else {
        source.exhausted++;
        this.exhausted++;
      }
      this.emitter.emit('reject', record);
      this.judgeBudget();
    }
    if (now - this.lastProgressAt >= this.options.progressIntervalMs && this.emitter.has('progress')) {
      this.lastProgressAt = now;
      this.emitter.emit('progress', this.status());
    }
  }

  private judgeBudget(): void {
    const budget = this.options.rejectBudget;
    if (budget === false || this.current !== 'running') return;
    const counts = {
      finished: this.succeeded + this.rejected + this.exhausted - this.budgetBase.finished,
      rejected: this.rejected + this.exhausted - this.budgetBase.rejected,
    };
    if (!isRejectBudgetExceeded(counts, budget)) return;
    const share = ((counts.rejected / counts.finished) * 100).toFixed(1);
    this.enterPause(
      'reject-budget',
      `${counts.rejected} of ${counts.finished} finished items were rejected (${share}% > ${(budget.maxRatio * 100).toFixed(1)}%): check the rejects, then resume() or stop()`,
    );
  }

  // ── Ending ───────────────────────────────────────────────────────────────

  private checkEnd(): void {
    if (this.inFlight > 0 || this.finishing > 0) return;
    if (this.current === 'draining') {
      this.transition('stopped', 'stop');
      return;
    }
    if ((this.current === 'running' || this.current === 'paused') && this.inputExhausted && this.queued === 0 && this.retrying === 0 && !this.reading) {
      this.transition('completed', 'completed');
    }
  }

  private dropRetries(): void {
    for (const entry of this.retryingEntries) {
      if (entry.retryTimer !== undefined) this.clock.clearTimeout(entry.retryTimer);
      entry.retryTimer = undefined;
      entry.source.retrying--;
      this.retrying--;
    }
    this.retryingEntries.clear();
  }

  private abortInFlight(why: 'stop' | 'fatal'): void {
    for (const entry of this.inFlightEntries) {
      entry.abandoned = true;
      entry.controller?.abort(new Error(why === 'stop' ? 'The run was stopped' : 'The run failed'));
      if (why === 'fatal') {
        if (entry.timeoutTimer !== undefined) this.clock.clearTimeout(entry.timeoutTimer);
        entry.timeoutTimer = undefined;
      }
    }
  }
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
