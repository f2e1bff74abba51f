/**
 * Watches concurrency from the service's side: every call of every benchmark goes through
 * {@link CapMonitor.wrap}, which counts the calls running per source and each time a call
 * starts while the source's cap is already reached (a cap violation).
 */

/** Counts simultaneous calls per source and the calls that started over the cap. */
export class CapMonitor {
  private readonly running = new Map<string, number>();
  private readonly peaks = new Map<string, number>();
  /** Calls that started while their source already had `cap` calls running. */
  violations = 0;

  /** Wraps a call function of one source with cap `cap`. */
  wrap<A extends unknown[], R>(source: string, cap: number, call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A) => {
      const now = (this.running.get(source) ?? 0) + 1;
      if (now > cap) this.violations++;
      this.running.set(source, now);
      if (now > (this.peaks.get(source) ?? 0)) this.peaks.set(source, now);
      try {
        return await call(...args);
      } finally {
        this.running.set(source, (this.running.get(source) ?? 1) - 1);
      }
    };
  }

  /** Highest number of simultaneous calls seen for a source. */
  peak(source: string): number {
    return this.peaks.get(source) ?? 0;
  }

  /** Adds violations observed elsewhere (e.g. by a simulated service). */
  add(violations: number): void {
    this.violations += violations;
  }
}
