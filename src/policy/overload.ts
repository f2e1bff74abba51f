/**
 * Overload protection of one source, in the style of a circuit breaker: when transient
 * failures dominate the last calls to a source, the source is paused (`cooling`) for a
 * cooldown, then a single probe call is let through (`probing`); its success resumes the
 * source, its failure doubles the cooldown. Other sources are not affected.
 */

/** Settings of the overload protection. */
export interface OverloadOptions {
  /**
   * How many of the latest outcomes are looked at.
   * @defaultValue none: required (a run passes its resolved `overload` option)
   */
  readonly windowSize: number;
  /**
   * How many outcomes the window needs before it can trip.
   * @defaultValue none: required (a run passes its resolved `overload` option)
   */
  readonly minSamples: number;
  /**
   * Share of transient failures in the window that pauses the source (0–1).
   * @defaultValue none: required (a run passes its resolved `overload` option)
   */
  readonly failureRatio: number;
  /**
   * First pause of the source, in ms; doubled after each failed probe.
   * @defaultValue none: required (a run passes its resolved `overload` option)
   */
  readonly cooldownMs: number;
  /**
   * Longest pause of the source, in ms.
   * @defaultValue none: required (a run passes its resolved `overload` option)
   */
  readonly maxCooldownMs: number;
}

/** `healthy`: calls flow. `cooling`: no calls until `until`. `probing`: one probe call at a time. */
export type BreakerState = 'healthy' | 'cooling' | 'probing';

/** What an outcome did to the breaker, for the engine to announce. */
export type BreakerChange = { readonly to: 'cooling'; readonly until: number; readonly failureRatio: number } | { readonly to: 'healthy' } | undefined;

/** Breaker of one source. Time is passed in; the breaker sets no timers. */
export class SourceBreaker {
  private readonly options: OverloadOptions;
  private readonly window: boolean[] = [];
  private next = 0;
  private failures = 0;
  private cooldown: number;
  private phase: BreakerState = 'healthy';
  private until = 0;
  private probeOut = false;

  constructor(options: OverloadOptions) {
    this.options = options;
    this.cooldown = options.cooldownMs;
  }

  /** The state at instant `now` (a cooldown that has elapsed reads as `probing`). */
  state(now: number): BreakerState {
    if (this.phase === 'cooling' && now >= this.until) {
      this.phase = 'probing';
      this.probeOut = false;
    }
    return this.phase;
  }

  /** End of the current cooldown (ms since epoch), meaningful while `cooling`. */
  cooldownEnds(): number {
    return this.until;
  }

  /** May a call start now? While probing, only one call may be out. */
  canDispatch(now: number): boolean {
    const state = this.state(now);
    if (state === 'healthy') return true;
    return state === 'probing' && !this.probeOut;
  }

  /** Notes that a call starts; returns true when this call is the probe. */
  dispatched(now: number): boolean {
    if (this.state(now) !== 'probing' || this.probeOut) return false;
    this.probeOut = true;
    return true;
  }

  /** The probe call was withdrawn without an outcome (aborted when the window closed): the next call is the probe. */
  withdrawProbe(): void {
    this.probeOut = false;
  }

  /**
   * Notes the outcome of a call: `failed` for a transient failure, false for any answer
   * (success or reject). `probe` tells whether that call was the probe.
   */
  record(failed: boolean, probe: boolean, now: number): BreakerChange {
    const state = this.state(now);
    if (state === 'probing' && probe) {
      this.probeOut = false;
      if (failed) {
        this.cooldown = Math.min(this.cooldown * 2, this.options.maxCooldownMs);
        return this.trip(now, 1);
      }
      this.reset();
      return { to: 'healthy' };
    }
    if (state !== 'healthy') return undefined;
    this.push(failed);
    const samples = this.window.length;
    const ratio = this.failures / samples;
    if (samples >= this.options.minSamples && ratio >= this.options.failureRatio) return this.trip(now, ratio);
    return undefined;
  }

  private trip(now: number, ratio: number): BreakerChange {
    this.phase = 'cooling';
    this.until = now + this.cooldown;
    return { to: 'cooling', until: this.until, failureRatio: ratio };
  }

  private reset(): void {
    this.phase = 'healthy';
    this.cooldown = this.options.cooldownMs;
    this.window.length = 0;
    this.next = 0;
    this.failures = 0;
  }

  private push(failed: boolean): void {
    if (this.window.length < this.options.windowSize) {
      this.window.push(failed);
    } else {
      if (this.window[this.next]) this.failures--;
      this.window[this.next] = failed;
      this.next = (this.next + 1) % this.options.windowSize;
    }
    if (failed) this.failures++;
  }
}
