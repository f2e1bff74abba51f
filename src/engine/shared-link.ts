/**
 * The run's link to the shared mode (src/shared/): opens the Redis connection and the run lock
 * when configured, turns its news into run events, and its failures into run failures.
 */
import type { Clock } from '../util/clock.js';
import type { TypedEmitter } from '../util/emitter.js';
import { RunFailedError } from '../util/errors.js';
import { maskNationalNumbers } from '../util/privacy.js';
import { reasonOf } from '../util/reason.js';
import { SharedMode } from '../shared/shared-mode.js';
import type { ResolvedShared } from '../shared/shared-options.js';
import type { RunEvents } from './events.js';

/** What the shared link needs of its run. */
export interface SharedLinkContext {
  readonly emitter: TypedEmitter<RunEvents>;
  fail(error: RunFailedError): void;
  /** True once the run reached a final state. */
  ended(): boolean;
}

/**
 * Opens the shared mode when configured, then goes on with `then(mode)`; a run that ended meanwhile closes it
 * again, and a failure to open fails the run (`RUN_LOCKED`, `PEER_MISSING` or `SHARED_START_FAILED`).
 */
export function openShared(shared: ResolvedShared | undefined, clock: Clock, run: SharedLinkContext, then: (mode: SharedMode | undefined) => void): void {
  if (shared === undefined) {
    then(undefined); // not configured: the run goes on alone
    return;
  }
  const hooks = {
    unavailable: (reason: string, at: number) => run.emitter.emit('shared-unavailable', { reason: maskNationalNumbers(reason), at }),
    restored: (at: number, downMs: number) => run.emitter.emit('shared-restored', { at, downMs }),
    fatal: (error: Error) => run.fail(error instanceof RunFailedError ? error : new RunFailedError('SHARED_STATE', `Shared mode: ${reasonOf(error)}`, { cause: error })),
  };
  SharedMode.open(shared, clock, hooks).then(
    (mode) => {
      if (run.ended()) {
        // Stopped while it was opening: start() has settled, so a failure to close has no one to
        // tell; the lock then expires after lockMs and the connection is dropped anyway.
        mode.close().catch(() => undefined);
        return;
      }
      then(mode);
    },
    (error: unknown) => {
      const code = error instanceof Error && 'code' in error && (error.code === 'RUN_LOCKED' || error.code === 'PEER_MISSING') ? error.code : 'SHARED_START_FAILED';
      run.fail(new RunFailedError(code, `The shared mode could not start: ${reasonOf(error)}`, { cause: error }));
    },
  );
}
