/**
 * What the run does with a settled attempt: asks the pure decisions of outcomes.ts, gets the
 * classifier's verdict (checking a caller's classifier), feeds the source's overload
 * protection, then carries the decision out: finish, retry, put back, fail or leave.
 */
import type { Clock } from '../util/clock.js';
import type { TypedEmitter } from '../util/emitter.js';
import { reasonOf } from '../util/reason.js';
import { RunFailedError } from '../util/errors.js';
import { printable } from '../util/printable.js';
import type { AttemptResult, Classification, ClassifyContext } from '../policy/classify.js';
import type { RetryPolicy } from '../policy/retry.js';
import { checkVerdict } from '../policy/verdict.js';
import type { ItemOutcome } from '../store/store.js';
import type { RunEvents } from './events.js';
import { moveItem, SETTLED, type Calling } from './item-state.js';
import type { Lifecycle } from './lifecycle.js';
import { afterCut, nextStep } from './outcomes.js';
import type { Retries } from './retries.js';
import type { PendingItem, SourceLane } from './source-lane.js';

/** What settling needs of its run. */
export interface SettleContext<T, R> {
  readonly lifecycle: Lifecycle;
  readonly finisher: { finish(pending: PendingItem<T>, outcome: ItemOutcome, code: string | undefined, reason: string | undefined, value?: R): void };
  /** Something ended (for the stall watchdog). */
  activity(now: number): void;
  fail(error: RunFailedError): void;
  pump(): void;
}

/** Settles the attempts of one run. */
export class Settler<T, R> {
  constructor(
    private readonly clock: Clock,
    private readonly emitter: TypedEmitter<RunEvents>,
    private readonly classify: (result: AttemptResult<R>, context: ClassifyContext) => Classification,
    /** True when the caller gave a classifier (its verdicts are checked; the default one's are ours). */
    private readonly checkVerdicts: boolean,
    private readonly retry: RetryPolicy,
    private readonly retries: Retries<T>,
    private readonly run: SettleContext<T, R>,
  ) {}

  /** An attempt settled; its slot is free. */
  settled(pending: PendingItem<T>, attempt: Calling, result: AttemptResult<R>): void {
    const lifecycle = this.run.lifecycle;
    const first = afterCut(result.ok, attempt.cut);
    if (first === 'ignore' || lifecycle.state === 'failed') {
      moveItem(pending, SETTLED);
      this.run.pump();
      return;
    }
    if (first === 'put-back') {
      pending.lane.putBack(pending, attempt.probe);
      this.run.pump();
      return;
    }
    const now = this.clock.now();
    // A timeout is no sign of progress (the request may still hang at the server): the stall watchdog keeps counting.
    if (!attempt.timedOut) this.run.activity(now);
    let verdict: Classification;
    if (first === 'stalled') {
      verdict = { class: 'transient', code: 'CALL_STALLED', reason: reasonOf(attempt.controller?.signal.reason ?? (result as { error: unknown }).error) };
    } else {
      const given = this.verdictOf(pending, attempt, result, now);
      if (given === undefined) return;
      verdict = given;
    }
    this.noteHealth(pending.lane, verdict.class === 'transient', attempt.probe, now);
    const next = nextStep(verdict, pending.attempts, lifecycle.stopping, this.retry);
    switch (next.do) {
      case 'finish':
        this.run.finisher.finish(pending, next.outcome, next.code, next.reason, next.outcome === 'success' && result.ok ? result.value : undefined);
        break;
      case 'retry':
        this.retries.schedule(pending, next.delayMs, next.code, next.reason, now);
        break;
      case 'fail':
        moveItem(pending, SETTLED);
        this.run.fail(
          new RunFailedError(next.code, `Run stopped on a fatal outcome for item ${pending.key} (source ${pending.lane.name}): ${next.reason}`, {
            cause: result.ok ? undefined : result.error,
          }),
        );
        return;
      case 'leave':
        moveItem(pending, SETTLED); // while stopping, the item stays unfinished rather than being retried
        break;
    }
    this.run.pump();
  }

  /** The classifier's verdict, checked when it is the caller's; undefined when the run failed on it. */
  private verdictOf(pending: PendingItem<T>, attempt: Calling, result: AttemptResult<R>, now: number): Classification | undefined {
    let given: unknown;
    try {
      given = this.classify(result, { now, timedOut: attempt.timedOut });
    } catch (error) {
      this.run.fail(new RunFailedError('PROGRAMMER_ERROR', `The classifier threw for ${where(pending)}: ${reasonOf(error)}`, { cause: error }));
      return undefined;
    }
    if (!this.checkVerdicts) return given as Classification;
    const checked = checkVerdict(given);
    if (typeof checked === 'string') {
      // The item is left unfinished (not recorded): a resumed run calls it again.
      this.run.fail(new RunFailedError('PROGRAMMER_ERROR', `The classifier gave an invalid verdict for ${where(pending)}: ${checked}; it gave ${printable(given)}`));
      return undefined;
    }
    return checked;
  }

  /** Feeds the source's overload protection and announces a change of its health. */
  private noteHealth(lane: SourceLane<T>, failed: boolean, probe: boolean, now: number): void {
    const change = lane.recordHealth(failed, probe, now);
    if (change === undefined) return;
    if (change.to === 'healthy') {
      this.emitter.emit('source-resumed', { source: lane.name, at: now });
      return;
    }
    lane.setCooldown(this.clock, change.until - now, () => this.run.pump());
    this.emitter.emit('source-paused', { source: lane.name, failureRatio: change.failureRatio, until: change.until, at: now });
  }
}

/** Names an item in a message. */
function where(pending: PendingItem<unknown>): string {
  return `item ${pending.key} (position ${pending.position}, source ${pending.lane.name})`;
}
