/**
 * Helpers for testing batch jobs built on bcss-bulk, in your own CI: a fake clock that runs
 * hours of schedule in milliseconds with real I/O (or a driver for vitest's fake timers), a
 * recording fake service that measures concurrency, and a fake BCSS built from the BCSS's
 * contract, on loopback (HTTP) or in process on a clock.
 *
 * @packageDocumentation
 */
export { FakeClock, flushPromises } from './util/fake-clock.js';
export type { FakeClockOptions, RunUntilSettledOptions } from './util/fake-clock.js';
export { runWithFakeTimers } from './testing/fake-timers.js';
export type { FakeTimers, RunWithFakeTimersOptions, SinonTimers, VitestTimers } from './testing/fake-timers.js';
export { workInFlight } from './util/io-idle.js';
export type { IdleOptions } from './util/io-idle.js';
export { RecordingService } from './testing/recording-service.js';
export type { RecordingServiceOptions, SourceRecording } from './testing/recording-service.js';

// ── Fake BCSS service ────────────────────────────────────────────────────────
export { startFakeBcss } from './testing/fake-bcss.js';
export type { FakeBcss, FakeBcssOptions } from './testing/fake-bcss.js';
export { createFakeBcss } from './testing/fake-bcss-in-process.js';
export type { InProcessFakeBcss, InProcessFakeBcssOptions } from './testing/fake-bcss-in-process.js';
export type { FakeBcssCall, FakeBcssCoreOptions, FakeBcssRecords, FakeBcssExchange, FakeBcssAnswer, FakeBcssLoad, FakeBcssRefusal } from './testing/fake-bcss-core.js';
export type { FakeBcssOutcome, FakeBcssNamedOutcome, SoaStatus, SsdnDetail } from './testing/fake-bcss-outcomes.js';
export { FAKE_SSDN_AUTHOR, SOA_SYSTEM_ERRORS } from './testing/fake-bcss-outcomes.js';
export {
  FAKE_BCSS_SERVICES,
  RETRIEVE_TI_GROUPS_V2,
  IDENTIFY_PERSON,
  MANAGE_ACCESS,
  SSDN_CONNECTOR_PATH,
  SOA_BASE_REQUEST,
} from './testing/fake-bcss-contract.js';
export type { FakeBcssService, FakeSoaService, FakeSsdnService } from './testing/fake-bcss-contract.js';
export type { ContentModel, ElementRule, ChoiceRule, SimpleType, XmlNode } from './testing/fake-bcss-xml.js';
