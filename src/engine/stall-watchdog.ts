/**
 * The stall watchdog of a run: while the run is `running` or `draining`, it notes the instant
 * of the last activity (a call that ended, an item finished) and, when calls are out and nothing
 * has happened for `afterMs`, it raises the alarm once per stall. One timer for the whole run,
 * re-armed at most once per `afterMs`; noting activity costs one assignment.
 */
import { Alarm } from '../util/alarm.js';
import type { Clock } from '../util/clock.js';
import { defaultStallAfterMs, type ResolvedRunOptions } from './config.js';

/** What the watchdog asks of its run. */
export interface WatchedRun {
  /** True when calls are in flight or items are being finished (something could be stuck). */
  busy(): boolean;
  /** No activity for `idleMs` while busy: raise the alarm (and abort, if configured). */
  stalled(idleMs: number): void;
}

/** Watches one run for stalls. */
export class StallWatchdog {
  private readonly alarm: Alarm;
  /** Instant of the last activity (ms since epoch). */
  private lastActivityAt = 0;
  /** True once the alarm was raised for the current stall; activity clears it. */
  private raised = false;
  private watching = false;

  constructor(
    private readonly clock: Clock,
    private readonly afterMs: number,
    private readonly run: WatchedRun,
  ) {
    this.alarm = new Alarm(clock);
  }

  /** Notes activity: a call ended or an item finished. */
  activity(now: number): void {
    this.lastActivityAt = now;
    this.raised = false;
  }

  /** Follows the run's state: watches while it is running or draining, sleeps otherwise. */
  follow(running: boolean): void {
    if (running === this.watching) return;
    this.watching = running;
    if (!running) {
      this.alarm.cancel();
      return;
    }
    this.activity(this.clock.now()); // a window that opens (or a resume) starts the count afresh
    this.arm();
  }

  private arm(): void {
    this.alarm.set(this.lastActivityAt + this.afterMs, () => this.check());
  }

  private check(): void {
    const now = this.clock.now();
    if (!this.run.busy()) this.activity(now); // nothing out, nothing stuck: count from now
    else if (!this.raised && now - this.lastActivityAt >= this.afterMs) {
      this.raised = true;
      this.run.stalled(now - this.lastActivityAt);
    }
    if (this.watching) {
      // Still stuck after raising: look again a period later (it is raised once per stall).
      if (this.raised && this.lastActivityAt + this.afterMs <= now) this.alarm.set(now + this.afterMs, () => this.check());
      else this.arm();
    }
  }
}

/** The watchdog a run's `stall` option asks for (none when it is `false`); its period defaults from the sources' timeouts. */
export function watchdogFor(stall: ResolvedRunOptions<unknown, unknown>['stall'], clock: Clock, timeoutsMs: Iterable<number>, run: WatchedRun): StallWatchdog | undefined {
  return stall === false ? undefined : new StallWatchdog(clock, stall.afterMs ?? defaultStallAfterMs(timeoutsMs), run);
}
