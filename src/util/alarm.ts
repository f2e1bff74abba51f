/**
 * A timer due at an instant rather than after a delay, on an injected {@link Clock}. Node.js
 * timers stop at about 24.8 days, so a farther instant is reached in several hops; a timer that
 * fires early (the clock says it is not yet time) is armed again.
 */
import type { Clock, TimerHandle } from './clock.js';
import { MAX_TIMER_MS } from './time.js';

/** One pending alarm at a time; setting it again replaces the previous one. */
export class Alarm {
  private handle: TimerHandle | undefined;
  /** When the alarm is due (ms since epoch), while it is set. */
  at: number | undefined;

  constructor(private readonly clock: Clock) {}

  /** Calls `callback` once, at `at` or as soon as possible after it. */
  set(at: number, callback: () => void): void {
    this.cancel();
    this.at = at;
    const arm = () => {
      const delay = Math.min(Math.max(0, at - this.clock.now()), MAX_TIMER_MS);
      this.handle = this.clock.setTimeout(() => {
        this.handle = undefined;
        if (this.clock.now() < at) return arm();
        this.at = undefined;
        callback();
      }, delay);
    };
    arm();
  }

  /** Cancels the alarm, if set. */
  cancel(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.at = undefined;
  }
}
