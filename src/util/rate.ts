/**
 * Throughput over a moving window: completions are counted in one-second buckets, and the
 * rate is the count of the last `windowMs` divided by the time the window covers.
 */

/** Moving-window throughput meter. Time is passed in. */
export class RateMeter {
  private readonly bucketMs = 1000;
  private readonly counts: number[];
  private readonly stamps: number[];
  private readonly startedAt: number;

  /** @param windowMs length of the window, a whole number of seconds (60 s by default). */
  constructor(now: number, windowMs = 60_000) {
    const buckets = Math.max(1, Math.ceil(windowMs / this.bucketMs));
    this.counts = new Array<number>(buckets).fill(0);
    this.stamps = new Array<number>(buckets).fill(-1);
    this.startedAt = now;
  }

  /** Counts `n` completions at instant `now`. */
  add(now: number, n = 1): void {
    const slot = Math.floor(now / this.bucketMs);
    const index = slot % this.counts.length;
    if (this.stamps[index] !== slot) {
      this.stamps[index] = slot;
      this.counts[index] = 0;
    }
    this.counts[index] = (this.counts[index] ?? 0) + n;
  }

  /** Completions per second over the window ending at `now`. */
  perSecond(now: number): number {
    const slot = Math.floor(now / this.bucketMs);
    const oldest = slot - this.counts.length + 1;
    let total = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const stamp = this.stamps[i] ?? -1;
      if (stamp >= oldest && stamp <= slot) total += this.counts[i] ?? 0;
    }
    // The window spans from the start of its oldest bucket (or the meter's start, if later) to now.
    const covered = Math.max(1, now - Math.max(oldest * this.bucketMs, this.startedAt));
    return (total * 1000) / covered;
  }
}
