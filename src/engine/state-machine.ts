/**
 * The states of a run and the transitions between them. The run owns one value of
 * {@link RunState} and changes it only through {@link canTransition}.
 *
 * ```
 * idle ──► running ⇄ paused          running, paused ──► draining ──► stopped
 *   │                                 running, paused ──► completed
 *   └────► waiting (for a window)     any live state  ──► failed
 *
 * office hours:  running ──► draining ──► waiting ──► running      (the window closes, reopens)
 *                idle, paused ──► waiting ──► paused, draining (stop), completed
 * ```
 * `idle → stopped` is a stop that comes while the store is still opening. A `draining` run is
 * either stopping (it ends `stopped`) or letting calls finish as the window closes (it goes on
 * `waiting`, or `paused` by `pause()`, or `completed` when nothing is left).
 */

/** Every state a run can be in. */
export const RUN_STATES = ['idle', 'waiting', 'running', 'paused', 'draining', 'stopped', 'completed', 'failed'] as const;

/**
 * `idle`: created, not started. `waiting`: started, waiting for an allowed window.
 * `running`: dispatching calls. `paused`: no new calls (by `pause()`, the reject budget, ...).
 * `draining`: no new calls, in-flight calls finishing before `stopped` or `waiting`.
 * `stopped`, `completed`, `failed`: final.
 */
export type RunState = (typeof RUN_STATES)[number];

/** Why a run is paused or waiting: `manual` by `pause()` (from the code, a command, a signal), `institution` by an institution-wide pause. */
export type PauseReason = 'manual' | 'reject-budget' | 'office-hours' | 'institution';

/**
 * Who asked for a pause, a resumption or a stop: `api` (the caller's code), `command` (an
 * operator's `bcss-bulk pause|resume|stop DIR`), `signal` (SIGTERM/SIGINT through
 * `stopOnSignals`, or the run's `AbortSignal`), `institution` (an institution-wide pause).
 */
export type ControlOrigin = 'api' | 'command' | 'signal' | 'institution';

/** A pause, resumption or stop as asked: who asked and why. */
export interface ControlRequest {
  /**
   * Who asks.
   * @defaultValue `'api'`
   */
  readonly origin?: ControlOrigin | undefined;
  /**
   * Why, in the operator's words (e.g. `BCSS service desk asked, ticket 4711`); kept in the
   * `state` event's `message`, in `run.status().pausedBy` and in the run directory's log of commands.
   * @defaultValue none
   */
  readonly reason?: string | undefined;
}

const TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  idle: ['running', 'waiting', 'stopped', 'failed'],
  waiting: ['running', 'paused', 'draining', 'completed', 'failed'],
  running: ['paused', 'draining', 'completed', 'failed'],
  paused: ['running', 'waiting', 'draining', 'completed', 'failed'],
  draining: ['stopped', 'waiting', 'paused', 'completed', 'failed'],
  stopped: [],
  completed: [],
  failed: [],
};

/** True when a run may go from `from` to `to`. */
export function canTransition(from: RunState, to: RunState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** True for the states a run never leaves: `stopped`, `completed`, `failed`. */
export function isFinal(state: RunState): boolean {
  return TRANSITIONS[state].length === 0;
}
