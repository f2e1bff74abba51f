/**
 * One source's lane in a run: its items waiting for a slot, its calls in flight against the
 * cap, its counters, and its overload protection. The lane keeps its own books: its counters
 * are read from outside and changed only by its methods, each named after what happened.
 */
import type { Clock, TimerHandle } from '../util/clock.js';
import type { ResolvedSource } from '../policy/source.js';
import { SourceBreaker, type BreakerChange, type BreakerState, type OverloadOptions } from '../policy/overload.js';
import type { ItemOutcome } from '../store/store.js';
import { moveItem, QUEUED, type ItemState } from './item-state.js';

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
  /** Where the item stands (one value; see item-state.ts). */
  state: ItemState;
  /** Its index among the attempts out (the dispatcher's OutList), -1 when none is. */
  outAt: number;
}

/** The books of one source. */
export class SourceLane<T> {
  readonly name: string;
  readonly #breaker: SourceBreaker | undefined;
  /** Items waiting for a slot, oldest first (retries go to the front). */
  readonly #queue: PendingItem<T>[] = [];
  #inFlight = 0;
  /** Requests given up on (timed out, cut) that still hold their slot until the server is done with them. */
  #lingering = 0;
  /** Items whose call ended and whose outcome is being handed over or stored: they keep their slot. */
  #finishing = 0;
  #peakInFlight = 0;
  #retrying = 0;
  #succeeded = 0;
  #rejected = 0;
  #exhausted = 0;
  #attempts = 0;
  #retries = 0;
  /** Timer that wakes the run when the source's cooldown ends. */
  #cooldownTimer: TimerHandle | undefined;

  constructor(
    readonly config: ResolvedSource,
    overload: OverloadOptions | false,
  ) {
    this.name = config.name;
    this.#breaker = overload === false ? undefined : new SourceBreaker(overload);
  }

  get inFlight(): number {
    return this.#inFlight;
  }
  /** Requests given up on (timed out, cut) that still hold a slot (see engine/call-slot.ts). */
  get lingering(): number {
    return this.#lingering;
  }
  get finishing(): number {
    return this.#finishing;
  }
  get retrying(): number {
    return this.#retrying;
  }
  get succeeded(): number {
    return this.#succeeded;
  }
  get rejected(): number {
    return this.#rejected;
  }
  get exhausted(): number {
    return this.#exhausted;
  }
  get attempts(): number {
    return this.#attempts;
  }
  get retries(): number {
    return this.#retries;
  }
  get queued(): number {
    return this.#queue.length;
  }

  /** Paused by an institution-wide pause of this source (`bcss-bulk pause --source`): no new calls. */
  pausedByInstitution = false;

  /** May a call of this source start now (a waiting item, a free slot, the source not paused)? */
  ready(now: number): boolean {
    return !this.pausedByInstitution && this.#queue.length > 0 && this.#inFlight + this.#lingering + this.#finishing < this.config.cap && (this.#breaker === undefined || this.#breaker.canDispatch(now));
  }

  /** Is the source paused by its overload protection at `now`? */
  pausedByOverload(now: number): boolean {
    return !(this.#breaker?.canDispatch(now) ?? true);
  }

  /** The oldest waiting item (call only when {@link ready}). */
  take(): PendingItem<T> {
    return this.#queue.shift()!;
  }

  /** A newly read item (created `queued`) joins the end of the queue. */
  enqueue(pending: PendingItem<T>): void {
    this.#queue.push(pending);
  }

  /** An item goes back to the front of the queue (its retry is due, or its slot was refused). */
  requeueFront(pending: PendingItem<T>): void {
    moveItem(pending, QUEUED);
    this.#queue.unshift(pending);
  }

  /**
   * An attempt cut off by the closing window: it does not count against the item's attempts
   * (the source's `attempts` still counts the call), and the item goes back to the front of its
   * queue, before the items read after it (so items cut together keep their order).
   */
  putBack(pending: PendingItem<T>, probe: boolean): void {
    pending.attempts--;
    moveItem(pending, QUEUED);
    if (probe) this.#breaker?.withdrawProbe();
    const queue = this.#queue;
    let at = 0;
    while (at < queue.length && queue[at]!.position < pending.position) at++;
    queue.splice(at, 0, pending);
  }

  /** Shared mode: an item takes a local slot while it waits for a slot of the shared cap. */
  slotHeld(): void {
    this.#inFlight++;
  }

  /** A call (or a wait for a shared slot) ended: its slot is free. */
  slotFreed(): void {
    this.#inFlight--;
  }

  /** A call's item moved on without it (timed out, cut): its request keeps the slot until the server is done. */
  detached(): void {
    this.#inFlight--;
    this.#lingering++;
  }

  /** A lingering request gave its slot back. */
  lingerEnded(): void {
    this.#lingering--;
  }

  /** Notes that a call starts; returns true when it is the overload probe. */
  started(now: number): boolean {
    this.#inFlight++;
    if (this.#inFlight + this.#lingering > this.#peakInFlight) this.#peakInFlight = this.#inFlight + this.#lingering;
    this.#attempts++;
    return this.#breaker?.dispatched(now) ?? false;
  }

  /** Feeds the overload protection with an attempt's result; returns a change of health, if any. */
  recordHealth(failed: boolean, probe: boolean, now: number): BreakerChange {
    return this.#breaker?.record(failed, probe, now);
  }

  /** An item waits for its retry. */
  retryScheduled(): void {
    this.#retries++;
    this.#retrying++;
  }

  /** A retry is due or dropped: the item no longer waits for it. */
  retryEnded(): void {
    this.#retrying--;
  }

  /** An item's outcome is being handed over or stored; it keeps its slot meanwhile. */
  finishingStarted(): void {
    this.#finishing++;
  }

  /** The item's outcome was handed over and stored. */
  finishingEnded(): void {
    this.#finishing--;
  }

  /** An item is finished with `outcome`. */
  counted(outcome: ItemOutcome): void {
    if (outcome === 'success') this.#succeeded++;
    else if (outcome === 'reject') this.#rejected++;
    else this.#exhausted++;
  }

  /** Takes over what an earlier run over the same store finished. */
  resumed(counts: { readonly success: number; readonly reject: number; readonly exhausted: number }): void {
    this.#succeeded += counts.success;
    this.#rejected += counts.reject;
    this.#exhausted += counts.exhausted;
  }

  /** Wakes the run with `wake` when the source's cooldown ends (one timer per source). */
  setCooldown(clock: Clock, delayMs: number, wake: () => void): void {
    this.clearCooldown(clock);
    this.#cooldownTimer = clock.setTimeout(() => {
      this.#cooldownTimer = undefined;
      wake();
    }, delayMs);
  }

  clearCooldown(clock: Clock): void {
    if (this.#cooldownTimer !== undefined) clock.clearTimeout(this.#cooldownTimer);
    this.#cooldownTimer = undefined;
  }

  /** Items of this source the run holds: queued, in flight or waiting for a retry. */
  held(): number {
    return this.#queue.length + this.#inFlight + this.#retrying;
  }

  /** A snapshot of the lane. */
  status(now: number): SourceStatus {
    return {
      kind: this.config.kind,
      cap: this.config.cap,
      inFlight: this.#inFlight,
      peakInFlight: this.#peakInFlight,
      queued: this.#queue.length,
      retrying: this.#retrying,
      succeeded: this.#succeeded,
      rejected: this.#rejected,
      exhausted: this.#exhausted,
      attempts: this.#attempts,
      retries: this.#retries,
      health: this.#breaker?.state(now) ?? 'healthy',
    };
  }
}
