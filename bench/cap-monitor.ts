/**
 * Watches concurrency from the service's side: every call of every benchmark goes through
 * {@link CapMonitor.wrap}, which counts the calls running per source and each time a call
 * starts while the source's cap is already reached (a cap violation).
 */

/** Counts simultaneous calls per source (one wrapper per source) and the calls that started over the cap. */
export class CapMonitor {
  private readonly peaks = new Map<string, number>();
  /** Calls that started while their source already had `cap` calls running. */
  violations = 0;

  /** Wraps a call function of one source with cap `cap`. Light on purpose: every contender pays it on every call. */
  wrap<A extends unknown[], R>(source: string, cap: number, call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    let running = 0;
    const exit = () => {
      running--;
    };
    return (...args: A) => {
      if (++running > cap) this.violations++;
      if (running > (this.peaks.get(source) ?? 0)) this.peaks.set(source, running);
      const result = call(...args);
      result.then(exit, exit);
      return result;
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
