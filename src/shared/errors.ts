/** Errors of shared mode: the run's lock is held elsewhere, Redis holds an unexpected state. */
import { BcssBulkError } from '../util/errors.js';

/**
 * Shared mode: another process (on this host or another) holds the run lock of the same run
 * name in the same namespace; this run did not start.
 */
export class RunLockedError extends BcssBulkError {
  /** The run name that is locked. */
  readonly runName: string;
  /** Who holds the lock (`host:pid`), as the holder wrote it. */
  readonly holder: string;

  constructor(runName: string, holder: string) {
    super('RUN_LOCKED', `The run '${runName}' is being processed by another process (${holder}); only one process may process a run at a time`);
    this.runName = runName;
    this.holder = holder;
  }
}

/** Shared mode: Redis answered a command with an error that is not an outage (e.g. a key of the namespace has the wrong type). */
export class SharedStateError extends BcssBulkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SHARED_STATE', message, options);
  }
}

/**
 * Shared mode: the lease of a call in flight was found lost (this process was frozen longer than
 * the lease's time-to-live, or Redis lost it and another process may hold the slot now): the
 * engine aborts the call with this reason.
 */
export class LeaseLostError extends BcssBulkError {
  /** The source whose slot was lost. */
  readonly source: string;

  constructor(source: string, why: string) {
    super('LEASE_LOST', `The shared slot of a call to source '${source}' was lost (${why}); the call is aborted`);
    this.source = source;
  }
}
