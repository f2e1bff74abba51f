/**
 * bcss-bulk: call BCSS web services in bulk by the BCSS mass-call rules.
 *
 * The entry is grouped by concern, in the order of the folders of src/ (see README §
 * Architecture): the run, the BCSS rules, the calendar, the records, shared mode, following a
 * run, planning, the BCSS client, input files, errors and the small utilities. The fakes and
 * the metrics have their own entries, `bcss-bulk/testing` and `bcss-bulk/metrics`.
 *
 * @packageDocumentation
 */

// ── The run (src/engine/) ────────────────────────────────────────────────────────────────────
export { BulkRun } from './engine/run.js';
export { createRun } from './engine/create-run.js';
export type { RunStatus, RunSummary, RunTotals, StopOptions } from './engine/status.js';
export type { RunEvents, StateChange, RetryEvent, SourcePausedEvent, StallEvent, SharedUnavailableEvent, SharedRestoredEvent } from './engine/events.js';
export type { SourceStatus } from './engine/source-lane.js';
export { RUN_STATES, isFinal } from './engine/state-machine.js';
export type { RunState, PauseReason, ControlOrigin, ControlRequest } from './engine/state-machine.js';
export type { PausedBy } from './engine/status.js';
export { stopOnSignals, stopOnSignalsSchema } from './engine/control/signals.js';
export type { StopOnSignalsOptions, SignalledRun } from './engine/control/signals.js';
export { liveControlSchema } from './engine/control/control-options.js';
export type { LiveControlOptions } from './engine/control/control-options.js';
export { runOptionsSchema, overloadSchema, rejectBudgetSchema, stallSchema } from './engine/config.js';
export type { RunOptions, OverloadConfig, RejectBudgetConfig, StallConfig, CallContext, SuccessInfo } from './engine/config.js';
export type { ObservedRun } from './engine/observed-run.js';
export { attachRunLogger } from './engine/run-logger.js';
export type { RunLogger, LogMethod, LogFields } from './engine/run-logger.js';

// ── The BCSS rules (src/policy/): caps, verdicts, retries, budget, overload, announcement, INSZ ──
export { POLICY_CAPS, SOURCE_KINDS } from './policy/caps.js';
export type { SourceKind } from './policy/caps.js';
export { sourceSchema } from './policy/source.js';
export type { SourceConfig } from './policy/source.js';
export type { OverrideReason } from './util/options.js';
export { defaultClassifier, classifyError, classifyHttpStatus, composeClassifiers, TRANSIENT_NETWORK_CODES } from './policy/classify.js';
export type { Classification, Classifier, AttemptResult, ClassifyContext, OutcomeClass, PrecheckFailure } from './policy/classify.js';
export { retrySchema } from './policy/retry.js';
export type { RetryOptions } from './policy/retry.js';
export { parseRetryAfter } from './policy/backoff.js';
export { isRejectBudgetExceeded } from './policy/budget.js';
export type { RejectBudget, BudgetCounts } from './policy/budget.js';
export { SourceBreaker } from './policy/overload.js';
export type { OverloadOptions, BreakerState, BreakerChange } from './policy/overload.js';
export { checkAnnouncement, earliestStartOf, announcementSchema } from './policy/announcement.js';
export type { AnnouncementCheck, AnnouncementRecord, AnnouncementConfig } from './policy/announcement.js';
export { isValidInsz, parseInsz, formatInsz, maskInsz, normalizeInsz, inszPrecheck } from './policy/insz.js';
export type { ParsedInsz, ValidInsz, InvalidInsz, InszInvalidCode, InszOptions } from './policy/insz.js';

// ── Office hours (src/calendar/) ─────────────────────────────────────────────────────────────
export { OfficeCalendar, isOfficeHours, nextAllowedStart, nextOfficeHoursStart, calendarOptionsSchema, officeHoursSchema, blackoutSchema, WEEK_DAYS } from './calendar/calendar.js';
export type { CalendarOptions, OfficeHours, Blackout, ResolvedCalendarOptions, ClosedPeriod, ClosedReason, WeekDay } from './calendar/calendar.js';
export { runCalendarSchema, officeCalendarOf, resolveRunCalendar } from './calendar/run-calendar.js';
export type { RunCalendarConfig, ResolvedRunCalendar } from './calendar/run-calendar.js';
export { belgianPublicHolidays, easterSunday } from './calendar/holidays.js';
export type { PublicHoliday } from './calendar/holidays.js';
export { formatLocal } from './calendar/zone.js';
export { allowedWindows, addAllowedTime, allowedTimeBetween } from './calendar/windows.js';
export type { AllowedWindow, AllowedTimeEnd } from './calendar/windows.js';

// ── The run's records (src/store/): memory and file stores, ledgers, repair ──────────────────
export { MemoryStore, FINGERPRINTED_ITEMS } from './store/store.js';
export type { RunStore, RunMeta, OutcomeRecord, ItemOutcome, SourceRecord, ResumeState, OutcomeCounts, CalendarRecord, RecordsSink } from './store/store.js';
export { plannedFiguresSchema } from './store/records/index.js';
export type { PlannedFigures, PlannedSource } from './store/records/index.js';
export {
  FileStore,
  DEFAULT_LEDGER,
  DEFAULT_TRIAGE_ROUTES,
  nodeFileSystem,
  readLedger,
  summarizeLedger,
  exportLedger,
  rerunInput,
  csvField,
  planRepair,
  applyRepair,
  formatRepairPlan,
} from './store/file-store/index.js';
export { fileStoreOptionsSchema } from './store/file-store/options.js';
export type { FileStoreOptions, TriageRoute, LedgerRecord, FileSystem, AppendHandle, UpdateHandle, LedgerFilter, LedgerSummary, ExportFormat, RepairPlan, RepairResult, RepairOptions, NamedDamagedRecord } from './store/file-store/index.js';

// ── Shared mode (src/shared/): caps held across processes and hosts through Redis ────────────
export { sharedSchema } from './shared/shared-options.js';
export type { SharedOptions, ResolvedShared, RedisClientLike } from './shared/shared-options.js';

// ── Following a run (src/observe/): heartbeat, notifier, progress, progress bar ─────────────
// One verb attaches every observer: `const off = attach(run, heartbeat({ ... }))`; `off()` detaches.
export { attach } from './observe/attach.js';
export type { Detach, RunObserver } from './engine/observed-run.js';
export { heartbeat } from './observe/heartbeat.js';
export type { HeartbeatObserver } from './observe/heartbeat.js';
export { notifier } from './observe/notifier.js';
export { progressTracker } from './observe/progress.js';
export type { ProgressTrackerObserver } from './observe/progress.js';
export { progressBar } from './observe/progress-bar.js';
export type { ProgressBarObserver } from './observe/progress-bar.js';
export { startHeartbeat, DEFAULT_HEARTBEAT_INTERVAL_MS } from './observe/heartbeat.js';
export type { Heartbeat, HeartbeatOptions, HeartbeatPayload, HeartbeatStatus, HeartbeatEvents } from './observe/heartbeat.js';
export { httpTargetSchema, DEFAULT_DELIVERY_TIMEOUT_MS } from './observe/delivery.js';
export type { DeliveryTarget, CallbackTarget, HttpTarget, DeliveryContext } from './observe/delivery.js';
export { NOTICE_KINDS } from './observe/notice.js';
export type { Notice, NoticeDraft, NoticeKind, NoticeSeverity, NoticeSummary } from './observe/notice.js';
export { createNotifier } from './observe/notifier.js';
export type { Notifier, NotifierOptions, NotifierStrategy, NotifierEvents, DeliveryRecord, DeliveryStatus, AttachOptions } from './observe/notifier.js';
export { callbackChannel, webhookChannel } from './observe/notifier-channels.js';
export type { NotifierChannel, WebhookChannelOptions } from './observe/notifier-channels.js';
export { trackProgress, throughputOf, estimateFinish } from './observe/progress.js';
export type { StatusSource, ProgressSample, ProgressSnapshot, SourceProgress, ProgressOptions, ProgressTracker, FinishEstimate, FinishEstimateInput } from './observe/progress.js';
export { renderProgress, formatCount, formatRate } from './observe/progress-render.js';
export type { RenderOptions } from './observe/progress-render.js';
export { attachProgressBar } from './observe/progress-bar.js';
export type { ProgressBar, ProgressBarOptions, ProgressStream } from './observe/progress-bar.js';

// ── Planning (src/plan/): capacity plan, preflight, mutations advice, simulation ─────────────
export { planBatch, planInputSchema } from './plan/plan.js';
export type { PlanInput, BatchPlan, SourcePlan, PlanWindow } from './plan/plan.js';
export { renderPlan } from './plan/plan-text.js';
export type { PlanLanguage, RenderPlanOptions } from './plan/plan-text.js';
export { preflight, preflightSchema } from './plan/preflight.js';
export type { PreflightInput, PreflightProblem, PreflightReport } from './plan/preflight.js';
export { adviseMutations, readRunHistory } from './plan/mutations.js';
export type { MutationsAdvice, MutationsAdviceInput, RunHistoryEntry } from './plan/mutations.js';
export { simulateBatch, countWindows, errorMixSchema, simulateBatchSchema, simulatedSourceSchema } from './plan/simulate.js';
export type { SimulateBatchOptions, SimulatedSource, SimulatedRunOptions, SimulationReport, SimulatedSourceReport, ErrorMix } from './plan/simulate.js';
export { latencyModelSchema } from './plan/latency-model.js';
export type { LatencyModel } from './plan/latency-model.js';

// ── The report for the BCSS (src/report/): figures, verdicts per rule, the HTML page ────────
export { readReport, renderReportHtml, REPORT_LANGUAGES, ruleDetailOf } from './report/index.js';
export type { ReportHtmlOptions, ReportLanguage, RuleFacts, ComplianceReport, RuleVerdict, RuleId, SourceFigures, HourFigures, PauseFigures, StatePeriod, RunEventFigures, PlanVersusActual } from './report/index.js';

// ── The BCSS client (src/bcss/) ──────────────────────────────────────────────────────────────
export { createBcssClient, bcssClientSchema, bcssTlsSchema, BCSS_ENVIRONMENTS, BCSS_TRANSPORT_BASE_URL, DEFAULT_MAX_REPLY_BYTES } from './bcss/client.js';
export type { BcssClient, BcssClientOptions, BcssEnvironment, SoaRequest, SsdnRequest, CallOptions } from './bcss/client.js';
export { bcssClassifier, BCSS_FATAL_CODES, BCSS_TRANSIENT_CODES, BCSS_REJECT_CODES } from './bcss/classify.js';
export type { BcssClassifierOptions } from './bcss/classify.js';
export { buildSoaEnvelope, buildSsdnEnvelope, buildSsdnRequest, readSoapReply, inNamespace, XmlInNamespace, DEFAULT_MAX_REPLY_DEPTH } from './bcss/soap.js';
export type { BcssReply, BcssStatus, CustomerIdentification, ElementForm, ServiceElement, SoaEnvelope, SsdnEnvelope, SsdnAuthorizedUser, XmlElement, XmlValue, ReadReplyOptions } from './bcss/soap.js';
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

// ── Input files (src/engine/input-files.ts): CSV and line files of national numbers ─────────
export { readCsv, readLines, inputPrecheck, readCsvOptionsSchema, readLinesOptionsSchema } from './engine/input-files.js';
export type { InputLine, InputFileOptions, ReadCsvOptions, ReadLinesOptions, CsvRecord, CsvCells } from './engine/input-files.js';

// ── Errors: every error is a BcssBulkError with a stable `code` ─────────────────────────────
export { BcssBulkError, ConfigError, RunFailedError, MissingPeerError, isBcssBulkError } from './util/errors.js';
export type { ConfigIssue } from './util/errors.js';
export { PolicyError, AnnouncementError, CallTimeoutError, HttpStatusError } from './policy/errors.js';
export { RunStateError, CallStalledError, CallHardDeadlineError, OfficeHoursError, InputFileError } from './engine/errors.js';
export type { InputFileProblem } from './engine/errors.js';
export { InputChangedError, RunDirLockedError, LedgerDamagedError, StoreIoError, RecordsError, LiveStatusDamagedError } from './store/errors.js';
export type { LedgerDamage, LedgerDamageDetails } from './store/errors.js';
export { RunLockedError, SharedStateError, LeaseLostError } from './shared/errors.js';
export { DeliveryError, ObserverAttachedError } from './observe/errors.js';

// ── Small utilities (src/util/) ──────────────────────────────────────────────────────────────
export { systemClock } from './util/clock.js';
export type { Clock, TimerHandle } from './util/clock.js';
export { maskNationalNumbers } from './util/privacy.js';
export { reasonOf } from './util/reason.js';
