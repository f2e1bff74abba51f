/**
 * Real time and real timers that fake timers do not replace: `performance.now` and
 * `setInterval`, captured when the library is loaded (before a test installs vitest's or
 * sinon's fake timers, which swap the globals). Only for what lives in real time whatever the
 * run's clock says — looking for an operator's commands, refreshing the live status for the
 * operator — never for the run's schedule, which is the injected clock's: under a fake clock
 * that runs a night in seconds, these stay at their real pace and cost no fake timer.
 */
export const realMonotonicNow: () => number = performance.now.bind(performance);

const setIntervalReal = globalThis.setInterval;
const clearIntervalReal = globalThis.clearInterval;

/**
 * A real interval timer; returns its canceller. It keeps the process alive until cancelled: a
 * paused run, with nothing else pending, must still be there to take the command that resumes it.
 */
export function realInterval(callback: () => void, ms: number): () => void {
  const handle = setIntervalReal(callback, ms);
  return () => clearIntervalReal(handle);
}
