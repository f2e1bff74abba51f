/**
 * Helpers for testing batch jobs built on bcss-bulk, in your own CI: a fake clock that runs
 * hours of schedule in milliseconds with real I/O (or a driver for vitest's fake timers), a recording fake service that measures concurrency, and a
 * fake BCSS service on loopback that speaks SOAP.
 *
 * @packageDocumentation
 */
export { FakeClock, flushPromises } from './fake-clock.js';
export type { FakeClockOptions, RunUntilSettledOptions } from './fake-clock.js';
export { runWithFakeTimers } from './fake-timers.js';
export type { FakeTimers, RunWithFakeTimersOptions, SinonTimers, VitestTimers } from './fake-timers.js';
export { workInFlight } from './io-idle.js';
export type { IdleOptions } from './io-idle.js';
export { RecordingService } from './recording-service.js';
export type { RecordingServiceOptions, SourceRecording } from './recording-service.js';

// ── Fake BCSS service ────────────────────────────────────────────────────────
export { startFakeBcss } from './fake-bcss.js';
export type { FakeBcss, FakeBcssOptions, FakeBcssOutcome, FakeBcssCall, FakeBcssLoad } from './fake-bcss.js';
