/**
 * bcss-bulk: call BCSS web services in bulk by the BCSS mass-call rules.
 *
 * @packageDocumentation
 */
export { createRun, BulkRun } from './run.js';
export type { RunStatus, RunSummary, RunTotals, StopOptions } from './run.js';
export type { RunEvents, StateChange, RetryEvent, SourcePausedEvent } from './events.js';
export type { SourceStatus } from './source-lane.js';
export { parseRunOptions, runOptionsSchema, sourceSchema, retrySchema, overloadSchema, rejectBudgetSchema } from './config.js';
export type {
  RunOptions,
  SourceConfig,
  RetryOptions,
  OverloadConfig,
  RejectBudgetConfig,
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
  HttpStatusError,
} from './errors.js';
export type { ConfigIssue } from './errors.js';

// Simulation of a batch in virtual time (issue 8).
export { simulateBatch, countWindows, errorMixSchema } from './simulate.js';
export type { SimulateBatchOptions, SimulatedSource, SimulatedRunOptions, SimulationReport, SimulatedSourceReport, ErrorMix } from './simulate.js';
export { sampleLatency, latencyModelSchema } from './latency-model.js';
export type { LatencyModel } from './latency-model.js';
export { seededRandom } from './seeded-random.js';
