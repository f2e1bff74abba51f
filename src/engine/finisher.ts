/**
 * Finishing an item: hand a success to the caller (`onSuccess`), record the outcome in the
 * store, then count it (the lane's books, the rate, a `reject` event, the reject budget, a
 * `progress` event). The item keeps its slot until it is stored: at most `cap` items per source
 * are called and not yet stored.
 */
import type { Clock } from '../util/clock.js';
import type { TypedEmitter } from '../util/emitter.js';
import { isoInstant } from '../util/instant.js';
import { RateMeter } from '../util/rate.js';
import { reasonOf } from '../util/reason.js';
import { RunFailedError } from '../util/errors.js';
import { isRejectBudgetExceeded, type RejectBudget } from '../policy/budget.js';
import type { ItemOutcome, OutcomeRecord, RunStore } from '../store/store.js';
import type { SuccessInfo } from './config.js';
import type { RunEvents } from './events.js';
import { moveItem, SETTLED } from './item-state.js';
import type { Lanes } from './lanes.js';
import type { Lifecycle } from './lifecycle.js';
import type { PendingItem, SourceLane } from './source-lane.js';
import type { RunStatus } from './status.js';

/** A caller-supplied step of finishing an item (onSuccess, store), and how its failure is reported. */
export interface Step {
  readonly run: () => void | Promise<void>;
  readonly code: string;
  readonly what: string;
}

/** What finishing needs of its run. */
export interface FinisherContext {
  readonly lifecycle: Lifecycle;
  fail(error: RunFailedError): void;
  pump(): void;
  /** Something ended (for the stall watchdog). */
  activity(now: number): void;
  /** Pauses the run because the reject budget is exceeded. */
  pauseForBudget(message: string): void;
  status(): RunStatus;
}

/** The settings finishing reads. */
export interface FinisherOptions<T, R> {
  readonly onSuccess: ((item: T, value: R, info: SuccessInfo) => void | Promise<void>) | undefined;
  readonly rejectBudget: RejectBudget | false;
  readonly progressIntervalMs: number;
}

/** Finishes the items of one run. */
export class Finisher<T, R> {
  /** Steps (onSuccess, store) still pending. */
  #pending = 0;
  #budgetBase = { finished: 0, rejected: 0 };
  #rate: RateMeter;
  #lastProgressAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly store: RunStore,
    private readonly lanes: Lanes<T>,
    private readonly emitter: TypedEmitter<RunEvents>,
    private readonly options: FinisherOptions<T, R>,
    private readonly run: FinisherContext,
  ) {
    this.#rate = new RateMeter(clock.now());
  }

  /** Caller-supplied steps still pending (their items count as waiting, for the read-ahead). */
  get pending(): number {
    return this.#pending;
  }

  /** The run starts at `at`: the rate counts from then. */
  started(at: number): void {
    this.#rate = new RateMeter(at);
  }

  /** Finished items per second over the last minute. */
  ratePerSecond(now: number): number {
    return this.#rate.perSecond(now);
  }

  /** Hands a success to the caller, stores the record, then counts the item as finished. */
  finish(pending: PendingItem<T>, outcome: ItemOutcome, code: string | undefined, reason: string | undefined, value?: R): void {
    moveItem(pending, SETTLED);
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
    pending.lane.finishingStarted();
    const done = () => {
      pending.lane.finishingEnded();
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
  runSteps(steps: readonly Step[], done: () => void, from = 0): void {
    for (let i = from; i < steps.length; i++) {
      const step = steps[i]!;
      let result: void | Promise<void>;
      try {
        result = step.run();
      } catch (error) {
        this.run.fail(new RunFailedError(step.code, `${step.what}: ${reasonOf(error)}`, { cause: error }));
        return;
      }
      if (result instanceof Promise) {
        this.#pending++;
        result.then(
          () => {
            this.#pending--;
            if (this.run.lifecycle.state === 'failed') return;
            this.runSteps(steps, done, i + 1);
            this.run.pump();
          },
          (error: unknown) => {
            this.#pending--;
            this.run.fail(new RunFailedError(step.code, `${step.what}: ${reasonOf(error)}`, { cause: error }));
          },
        );
        return;
      }
    }
    done();
  }

  /** The reject budget counts from now (the run resumes after a pause for it). */
  resetBudget(): void {
    this.#budgetBase = this.budgetCounts();
  }

  /** The item's record is stored: count it, announce a reject, judge the reject budget. */
  private counted(lane: SourceLane<T>, record: OutcomeRecord): void {
    if (this.run.lifecycle.state === 'failed') return;
    const now = this.clock.now();
    this.run.activity(now);
    this.#rate.add(now);
    lane.counted(record.outcome);
    if (record.outcome !== 'success') {
      this.emitter.emit('reject', record);
      this.judgeBudget();
    }
    if (now - this.#lastProgressAt >= this.options.progressIntervalMs && this.emitter.has('progress')) {
      this.#lastProgressAt = now;
      this.emitter.emit('progress', this.run.status());
    }
  }

  private budgetCounts(): { finished: number; rejected: number } {
    const rejected = this.lanes.sum('rejected') + this.lanes.sum('exhausted');
    return { finished: this.lanes.sum('succeeded') + rejected, rejected };
  }

  private judgeBudget(): void {
    const budget = this.options.rejectBudget;
    if (budget === false || this.run.lifecycle.state !== 'running') return;
    const now = this.budgetCounts();
    const counts = { finished: now.finished - this.#budgetBase.finished, rejected: now.rejected - this.#budgetBase.rejected };
    if (!isRejectBudgetExceeded(counts, budget)) return;
    const share = ((counts.rejected / counts.finished) * 100).toFixed(1);
    this.run.pauseForBudget(
      `${counts.rejected} of ${counts.finished} finished items were rejected (${share}% > ${(budget.maxRatio * 100).toFixed(1)}%): check the rejects, then resume() or stop()`,
    );
  }
}
