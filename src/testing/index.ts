/**
 * Helpers for testing batch jobs built on bcss-bulk, in your own CI: a fake clock that runs
 * hours of schedule in milliseconds, and a recording fake service that measures concurrency.
 *
 * @packageDocumentation
 */
export { FakeClock, flushPromises } from './fake-clock.js';
export { RecordingService } from './recording-service.js';
export type { RecordingServiceOptions, SourceRecording } from './recording-service.js';
