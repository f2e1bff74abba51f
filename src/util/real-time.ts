/**
 * Real time that fake timers do not replace: `performance.now`, captured when the library is
 * loaded (before a test installs vitest's or sinon's fake timers, which swap it). Only for
 * spacing periodic I/O in real time (e.g. looking for an operator's commands), never for the
 * run's schedule, which is the injected clock's.
 */
export const realMonotonicNow: () => number = performance.now.bind(performance);
