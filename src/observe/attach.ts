/**
 * The one way to attach an observer to a run: `attach(run, observer)` returns a {@link Detach}.
 * Every observer of bcss-bulk (heartbeat, notifier, progress tracker, progress bar, metrics) is a
 * {@link RunObserver} made by a factory that takes one options object, checked when it is made.
 */
import { BcssBulkError } from '../util/errors.js';
import { ObserverAttachedError } from './errors.js';
import type { Detach, ObservedRun, RunObserver } from '../engine/observed-run.js';

export type { Detach, RunObserver } from '../engine/observed-run.js';

/**
 * Attaches `observer` to `run`: the observer starts following the run's events and status.
 * Returns the {@link Detach} that stops it (call it, or `using off = attach(...)`).
 *
 * @example
 * ```ts
 * import { attach, heartbeat, progressBar } from 'bcss-bulk';
 *
 * const beats = heartbeat({ target: { url: 'https://monitor.example/beat' } });
 * await using _beats = attach(run, beats); // detached, and the last beat awaited, at the end of the block
 * const offBar = attach(run, progressBar({ total: 4_000 }));
 * await run.start();
 * offBar();
 * ```
 *
 * @throws {ObserverAttachedError} an observer that follows one run only, attached a second time.
 * @throws {ConfigError} options given at attach time that do not parse (a notifier's deprecated per-run options).
 */
export function attach(run: ObservedRun, observer: RunObserver): Detach {
  return observer.attach(run);
}

/**
 * A {@link Detach} that calls `stop` once (later calls do nothing); its async dispose calls
 * `stop`, then awaits `flush` when given.
 */
export function detachOnce(stop: () => void, flush?: () => Promise<void>): Detach {
  let detached = false;
  const detach = (): void => {
    if (detached) return;
    detached = true;
    stop();
  };
  return Object.assign(detach, {
    [Symbol.dispose]: detach,
    [Symbol.asyncDispose]: async (): Promise<void> => {
      detach();
      await flush?.();
    },
  });
}

/** Holds the one attachment of an observer that follows one run only. */
export class OneRun<H> {
  private handle: H | undefined;
  private used = false;

  constructor(private readonly what: string) {}

  /** Starts the attachment by `start`. @throws {ObserverAttachedError} when it was attached before. */
  begin(start: () => H): H {
    if (this.used) throw new ObserverAttachedError(this.what);
    this.handle = start(); // an attach that throws (e.g. a registry that refuses the metrics) leaves it unused
    this.used = true;
    return this.handle;
  }

  /** The attachment, or undefined before `attach`. */
  get current(): H | undefined {
    return this.handle;
  }

  /** The attachment. @throws {BcssBulkError} `OBSERVER_NOT_ATTACHED` before `attach`. */
  require(): H {
    if (this.handle === undefined) throw new BcssBulkError('OBSERVER_NOT_ATTACHED', `This ${this.what} is not attached to a run yet: attach(run, observer) first`);
    return this.handle;
  }
}
