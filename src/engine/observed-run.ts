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
