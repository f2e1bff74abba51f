/**
 * The run's snapshot ({@link RunStatus}), read from its parts: the state from the lifecycle,
 * the counts from the lanes and the intake, the rate from the finisher, the window's instants.
 */
import type { Intake } from './intake.js';
import type { Lanes } from './lanes.js';
import type { Lifecycle } from './lifecycle.js';
import type { OfficeWindow } from './office-window.js';
import type { RunStatus } from './status.js';

/** The parts a snapshot reads. */
export interface SnapshotParts<T> {
  readonly lifecycle: Lifecycle;
  readonly lanes: Lanes<T>;
  readonly intake: Intake<T>;
  readonly finisher: { ratePerSecond(now: number): number };
  readonly window: OfficeWindow;
}

/** A snapshot of the run at `now`. */
export function snapshot<T>(parts: SnapshotParts<T>, now: number, startedAt: number | undefined): RunStatus {
  const { lifecycle, lanes, intake, window } = parts;
  const state = lifecycle.state;
  const succeeded = lanes.sum('succeeded');
  const rejected = lanes.sum('rejected');
  const exhausted = lanes.sum('exhausted');
  const closesAt = window.closesAt;
  return {
    state,
    pauseReason: lifecycle.pauseReason,
    pausedBy: lifecycle.pausedBy,
    resumesAt: lifecycle.resumesAt,
    at: now,
    startedAt,
    inputExhausted: intake.exhausted,
    totals: {
      read: intake.read,
      inFlight: lanes.sum('inFlight'),
      queued: lanes.sum('queued'),
      retrying: lanes.sum('retrying'),
      succeeded,
      rejected,
      exhausted,
      finished: succeeded + rejected + exhausted,
      attempts: lanes.sum('attempts'),
      retries: lanes.sum('retries'),
    },
    sources: lanes.status(now),
    ratePerSecond: parts.finisher.ratePerSecond(now),
    nextWindowAt: window.nextWindowAt,
    windowClosesAt: state === 'running' && Number.isFinite(closesAt) ? closesAt : undefined,
  };
}
