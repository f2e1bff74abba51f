/**
 * The capacity plan of a batch, as a pure function: from the volumes per source, the assumed
 * latency of a call and the calendar, how many calls each source takes, its ceiling (Little's
 * law: at most `cap` calls in flight, each taking `latency`, so at most cap ÷ latency calls per
 * second), the allowed hours the batch needs, the windows (nights, weekends) it spans and when
 * it is expected to end. {@link renderPlan} (src/plan-text.ts) turns it into the text of the
 * announcement to the BCSS service desk.
 *
 * Assumptions, stated in the plan's numbers: every slot is always busy (a steady latency, no
 * pause, no overload cooldown), and calls are spread evenly over the allowed time. Sources run
 * in parallel, each under its own cap; with `maxConcurrency` they also share that many slots.
 * The batch then needs the least time T such that every source fits under its cap
 * (T ≥ work_i ÷ cap_i) and all of them fit in the shared slots (T ≥ Σ work_i ÷ maxConcurrency),
 * where work_i = calls_i × latency_i is the source's busy slot-time. That T is reachable (give
 * each source work_i ÷ T slots), so it is the plan: a lower bound of the real duration.
 */
import { z } from 'zod';
import type { OfficeCalendar, WeekDay } from '../calendar/calendar.js';
import { resolveCap, type SourceKind } from '../policy/caps.js';
import { officeCalendarOf, runCalendarSchema, type RunCalendarConfig } from '../calendar/run-calendar.js';
import { sourceSchema, type SourceConfig } from '../policy/source.js';
import { ConfigError, type ConfigIssue } from '../util/errors.js';
import { parseOptions, positiveInt } from '../util/options.js';
import type { Assert, SchemaMatches } from '../util/type-checks.js';
import { PolicyError } from '../policy/errors.js';
import { allowedWindows } from '../calendar/windows.js';

const HOUR_MS = 3_600_000;
/** A window longer than this is a weekend (or holidays, when they are free), not a night. */
const NIGHT_MAX_MS = 20 * HOUR_MS;

const positiveMs = z.number().positive().finite();

/** Schema of the input of {@link planBatch}. */
export const planInputSchema = z.strictObject({
  volumes: z.record(z.string().min(1), z.number().int().nonnegative()).refine((v) => Object.keys(v).length > 0, 'give the number of items of at least one source'),
  sources: z.record(z.string().min(1), sourceSchema).refine((s) => Object.keys(s).length > 0, 'configure at least one source'),
  latencyMs: z.union([positiveMs, z.record(z.string().min(1), positiveMs)], { message: 'expected a latency in ms, or one per source' }),
  start: z.date({ message: 'expected the planned start as a Date' }).refine((d) => !Number.isNaN(d.getTime()), 'expected a valid Date'),
  calendar: runCalendarSchema.default(() => runCalendarSchema.parse({})),
  maxConcurrency: positiveInt.optional(),
  retryRatio: z.number().min(0).max(10).default(0),
});

/**
 * What {@link planBatch} needs: the same `sources`, `calendar` and `maxConcurrency` as the run
 * options. Checked against {@link planInputSchema} at compile time.
 */
export interface PlanInput {
  /**
   * Items per source, by source name.
   * @defaultValue none: required
   */
  readonly volumes: Readonly<Record<string, number>>;
  /**
   * The sources, as in the run options (kind, cap, override).
   * @defaultValue none: required
   */
  readonly sources: Readonly<Record<string, SourceConfig>>;
  /**
   * Assumed mean latency of one call in ms, for all sources or per source.
   * @defaultValue none: required
   */
  readonly latencyMs: number | Readonly<Record<string, number>>;
  /**
   * When the batch is to start; the plan begins at the first allowed instant from it.
   * @defaultValue none: required
   */
  readonly start: Date;
  /**
   * The calendar, as in the run options.
   * @defaultValue the BCSS office hours (Mon–Fri 08:00–17:00 Europe/Brussels), enforced
   */
  readonly calendar?: RunCalendarConfig | undefined;
  /**
   * Cap on simultaneous calls across all sources, as in the run options.
   * @defaultValue none: each source under its own cap only
   */
  readonly maxConcurrency?: number | undefined;
  /**
   * Expected retries per item (e.g. 0.05: one item in twenty is called twice): each item costs
   * 1 + retryRatio calls. From 0 to 10.
   * @defaultValue `0`
   */
  readonly retryRatio?: number | undefined;
}

type _PlanInputAgrees = Assert<SchemaMatches<z.input<typeof planInputSchema>, PlanInput>>;

/** The plan of one source. */
export interface SourcePlan {
  readonly source: string;
  readonly kind: SourceKind;
  /** Items of the source. */
  readonly items: number;
  /** Calls expected: items × (1 + retryRatio), rounded up. */
  readonly calls: number;
  /** Simultaneous calls allowed (the policy cap unless configured lower, or above it by override). */
  readonly cap: number;
  readonly latencyMs: number;
  /** Little's law: cap ÷ latency, calls per second. */
  readonly ceilingPerSecond: number;
  /** The same, per hour. */
  readonly ceilingPerHour: number;
  /** Allowed hours the source needs at its ceiling, alone. */
  readonly hours: number;
}

/** One allowed window the batch calls in. */
export interface PlanWindow {
  readonly start: Date;
  /** When the batch's calls in it end: the window's end, or the batch's end in the last one. */
  readonly end: Date;
  /** `night`: a window of a night; `weekend`: a longer one (a weekend, or free holidays); `always`: no calendar. */
  readonly kind: 'night' | 'weekend' | 'always';
  /** Allowed hours used in this window. */
  readonly hours: number;
  /** Calls expected in it (calls spread evenly over the allowed time). */
  readonly calls: number;
}

/** The capacity plan of a batch. */
export interface BatchPlan {
  /** The requested start. */
  readonly requestedStart: Date;
  /** The first allowed instant at or after it: when calls begin. */
  readonly start: Date;
  /** Expected end of the last call. */
  readonly end: Date;
  readonly sources: readonly SourcePlan[];
  readonly totalCalls: number;
  /** Allowed hours the batch needs (sources in parallel). */
  readonly hours: number;
  /** What sets `hours`: the slowest source under its cap, or the shared `maxConcurrency`. */
  readonly boundBy: 'source' | 'maxConcurrency';
  readonly maxConcurrency: number | undefined;
  readonly retryRatio: number;
  /** The windows used, in order. */
  readonly windows: readonly PlanWindow[];
  /** Of them, nights and weekends. */
  readonly nights: number;
  readonly weekends: number;
  /** The calendar's zone (Europe/Brussels by default). */
  readonly timeZone: string;
  /** False when the calendar is turned off by override (calls at any hour). */
  readonly calendarEnforced: boolean;
  /** The office hours kept out of (undefined with the calendar off). */
  readonly officeHours: { readonly days: readonly WeekDay[]; readonly from: string; readonly to: string } | undefined;
}

/**
 * Plans a batch: calls, caps and ceilings per source, the allowed hours needed, the windows
 * used and the expected end. Pure: the same input gives the same plan.
 *
 * @throws {ConfigError} malformed input (each issue with its path), a volume of a source that is
 *   not configured, a source without latency.
 * @throws {PolicyError} a cap above the BCSS policy without override.
 */
export function planBatch(input: PlanInput): BatchPlan {
  const { volumes, sources, latencyMs, start, calendar, maxConcurrency, retryRatio } = parseOptions(planInputSchema, input, 'batch plan');

  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(volumes)) {
    if (sources[name] === undefined) issues.push({ path: ['volumes', name], message: `no source '${name}' in sources` });
    if (typeof latencyMs === 'object' && latencyMs[name] === undefined) issues.push({ path: ['latencyMs', name], message: `give the assumed latency of source '${name}'` });
  }
  if (issues.length > 0) throw new ConfigError(issues, 'batch plan');

  const policy: ConfigIssue[] = [];
  const plans: SourcePlan[] = [];
  for (const [name, items] of Object.entries(volumes)) {
    const config = sources[name]!;
    const resolved = resolveCap(name, config);
    if (!resolved.ok) {
      policy.push(resolved.issue);
      continue;
    }
    const latency = typeof latencyMs === 'number' ? latencyMs : latencyMs[name]!;
    const calls = Math.ceil(items * (1 + retryRatio));
    const cap = resolved.value.cap;
    const ceilingPerSecond = cap / (latency / 1000);
    plans.push({ source: name, kind: config.kind, items, calls, cap, latencyMs: latency, ceilingPerSecond, ceilingPerHour: ceilingPerSecond * 3600, hours: calls / ceilingPerSecond / 3600 });
  }
  if (policy.length > 0) throw new PolicyError(policy);

  // Busy slot-hours of each source: calls × latency.
  const slowest = Math.max(0, ...plans.map((p) => p.hours));
  const shared = maxConcurrency === undefined ? 0 : plans.reduce((sum, p) => sum + (p.calls * p.latencyMs) / HOUR_MS, 0) / maxConcurrency;
  const hours = Math.max(slowest, shared);
  const totalCalls = plans.reduce((sum, p) => sum + p.calls, 0);

  const office = officeCalendarOf(calendar);
  const windows = spreadOverWindows(office, start, Math.round(hours * HOUR_MS), totalCalls);
  const first = windows[0]?.start ?? (office?.nextAllowedStart(start) ?? start);
  const end = windows.at(-1)?.end ?? first;

  return {
    requestedStart: start,
    start: first,
    end,
    sources: plans,
    totalCalls,
    hours,
    boundBy: shared > slowest ? 'maxConcurrency' : 'source',
    maxConcurrency,
    retryRatio,
    windows,
    nights: windows.filter((w) => w.kind === 'night').length,
    weekends: windows.filter((w) => w.kind === 'weekend').length,
    timeZone: calendar.timeZone,
    calendarEnforced: calendar.enforce,
    officeHours: calendar.enforce ? calendar.officeHours : undefined,
  };
}

/** The windows from `from` that `durationMs` of allowed time fills, with the calls of each. */
function spreadOverWindows(calendar: OfficeCalendar | undefined, from: Date, durationMs: number, calls: number): PlanWindow[] {
  const windows: PlanWindow[] = [];
  if (durationMs === 0) return windows;
  let left = durationMs;
  let callsLeft = calls;
  for (const window of allowedWindows(calendar, from)) {
    const used = Math.min(left, window.end - window.start);
    left -= used;
    // The last window takes the remainder, so the calls add up exactly.
    const share = left === 0 ? callsLeft : Math.round((calls * used) / durationMs);
    callsLeft -= share;
    windows.push({ start: new Date(window.start), end: new Date(window.start + used), kind: kindOf(calendar, window), hours: used / HOUR_MS, calls: share });
    if (left === 0) return windows;
  }
  throw new Error('bcss-bulk internal error: the windows ran out');
}

/** A night or a weekend, by the whole window's length (the first window may start inside it). */
function kindOf(calendar: OfficeCalendar | undefined, window: { start: number; end: number }): PlanWindow['kind'] {
  if (calendar === undefined || !Number.isFinite(window.end)) return 'always';
  // The whole window opened at the last forbidden instant before `start`, or at `start`.
  const opened = openedAt(calendar, window.start);
  return window.end - opened > NIGHT_MAX_MS ? 'weekend' : 'night';
}

/** When the allowed window containing `t` opened (at most 14 days back: longer is a weekend anyway). */
function openedAt(calendar: OfficeCalendar, t: number): number {
  if (calendar.closedAt(t - 1) !== undefined) return t; // calls were forbidden just before: it opened at t
  for (const window of allowedWindows(calendar, t - 14 * 24 * HOUR_MS)) if (window.end > t) return window.start;
  return t;
}
