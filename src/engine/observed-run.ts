/**
 * What the heartbeat and the notifier need of a run: its events, its status and its state.
 * A {@link BulkRun} has all three; they attach from outside and never change the engine.
 */
import type { RunEvents } from './events.js';
import type { RunStatus } from './status.js';
import type { RunState } from './state-machine.js';

/** A run seen from outside: `run.on()`, `run.status()`, `run.state` (a {@link BulkRun} is one). */
export interface ObservedRun {
  /** The run's current state. */
  readonly state: RunState;
  /** The batch's name (the run option `name`), when it has one. */
  readonly name?: string | undefined;
  /** A snapshot of the run. */
  status(): RunStatus;
  /** Adds a listener for a run event; returns a function that removes it. */
  on<K extends keyof RunEvents>(event: K, listener: (payload: RunEvents[K]) => void): () => void;
}

/** The ISO 8601 form of an optional instant, or `null`. */
export function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/**
 * What attaching an observer returns: call it to detach (it is idempotent), or let `using` /
 * `await using` do it. `[Symbol.asyncDispose]` detaches, then waits for the observer's
 * deliveries still in flight (a heartbeat's last beat, a notifier's queued notices).
 *
 * @example
 * ```ts
 * const off = attach(run, heartbeat({ target: { url: 'https://monitor.example/beat' } }));
 * await run.start();
 * off(); // or: await off[Symbol.asyncDispose]() to wait for the last beat
 * ```
 */
export interface Detach {
  /** Detaches the observer from the run: no listener, timer or series of it is left behind. */
  (): void;
  /** Detaches (as calling it does). */
  [Symbol.dispose](): void;
  /**
   * Detaches, then resolves once the observer's deliveries still in flight have settled.
   * Rejects as the observer's `flush()` does (e.g. a listener of the observer threw).
   */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Something that follows a run from outside: a heartbeat, a notifier, a progress tracker, a
 * progress bar, the Prometheus metrics, or one of your own. It listens through
 * {@link ObservedRun.on} and reads {@link ObservedRun.status}; it never changes the run.
 */
export interface RunObserver {
  /**
   * Starts following `run`; returns the {@link Detach} that stops it.
   *
   * @throws an observer that follows one run only throws when it is attached a second time.
   */
  attach(run: ObservedRun): Detach;
}
