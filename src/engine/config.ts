/**
 * The configuration of a run: zod schemas for every field, the defaults, and the check of the
 * BCSS parallelism policy. {@link parseRunOptions} is the only entrance: it returns resolved
 * options or throws a {@link ConfigError} / {@link PolicyError} naming each offending path.
 */
import { z } from 'zod';
import { runCalendarSchema } from '../calendar/run-calendar.js';
import { announcementSchema } from '../policy/announcement.js';
import { plannedFiguresSchema } from '../store/records/format.js';
import { HARD_DEADLINE_FACTOR, sourceSchema, type ResolvedSource } from '../policy/source.js';
import { fn, nonNegativeMs, parseOptions, positiveInt, positiveMs, ratio } from '../util/options.js';
import { MAX_TIMER_MS } from '../util/time.js';
import { resolveCap } from '../policy/caps.js';
import type { Classifier } from '../policy/classify.js';
import type { Clock } from '../util/clock.js';
import { ConfigError, type ConfigIssue } from '../util/errors.js';
import { PolicyError } from '../policy/errors.js';
import type { RunStore } from '../store/store.js';
import { sharedSchema } from '../shared/shared-options.js';
import type { Agrees, Assert, SchemaMatches } from '../util/type-checks.js';
import type { OverloadConfig, RejectBudgetConfig, RunOptions, StallConfig } from './run-options.js';
import { isRunLogger, type RunLogger } from './run-logger.js';
import { inputProblem } from './input-protocol.js';
import { readingOptions } from '../util/options-guard.js';
import { retrySchema } from '../policy/retry.js';
import { liveControlSchema } from './control/control-options.js';

/** Schema of the per-source overload protection. */
export const overloadSchema = z.strictObject({
  windowSize: positiveInt.default(20),
  minSamples: positiveInt.default(10),
  failureRatio: ratio.default(0.5),
  cooldownMs: positiveMs.default(30_000),
  maxCooldownMs: positiveMs.default(600_000),
});

/** Schema of the stall watchdog. */
export const stallSchema = z.strictObject({
  /**
   * No call ended and no item finished for this long, with calls out: the run has stalled.
   * Default: twice the longest call timeout of the run's sources, and at least 10 minutes.
   */
  afterMs: positiveMs.optional(),
  /** Abort the calls in flight when the run stalls, so that their items are retried. */
  abort: z.boolean().default(false),
});

/** Schema of the reject budget. */
export const rejectBudgetSchema = z.strictObject({
  maxRatio: ratio.default(0.1),
  minSample: positiveInt.default(100),
});

const inputSchema = z.custom<Iterable<unknown> | AsyncIterable<unknown>>().superRefine((value, context) => {
  const problem = inputProblem(value);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

/** Schema of the whole run configuration. */
export const runOptionsSchema = z.strictObject({
  input: inputSchema,
  call: fn('a function (item, context) => result'),
  source: z.union([z.string().min(1), fn('a function (item) => source name')], { message: 'expected a source name or a function (item) => source name' }),
  sources: z.record(z.string().min(1), sourceSchema).refine((s) => Object.keys(s).length > 0, 'configure at least one source'),
  key: fn('a function (item, position) => string').optional(),
  onSuccess: fn('a function (item, value, info) => void').optional(),
  classify: fn('a function (result, context) => Classification | undefined').optional(),
  /** Refuses an item before any call (e.g. an invalid national number): a reject with 0 attempts. */
  precheck: fn('a function (item) => { code, reason } | undefined').optional(),
  maxConcurrency: positiveInt.optional(),
  timeoutMs: positiveMs.default(30_000),
  retry: retrySchema.default(() => retrySchema.parse({})),
  overload: z.union([z.literal(false), overloadSchema]).default(() => overloadSchema.parse({})),
  rejectBudget: z.union([z.literal(false), rejectBudgetSchema]).default(() => rejectBudgetSchema.parse({})),
  stall: z.union([z.literal(false), stallSchema]).default(() => stallSchema.parse({})),
  minPauseMs: nonNegativeMs.default(300_000),
  prefetch: positiveInt.default(64),
  progressIntervalMs: positiveMs.default(1_000),
  clock: z.custom<Clock>((v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function' && typeof (v as Clock).setTimeout === 'function' && typeof (v as Clock).clearTimeout === 'function', { message: 'expected a Clock (now, setTimeout, clearTimeout)' }).optional(),
  store: z.custom<RunStore>((v) => typeof v === 'object' && v !== null && typeof (v as RunStore).record === 'function' && typeof (v as RunStore).open === 'function', { message: 'expected a RunStore (open, record)' }).optional(),
  random: fn('a function () => number in [0, 1)').optional(),
  calendar: runCalendarSchema.default(() => runCalendarSchema.parse({})),
  waitForWindow: z.boolean().default(false),
  drainDeadlineMs: nonNegativeMs.default(60_000),
  shared: sharedSchema.optional(),
  name: z.string().trim().min(1).max(120).optional(),
  announcement: announcementSchema.optional(),
  plan: plannedFiguresSchema.optional(),
  // ── Operations (issue 14): the logger ──
  logger: z.custom<RunLogger>(isRunLogger, { message: 'expected a logger with info, warn and error methods, called as logger.info(fields, message) (pino, console)' }).optional(),
  // ── Operator control (issue 17) ──
  control: z.union([z.literal(false), liveControlSchema]).default(() => liveControlSchema.parse({})),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, { message: 'expected an AbortSignal' }).optional(),
});

export type { OverloadConfig, StallConfig, RejectBudgetConfig, CallContext, SuccessInfo, RunOptions } from './run-options.js';

type _OverloadAgrees = Assert<SchemaMatches<z.input<typeof overloadSchema>, OverloadConfig>>;
type _StallAgrees = Assert<SchemaMatches<z.input<typeof stallSchema>, StallConfig>>;
type _RejectBudgetAgrees = Assert<SchemaMatches<z.input<typeof rejectBudgetSchema>, RejectBudgetConfig>>;
/** The fields of a run's options that are data (not functions, iterables or objects with methods). */
type DataField = 'sources' | 'maxConcurrency' | 'timeoutMs' | 'retry' | 'overload' | 'rejectBudget' | 'stall' | 'minPauseMs' | 'prefetch' | 'progressIntervalMs' | 'calendar' | 'waitForWindow' | 'drainDeadlineMs' | 'shared' | 'name' | 'announcement' | 'plan' | 'control';
type _RunOptionsFieldsAgree = Assert<Agrees<keyof z.input<typeof runOptionsSchema>, keyof RunOptions<unknown, unknown>>>;
type _RunOptionsDataAgrees = Assert<Agrees<Pick<z.input<typeof runOptionsSchema>, DataField>, Pick<RunOptions<unknown, unknown>, DataField>>>;


type Parsed = z.output<typeof runOptionsSchema>;

/** The stall watchdog's default period: twice the longest call timeout, and at least 10 minutes. */
export function defaultStallAfterMs(timeoutsMs: Iterable<number>): number {
  let longest = 0;
  for (const timeout of timeoutsMs) if (timeout > longest) longest = timeout;
  return Math.min(MAX_TIMER_MS, Math.max(600_000, 2 * longest));
}

/** Options after validation, with defaults applied and caps resolved. */
export interface ResolvedRunOptions<T, R> extends Omit<Parsed, 'input' | 'call' | 'source' | 'key' | 'onSuccess' | 'classify' | 'precheck' | 'random' | 'sources' | 'clock' | 'store' | 'signal'> {
  readonly signal?: AbortSignal | undefined;
  readonly input: Iterable<T> | AsyncIterable<T>;
  readonly call: RunOptions<T, R>['call'];
  readonly sourceOf: (item: T) => string;
  readonly sources: ReadonlyMap<string, ResolvedSource>;
  readonly key: ((item: T, position: number) => string) | undefined;
  readonly onSuccess: RunOptions<T, R>['onSuccess'];
  readonly classify: Classifier<R> | undefined;
  /** See {@link RunOptions.precheck}. */
  readonly precheck: RunOptions<T, R>['precheck'];
  readonly random: () => number;
  readonly clock: Clock | undefined;
  readonly store: RunStore | undefined;
}

/** Checks between fields that zod's per-field schemas cannot see. */
function crossFieldIssues(parsed: Parsed): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (parsed.retry.baseDelayMs > parsed.retry.maxDelayMs) {
    issues.push({ path: ['retry', 'baseDelayMs'], message: `must not exceed retry.maxDelayMs (${parsed.retry.maxDelayMs})` });
  }
  const overload = parsed.overload;
  if (overload !== false && overload.minSamples > overload.windowSize) {
    issues.push({ path: ['overload', 'minSamples'], message: `must not exceed overload.windowSize (${overload.windowSize}), or the protection never trips` });
  }
  if (overload !== false && overload.cooldownMs > overload.maxCooldownMs) {
    issues.push({ path: ['overload', 'cooldownMs'], message: `must not exceed overload.maxCooldownMs (${overload.maxCooldownMs})` });
  }
  return issues;
}

/**
 * Validates a run's configuration and resolves its caps.
 *
 * @throws {ConfigError} when a field is malformed (each issue names its path), or cannot be read (a getter that throws).
 * @throws {PolicyError} when a cap exceeds the BCSS policy without a written override.
 */
export function parseRunOptions<T, R>(options: RunOptions<T, R>): ResolvedRunOptions<T, R> {
  // A getter of the options that throws is a ConfigError naming it (the items of an `input` array are not searched).
  return readingOptions(options, 'run configuration', () => resolveRunOptions(options), { skip: ['input'], known: Object.keys(runOptionsSchema.shape) });
}

function resolveRunOptions<T, R>(options: RunOptions<T, R>): ResolvedRunOptions<T, R> {
  const parsed = parseOptions(runOptionsSchema, options, 'run configuration');

  const sources = new Map<string, ResolvedSource>();
  const refused: ConfigIssue[] = [];
  for (const [name, config] of Object.entries(parsed.sources)) {
    const resolved = resolveCap(name, config);
    if (!resolved.ok) {
      refused.push(resolved.issue);
      continue;
    }
    const timeoutMs = config.timeoutMs ?? parsed.timeoutMs;
    const hardDeadlineMs = config.hardDeadlineMs ?? Math.min(HARD_DEADLINE_FACTOR * timeoutMs, MAX_TIMER_MS);
    if (hardDeadlineMs < timeoutMs) {
      throw new ConfigError([{ path: ['sources', name, 'hardDeadlineMs'], message: `must be at least the source's timeoutMs (${timeoutMs})` }], 'run configuration');
    }
    sources.set(name, { name, kind: config.kind, ...resolved.value, timeoutMs, hardDeadlineMs, abortGraceMs: config.abortGraceMs });
  }
  if (refused.length > 0) throw new PolicyError(refused);
  const crossField = crossFieldIssues(parsed);
  if (crossField.length > 0) throw new ConfigError(crossField, 'run configuration');
  const fixedSource = options.source;
  if (typeof fixedSource === 'string' && !sources.has(fixedSource)) {
    throw new ConfigError([{ path: ['source'], message: `source '${fixedSource}' is not among the configured sources (${[...sources.keys()].join(', ')})` }], 'run configuration');
  }

  return {
    ...parsed,
    input: options.input,
    call: options.call,
    sourceOf: typeof fixedSource === 'string' ? () => fixedSource : fixedSource,
    sources,
    key: options.key,
    onSuccess: options.onSuccess,
    classify: options.classify,
    precheck: options.precheck,
    random: options.random ?? Math.random,
    clock: options.clock,
    store: options.store,
  };
}
