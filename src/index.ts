/**
 * bcss-bulk: call BCSS web services in bulk by the BCSS mass-call rules.
 *
 * @packageDocumentation
 */
export { createRun, BulkRun } from './run.js';
export type { RunStatus, RunSummary, RunTotals, StopOptions } from './run.js';
export type { RunEvents, StateChange, RetryEvent, SourcePausedEvent, StallEvent } from './events.js';
export type { SourceStatus } from './source-lane.js';
export { parseRunOptions, runOptionsSchema, sourceSchema, retrySchema, overloadSchema, rejectBudgetSchema, stallSchema, defaultStallAfterMs } from './config.js';
export type {
  RunOptions,
  OverrideReason,
  SourceConfig,
  RetryOptions,
  OverloadConfig,
  RejectBudgetConfig,
  StallConfig,
  CallContext,
  SuccessInfo,
  ResolvedSource,
  ResolvedRunOptions,
} from './config.js';
export { POLICY_CAPS, SOURCE_KINDS, resolveCap } from './caps.js';
export type { SourceKind, CapRequest, ResolvedCap } from './caps.js';
export { fullJitterDelay, parseRetryAfter, retryDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export {
  defaultClassifier,
  classifyError,
  classifyHttpStatus,
  composeClassifiers,
  httpFacts,
  reasonOf,
  TRANSIENT_NETWORK_CODES,
} from './classify.js';
export type { Classification, Classifier, AttemptResult, ClassifyContext, OutcomeClass } from './classify.js';
export { isRejectBudgetExceeded } from './budget.js';
export type { RejectBudget, BudgetCounts } from './budget.js';
export { SourceBreaker } from './overload.js';
export type { OverloadOptions, BreakerState, BreakerChange } from './overload.js';
export { RUN_STATES, canTransition, isFinal } from './state-machine.js';
export type { RunState, PauseReason } from './state-machine.js';
export { systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { MemoryStore } from './store.js';
export type { RunStore, RunMeta, OutcomeRecord, ItemOutcome, SourceRecord } from './store.js';
export { maskNationalNumbers } from './privacy.js';
export { RateMeter } from './rate.js';
export {
  BcssBulkError,
  ConfigError,
  PolicyError,
  RunStateError,
  RunFailedError,
  CallTimeoutError,
  CallStalledError,
  HttpStatusError,
  MissingPeerError,
  isBcssBulkError,
} from './errors.js';
export type { ConfigIssue } from './errors.js';

// ── National numbers and the BCSS transport ──────────────────────────────────
export { isValidInsz, parseInsz, formatInsz, maskInsz, normalizeInsz, inszPrecheck } from './insz.js';
export type { ParsedInsz, ValidInsz, InvalidInsz, InszInvalidCode, InszOptions } from './insz.js';
export type { PrecheckFailure } from './config.js';
export { createBcssClient, bcssClientSchema, bcssTlsSchema, BCSS_ENVIRONMENTS, BCSS_TRANSPORT_BASE_URL } from './bcss/client.js';
export type { BcssClient, BcssClientOptions, BcssEnvironment, SoaRequest, SsdnRequest, CallOptions } from './bcss/client.js';
export { bcssClassifier, BCSS_FATAL_CODES, BCSS_TRANSIENT_CODES, BCSS_REJECT_CODES } from './bcss/classify.js';
export type { BcssClassifierOptions } from './bcss/classify.js';
export { buildSoaEnvelope, buildSsdnEnvelope, buildSsdnRequest, readSoapReply, inNamespace, XmlInNamespace } from './bcss/soap.js';
export type { BcssReply, BcssStatus, CustomerIdentification, ElementForm, ServiceElement, SoaEnvelope, SsdnEnvelope, SsdnAuthorizedUser, XmlElement, XmlValue } from './bcss/soap.js';
export { DEFAULT_MAX_REPLY_BYTES } from './bcss/client.js';
export { DEFAULT_MAX_REPLY_DEPTH } from './bcss/soap.js';
export type { ReadReplyOptions } from './bcss/soap.js';
export {
  SOAP_ENVELOPE_NS,
  SSDN_SERVICE_NS,
  SSDN_CONNECTOR_NS,
  SSDN_COMMON_NS,
  IDENTIFY_PERSON_NS,
  MANAGE_ACCESS_NS,
  RETRIEVE_TI_GROUPS_V2_NS,
  SSDN_SEND_XML_SOAP_ACTION,
  RETRIEVE_TI_GROUPS_V2_SOAP_ACTION,
} from './bcss/contract.js';
export { BcssFaultError, BcssTransportError, BcssReplyError, BcssRequestError } from './bcss/errors.js';
export type { BcssFault, BcssMessage, BcssInformation, BcssSystemError } from './bcss/errors.js';
export type { BcssTlsFailure } from './bcss/tls-failure.js';
export type { BcssTransport, BcssHttpRequest, BcssHttpResponse } from './bcss/transport.js';

// Office hours (issue 3): the calendar and the run's window.
export {
  OfficeCalendar,
  isOfficeHours,
  nextAllowedStart,
  nextOfficeHoursStart,
  calendarOptionsSchema,
  officeHoursSchema,
  blackoutSchema,
  WEEK_DAYS,
} from './calendar.js';
export type { CalendarOptions, OfficeHours, Blackout, ResolvedCalendarOptions, ClosedPeriod, ClosedReason, WeekDay } from './calendar.js';
export { belgianPublicHolidays, easterSunday } from './holidays.js';
export type { PublicHoliday } from './holidays.js';
export { formatLocal } from './zone.js';
export { allowedWindows, addAllowedTime, allowedTimeBetween } from './windows.js';
export type { AllowedWindow, AllowedTimeEnd } from './windows.js';
export { OfficeHoursError } from './errors.js';
export type { RunCalendarConfig } from './config.js';
export { runCalendarSchema, announcementSchema } from './config.js';
export type { AnnouncementConfig } from './config.js';
export type { CalendarRecord } from './store.js';

// ── Durable file store (run directory, ledgers, checkpoint) ─────────────────
export {
  FileStore,
  DEFAULT_LEDGER,
  DEFAULT_TRIAGE_ROUTES,
  ledgerFor,
  nodeFileSystem,
  readLedger,
  summarizeLedger,
  exportLedger,
  exportLines,
  rerunInput,
  csvField,
  CSV_COLUMNS,
  planRepair,
  applyRepair,
  formatRepairPlan,
} from './file-store/index.js';
export type { FileStoreOptions, TriageRoute, LedgerRecord, FileSystem, AppendHandle, UpdateHandle, LedgerFilter, LedgerSummary, ExportFormat, RepairPlan, RepairResult, RepairOptions, NamedDamagedRecord } from './file-store/index.js';
export { FINGERPRINTED_ITEMS } from './store.js';
export type { ResumeState, OutcomeCounts } from './store.js';
export { InputChangedError, RunDirLockedError, LedgerDamagedError, StoreIoError } from './errors.js';
export type { LedgerDamage, LedgerDamageDetails } from './errors.js';
export { itemFingerprint, stableStringify } from './fingerprint.js';

// Shared mode: caps held across processes and hosts through Redis, and a run lock.
export { sharedSchema, leaseTtl, reconnectDelay } from './shared-options.js';
export type { SharedOptions, ResolvedShared, RedisClientLike } from './shared-options.js';
export type { SharedUnavailableEvent, SharedRestoredEvent } from './events.js';
export { RunLockedError, SharedStateError } from './errors.js';

// Simulation of a batch in virtual time (issue 8).
export { simulateBatch, countWindows, errorMixSchema } from './simulate.js';
export type { SimulateBatchOptions, SimulatedSource, SimulatedRunOptions, SimulationReport, SimulatedSourceReport, ErrorMix } from './simulate.js';
export { sampleLatency, latencyModelSchema } from './latency-model.js';
export type { LatencyModel } from './latency-model.js';
export { seededRandom } from './seeded-random.js';

// Following a run (issue 6): liveness heartbeat and notifications, attached from outside.
export { deliver, scrubUrl, scrubText, parseHttpTarget, httpTargetSchema, DEFAULT_DELIVERY_TIMEOUT_MS } from './delivery.js';
export type { DeliveryTarget, CallbackTarget, HttpTarget, DeliveryContext, DeliverOptions } from './delivery.js';
export { DeliveryError } from './errors.js';
export type { ObservedRun } from './observed-run.js';
export { startHeartbeat, DEFAULT_HEARTBEAT_INTERVAL_MS } from './heartbeat.js';
export type { Heartbeat, HeartbeatOptions, HeartbeatPayload, HeartbeatStatus, HeartbeatEvents } from './heartbeat.js';
export { NOTICE_KINDS, noticeOfStateChange, noticeOfSourcePaused, noticeOfStall, formatDuration } from './notice.js';
export type { Notice, NoticeDraft, NoticeKind, NoticeSeverity, NoticeSummary } from './notice.js';
export { createNotifier } from './notifier.js';
export type { Notifier, NotifierOptions, NotifierStrategy, NotifierEvents, DeliveryRecord, DeliveryStatus, AttachOptions } from './notifier.js';
export { callbackChannel, webhookChannel } from './notifier-channels.js';
export type { NotifierChannel, WebhookChannelOptions } from './notifier-channels.js';
// ── Progress: tracker, ETA through the allowed windows, terminal renderer (issue 6) ──
export { trackProgress, throughputOf, estimateFinish, progressSnapshot, resolveProgressCalendar } from './progress.js';
export type { StatusSource, ProgressSample, ProgressSnapshot, SourceProgress, ProgressOptions, ProgressTracker, FinishEstimate, FinishEstimateInput } from './progress.js';
export { renderProgress, formatCount, formatRate } from './progress-render.js';
export type { RenderOptions } from './progress-render.js';
export { attachProgressBar } from './progress-bar.js';
export type { ProgressBar, ProgressBarOptions, ProgressStream } from './progress-bar.js';
// Announcement, capacity plan, mutations advice and preflight (issue 6).
export { checkAnnouncement, earliestStartOf } from './announcement.js';
export type { AnnouncementCheck, AnnouncementRecord } from './announcement.js';
export { AnnouncementError } from './errors.js';
export { planBatch, planInputSchema } from './plan.js';
export type { PlanInput, BatchPlan, SourcePlan, PlanWindow } from './plan.js';
export { renderPlan } from './plan-text.js';
export type { PlanLanguage, RenderPlanOptions } from './plan-text.js';
export { adviseMutations, readRunHistory } from './mutations.js';
export type { MutationsAdvice, MutationsAdviceInput, RunHistoryEntry } from './mutations.js';
export { preflight } from './preflight.js';
export type { PreflightInput, PreflightProblem, PreflightReport } from './preflight.js';

// ── Operations (issue 14): logger, input helpers ──
export { attachRunLogger } from './run-logger.js';
export type { RunLogger, LogMethod, LogFields } from './run-logger.js';
export { readCsv, readLines, inputPrecheck } from './input-files.js';
export type { InputLine, InputFileOptions, ReadCsvOptions, ReadLinesOptions, CsvRecord, CsvCells } from './input-files.js';
export { InputFileError } from './errors.js';
export type { InputFileProblem } from './errors.js';
