/**
 * The run's state machine, driven: the one field {@link RunState}, changed only by
 * {@link Lifecycle.to} through {@link canTransition}; why it is paused; and, while it is
 * `draining`, why: `stopping` (it ends `stopped`) or `window-closing` (it goes on `waiting`).
 * Also the pause's instant and the scheduled resumption.
 */
import type { Clock, TimerHandle } from '../util/clock.js';
import type { StateChange } from './events.js';
import type { Lanes } from './lanes.js';
import { canTransition, isFinal, type ControlOrigin, type PauseReason, type RunState } from './state-machine.js';
import type { PausedBy } from './status.js';

/** Why a `draining` run lets its calls finish. */
export type DrainReason = 'stopping' | 'window-closing';

/** What the lifecycle tells its run. */
export interface LifecycleHooks {
  /** The state changed (emitted as a `state` event). */
  changed(change: StateChange): void;
  /** A final state was reached. */
  ended(): void;
}

/** The state of one run. */
export class Lifecycle {
  #state: RunState = 'idle';
  #pauseReason: PauseReason | undefined;
  #pausedBy: PausedBy | undefined;
  #asking: { readonly origin: ControlOrigin; readonly reason?: string | undefined } | undefined;
  #drain: DrainReason | undefined;
  #pausedAt = 0;
  #resumeTimer: TimerHandle | undefined;
  #resumesAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: LifecycleHooks,
  ) {}

  get state(): RunState {
    return this.#state;
  }

  /** Why the run is paused, while it is. */
  get pauseReason(): PauseReason | undefined {
    return this.#pauseReason;
  }

  /** Who paused the run and why, while it is paused by `pause()` or an institution-wide pause. */
  get pausedBy(): PausedBy | undefined {
    return this.#pausedBy;
  }

  /** When a scheduled resumption will happen, if one is scheduled. */
  get resumesAt(): number | undefined {
    return this.#resumesAt;
  }

  /** Instant of the last pause. */
  get pausedAt(): number {
    return this.#pausedAt;
  }

  /** Draining because of `stop()`: ends `stopped`. */
  get stopping(): boolean {
    return this.#state === 'draining' && this.#drain === 'stopping';
  }

  /** Draining because the window closed: goes on `waiting` once the calls are in. */
  get windowClosing(): boolean {
    return this.#state === 'draining' && this.#drain === 'window-closing';
  }

  get final(): boolean {
    return isFinal(this.#state);
  }

  /**
   * Runs `act` on behalf of whoever asked (a pause, resumption or stop): the state changes it
   * makes carry that origin, and the operator's reason as their message.
   */
  asking<V>(request: { readonly origin: ControlOrigin; readonly reason?: string | undefined }, act: () => V): V {
    const outer = this.#asking;
    this.#asking = request;
    try {
      return act();
    } finally {
      this.#asking = outer;
    }
  }

  /** Goes to `to` (nothing when already there); `drain` says why, for `draining`. */
  to(to: RunState, reason: string, message = this.#asking?.reason, drain: DrainReason = 'stopping'): void {
    const origin = this.#asking?.origin;
    const from = this.#state;
    if (from === to) return;
    if (!canTransition(from, to)) throw new Error(`bcss-bulk internal error: transition ${from} → ${to} is not allowed`);
    this.#state = to;
    this.#pauseReason = to === 'paused' ? (reason as PauseReason) : undefined;
    this.#drain = to === 'draining' ? drain : undefined;
    const at = this.clock.now();
    if (to === 'paused') this.#pausedAt = at;
    this.#pausedBy = to === 'paused' && origin !== undefined ? { origin, at, ...(message === undefined ? {} : { reason: message }) } : undefined;
    const change: StateChange = message === undefined ? { from, to, at, reason } : { from, to, at, reason, message };
    this.hooks.changed(origin === undefined ? change : { ...change, origin });
    if (isFinal(to)) this.hooks.ended();
  }

  /**
   * Ends the run when nothing is left (no step of finishing pending): `stopped` once a stopping
   * drain has no call out, `completed` once the input is read and no item is held anywhere.
   */
  endIfDone(finishing: number, lanes: Lanes<unknown>, inputDone: boolean): void {
    if (finishing > 0) return;
    const state = this.#state;
    const stopping = state === 'draining';
    if (lanes.held(stopping) > 0) return;
    if (stopping) this.to('stopped', 'stop');
    else if ((state === 'running' || state === 'paused' || state === 'waiting') && inputDone) this.to('completed', 'completed');
  }

  /** A run draining as its window closes is stopped: the drain now ends in `stopped`. */
  stopDraining(): void {
    if (this.#state === 'draining') this.#drain = 'stopping';
  }

  /** Resumes at `at` with `then` (unless already scheduled); returns the instant of the resumption. */
  scheduleResume(at: number, then: () => void): number {
    if (this.#resumesAt !== undefined) return this.#resumesAt;
    this.#resumesAt = at;
    this.#resumeTimer = this.clock.setTimeout(() => {
      this.#resumeTimer = undefined;
      this.#resumesAt = undefined;
      if (this.#state === 'paused') then();
    }, at - this.clock.now());
    return at;
  }

  cancelScheduledResume(): void {
    if (this.#resumeTimer !== undefined) this.clock.clearTimeout(this.#resumeTimer);
    this.#resumeTimer = undefined;
    this.#resumesAt = undefined;
  }
}
