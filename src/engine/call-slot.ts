/**
 * The slot of one call, held until the server is done with the request, not merely until the
 * engine stops waiting for it. The BCSS counts the requests it is executing; a request the client
 * gave up on (timed out, cut at the window's close, abandoned by `stop({ inFlight: 'abort' })`)
 * usually goes on running there. So a call's slot (its lane's local slot and, in shared mode, its
 * lease) is given back only when:
 *
 * - the call's promise settles (the server answered or closed the connection), as long as its
 *   signal was never aborted; or
 * - `abortGraceMs` after the engine aborted the call's signal, which it does when the source's
 *   hard deadline (`hardDeadlineMs` after the call started) passes, or when the shared lease of
 *   the call was lost (another process may hold the slot now).
 *
 * The item, meanwhile, may already have moved on (its attempt counted as timed out and retried,
 * put back or dropped): it then waits for a slot like any other item.
 */
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Lease } from '../shared/slot-gate.js';
import { CallHardDeadlineError } from './errors.js';

/** The lane's books a call slot keeps. */
export interface SlotBooks {
  /** The attempt still belongs to its item: its slot is an in-flight call's. */
  slotFreed(): void;
  /** The attempt was detached from its item: its slot is a lingering request's. */
  lingerEnded(): void;
}

/** Engine-side deadline of a call's signal, for a client that must not tear the request down before it. */
const deadlines = new WeakMap<AbortSignal, { readonly at: number; readonly clock: Clock }>();

/**
 * How long (ms, from now) until the engine aborts the call whose context gave `signal`, or
 * undefined when `signal` is not a run attempt's. A client (the BCSS client does) keeps its own
 * deadline no shorter than this, so the request is never torn down before the engine lets it.
 */
export function engineDeadlineMs(signal: AbortSignal | undefined): number | undefined {
  if (signal === undefined) return undefined;
  const deadline = deadlines.get(signal);
  return deadline === undefined ? undefined : Math.max(0, deadline.at - deadline.clock.now());
}

/** What a call slot reads and sets of its attempt (item-state.ts' `Calling`). */
export interface SlotAttempt {
  /** Set when the engine aborted the call's signal. */
  abortReason: Error | undefined;
  /** The call's signal's controller, once created. */
  readonly controller: AbortController | undefined;
}

/** What a call slot tells its dispatcher. */
export interface CallSlotHooks {
  /** The engine aborted the call's signal (hard deadline, lost lease); called before the grace time starts. */
  aborted(reason: Error): void;
  /** The slot was given back: another call may start. */
  released(): void;
}

/** The slot of one call: its lane's local slot and its shared lease, if any. */
export class CallSlot {
  private readonly hardDeadlineMs: number;
  private readonly abortGraceMs: number;
  /** The attempt no longer belongs to its item (timed out or cut): the request lingers. */
  #detached = false;
  #released = false;
  #hardTimer: TimerHandle | undefined;
  #graceTimer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly books: SlotBooks,
    private readonly attempt: SlotAttempt,
    private readonly lease: Lease | undefined,
    readonly startedAt: number,
    limits: { readonly hardDeadlineMs: number; readonly abortGraceMs: number },
    private readonly hooks: CallSlotHooks,
  ) {
    this.hardDeadlineMs = limits.hardDeadlineMs;
    this.abortGraceMs = limits.abortGraceMs;
    lease?.onLost((error) => this.abort(error));
  }

  /** Records the engine's deadline on the call's signal (see {@link engineDeadlineMs}). */
  noteSignal(signal: AbortSignal): void {
    deadlines.set(signal, { at: this.startedAt + this.hardDeadlineMs, clock: this.clock });
  }

  /** True once the attempt was detached from its item. */
  get detached(): boolean {
    return this.#detached;
  }

  /** True once the slot was given back. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * The item moves on without this call; the request keeps the slot (a lingering request) until
   * it settles or its hard deadline passes. The hard deadline's timer is set here, not when the
   * call starts: a call still attached to its item has not reached its timeout yet (and
   * `hardDeadlineMs` ≥ `timeoutMs`), so most calls never need it (one timer per call, not two).
   */
  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    if (this.#released || this.attempt.abortReason !== undefined) return;
    const hardDeadlineMs = this.hardDeadlineMs;
    this.#hardTimer = this.clock.setTimeout(() => {
      this.#hardTimer = undefined;
      this.abort(new CallHardDeadlineError(hardDeadlineMs));
    }, Math.max(0, this.startedAt + hardDeadlineMs - this.clock.now()));
  }

  /**
   * The call's promise settled: the server is done, unless the engine aborted the signal (then
   * the grace runs out first). `quiet`: the caller goes on with the run itself (no `released` hook).
   */
  callSettled(quiet = false): void {
    if (this.attempt.abortReason === undefined) this.release(quiet);
  }

  /** Aborts the call's signal (idempotent); the slot is given back `abortGraceMs` later. */
  abort(reason: Error): void {
    if (this.#released || this.attempt.abortReason !== undefined) return;
    this.attempt.abortReason = reason;
    this.attempt.controller?.abort(reason);
    this.clearHard();
    this.hooks.aborted(reason);
    this.#graceTimer = this.clock.setTimeout(() => {
      this.#graceTimer = undefined;
      this.release();
    }, this.abortGraceMs);
  }

  private release(quiet = false): void {
    if (this.#released) return;
    this.#released = true;
    this.clearHard();
    if (this.#graceTimer !== undefined) this.clock.clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    this.lease?.release();
    if (this.#detached) this.books.lingerEnded();
    else this.books.slotFreed();
    if (!quiet) this.hooks.released();
  }

  private clearHard(): void {
    if (this.#hardTimer !== undefined) this.clock.clearTimeout(this.#hardTimer);
    this.#hardTimer = undefined;
  }
}
