/**
 * One source's lane in a run: its items waiting for a slot, its calls in flight against the
 * cap, its counters, and its overload protection. The run owns the lanes and decides when to
 * dispatch; a lane only keeps its own books.
 */
import type { TimerHandle } from '../util/clock.js';
import type { ResolvedSource } from '../policy/source.js';
import { SourceBreaker, type BreakerState, type OverloadOptions } from '../policy/overload.js';
import type { Lease } from '../shared/slot-gate.js';

/** Counts of one source, in a run's status. */
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

/** An item the run has read and not finished, with its attempts so far. */
export interface PendingItem<T> {
  readonly item: T;
  /** Position in the input, from 0. */
  readonly position: number;
  /** Key for events and records, already masked. */
  readonly key: string;
  /** The unmasked key, when masking changed it: handed to `onSuccess`, and recorded only by a store that opted in to national numbers. */
  readonly rawKey: string | undefined;
  readonly lane: SourceLane<T>;
  attempts: number;
  firstAttemptAt: number;
  lastAttemptAt: number;
  /** Created on first use of the call's signal. */
  controller: AbortController | undefined;
  timeoutTimer: TimerHandle | undefined;
  retryTimer: TimerHandle | undefined;
  timedOut: boolean;
  /** True when this attempt is the overload protection's probe. */
  probe: boolean;
  /** Set when the run gave up on the call (stop with abort, fatal): its outcome is ignored. */
  abandoned: boolean;
  /** Set when the call was aborted because the office-hours window closed: a failure puts the item back in the queue. */
  interrupted: boolean;
  /** Set when the stall watchdog aborted the call: a failure is a transient `CALL_STALLED`. */
  stalled: boolean;
  /** Shared mode: the slot held on the shared cap for this attempt. */
  lease: Lease | undefined;
}

/** The books of one source. */
export class SourceLane<T> {
  readonly name: string;
  readonly breaker: SourceBreaker | undefined;
  /** Items waiting for a slot, oldest first (retries go to the front). */
  readonly queue: PendingItem<T>[] = [];
  inFlight = 0;
  /** Items whose call ended and whose outcome is being handed over or stored: they keep their slot. */
  finishing = 0;
  peakInFlight = 0;
  retrying = 0;
  succeeded = 0;
  rejected = 0;
  exhausted = 0;
  attempts = 0;
  retries = 0;
  /** Timer that wakes the run when the source's cooldown ends. */
  cooldownTimer: TimerHandle | undefined;

  constructor(
    readonly config: ResolvedSource,
    overload: OverloadOptions | false,
  ) {
    this.name = config.name;
    this.breaker = overload === false ? undefined : new SourceBreaker(overload);
  }

  /** May a call of this source start now (a waiting item, a free slot, the source not paused)? */
  ready(now: number): boolean {
    return this.queue.length > 0 && this.inFlight + this.finishing < this.config.cap && (this.breaker === undefined || this.breaker.canDispatch(now));
  }

  /** Notes that a call starts; returns true when it is the overload probe. */
  started(now: number): boolean {
    this.inFlight++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    this.attempts++;
    return this.breaker?.dispatched(now) ?? false;
  }

  /** Items of this source the run holds: queued, in flight or waiting for a retry. */
  held(): number {
    return this.queue.length + this.inFlight + this.retrying;
  }

  /** A snapshot of the lane. */
  status(now: number): SourceStatus {
    return {
      kind: this.config.kind,
      cap: this.config.cap,
      inFlight: this.inFlight,
      peakInFlight: this.peakInFlight,
      queued: this.queue.length,
      retrying: this.retrying,
      succeeded: this.succeeded,
      rejected: this.rejected,
      exhausted: this.exhausted,
      attempts: this.attempts,
      retries: this.retries,
      health: this.breaker?.state(now) ?? 'healthy',
    };
  }
}
