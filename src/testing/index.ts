/**
 * Helpers for testing batch jobs built on bcss-bulk, in your own CI: a fake clock that runs
 * hours of schedule in milliseconds, a recording fake service that measures concurrency, and a
 * fake BCSS service on loopback that speaks SOAP.
 *
 * @packageDocumentation
 */
export { FakeClock, flushPromises } from './fake-clock.js';
export { RecordingService } from './recording-service.js';
export type { RecordingServiceOptions, SourceRecording } from './recording-service.js';

// ── Fake BCSS service ────────────────────────────────────────────────────────
export { startFakeBcss } from './fake-bcss.js';
export type { FakeBcss, FakeBcssOptions, FakeBcssOutcome, FakeBcssCall, FakeBcssLoad } from './fake-bcss.js';
