/**
 * Preflight of a batch, before it is announced or started: its capacity plan, whether its
 * planned start would be refused for its announcement (the same rule as `start()`), whether it
 * meets the caller's deadline, and the mutations advice for a batch that comes back.
 */
import { checkAnnouncement, earliestStartOf } from '../policy/announcement.js';
import type { AnnouncementConfig } from '../policy/announcement.js';
import { z } from 'zod';
import { parseOptions } from '../util/options.js';
import type { Assert, SchemaMatches } from '../util/type-checks.js';
import { adviseMutations, readRunHistory, type MutationsAdvice, type RunHistoryEntry } from './mutations.js';
import { planBatch, type BatchPlan, type PlanInput } from './plan.js';
import { renderPlan, type PlanLanguage } from './plan-text.js';
import { formatLocal, toLocal } from '../calendar/zone.js';
import { DAY_MS } from '../util/time.js';

/**
 * What {@link preflight} checks: the plan's input ({@link PlanInput}, checked by
 * `planInputSchema`), and what the run will carry (checked by `preflightSchema`).
 */
export interface PreflightInput extends PlanInput {
  /**
   * Name of the batch (run option `name`).
   * @defaultValue none: no earlier run is of the same name
   */
  readonly name?: string | undefined;
  /**
   * True when the batch comes back (monthly, weekly...).
   * @defaultValue `false`
   */
  readonly recurring?: boolean | undefined;
  /**
   * The announcement the run will carry (run option `announcement`); absent before announcing.
   * Checked by `checkAnnouncement`.
   * @defaultValue none: not announced (a `NOT_ANNOUNCED` problem)
   */
  readonly announcement?: AnnouncementConfig | undefined;
  /**
   * Run directories (or roots of them) of earlier runs, read for runs of the same name.
   * @defaultValue none
   */
  readonly historyDirs?: string | readonly string[] | undefined;
  /**
   * Earlier runs already known (added to those read from `historyDirs`).
   * @defaultValue `[]`
   */
  readonly history?: readonly RunHistoryEntry[] | undefined;
  /**
   * How far back an earlier run of the same name counts, in days.
   * @defaultValue `42` (six weeks)
   */
  readonly withinDays?: number | undefined;
  /**
   * The batch must be over by then.
   * @defaultValue none: no deadline
   */
  readonly deadline?: Date | undefined;
  /**
   * Now: the date the advice looks back from.
   * @defaultValue none: required
   */
  readonly now: Date;
}

const validDate = z.custom<Date>((v) => v instanceof Date && !Number.isNaN(v.getTime()), { message: 'expected a valid Date' });

/**
 * Schema of what {@link PreflightInput} adds to {@link PlanInput} (the plan's fields are left to
 * `planInputSchema`). The announcement's and `withinDays`' rules are those of
 * `checkAnnouncement` and `adviseMutations`.
 */
export const preflightSchema = z.object({
  now: validDate,
  deadline: validDate.optional(),
  name: z.string().optional(),
  recurring: z.boolean().optional(),
  announcement: z.custom<AnnouncementConfig>().optional(),
  historyDirs: z.union([z.string(), z.array(z.string()).readonly()]).optional(),
  history: z.array(z.custom<RunHistoryEntry>((v) => typeof v === 'object' && v !== null, { message: 'expected a run history entry' })).readonly().optional(),
  withinDays: z.number().optional(),
});

type _PreflightAgrees = Assert<SchemaMatches<z.input<typeof preflightSchema>, Omit<PreflightInput, keyof PlanInput>>>;

/** One finding of {@link preflight}. */
export interface PreflightProblem {
  /**
   * `NOT_ANNOUNCED`, `ANNOUNCED_TOO_LATE`, `DEADLINE_MISSED` (errors: the batch would be refused
   * or late); `MUTATIONS_ADVISED` (warning); `STARTS_IN_OFFICE_HOURS` (or in a blackout), `ANNOUNCEMENT_OVERRIDDEN`,
   * `CALENDAR_OFF` (info).
   */
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

/** What {@link preflight} found. */
export interface PreflightReport {
  /** True when no problem is an error. */
  readonly ok: boolean;
  readonly problems: readonly PreflightProblem[];
  readonly plan: BatchPlan;
  /** The mutations advice, for a recurring batch or one that ran recently. */
  readonly advice: MutationsAdvice | undefined;
  /** The plan's text for the announcement, with the batch name and the reference. */
  text(language: PlanLanguage, options?: { readonly contact?: string }): string;
}

/**
 * Checks a batch before it is announced or started.
 *
 * @throws {ConfigError} malformed input (paths named), a malformed announcement.
 * @throws {PolicyError} a cap above the BCSS policy without override.
 * @throws {LedgerDamagedError} a damaged checkpoint in `historyDirs`.
 */
export async function preflight(input: PreflightInput): Promise<PreflightReport> {
  const { name, recurring, announcement, historyDirs, history, withinDays, deadline, now, ...planInput } = input;
  parseOptions(preflightSchema, { name, recurring, announcement, historyDirs, history, withinDays, deadline, now }, 'preflight');
  const plan = planBatch(planInput);
  const zone = plan.timeZone;
  const problems: PreflightProblem[] = [];

  // Checked at the planned start, as start() will check it then (also with waitForWindow).
  const startsAt = planInput.start.getTime();
  const announced = checkAnnouncement(announcement, startsAt, zone);
  if (!announced.ok) {
    const latest = latestAnnouncementDay(startsAt, 7, zone);
    const hint = announced.error.code === 'NOT_ANNOUNCED' ? ` To start at ${formatLocal(zone, startsAt)}, announce it on ${latest} at the latest.` : '';
    problems.push({ code: announced.error.code, severity: 'error', message: announced.error.message + hint });
  } else if ('overrideReason' in announced.record) {
    problems.push({ code: 'ANNOUNCEMENT_OVERRIDDEN', severity: 'info', message: `The announcement rule is overridden: ${announced.record.overrideReason}` });
  }

  if (!plan.calendarEnforced) {
    problems.push({ code: 'CALENDAR_OFF', severity: 'info', message: 'The office-hours calendar is turned off: calls may run at any hour. Against the BCSS, keep it on.' });
  } else if (plan.start.getTime() > startsAt) {
    problems.push({
      code: 'STARTS_IN_OFFICE_HOURS',
      severity: 'info',
      message: `The planned start ${formatLocal(zone, startsAt)} is in office hours (or a blackout): calls begin at ${formatLocal(zone, plan.start.getTime())} (start() refuses before then, unless waitForWindow: true).`,
    });
  }

  if (deadline !== undefined && plan.end.getTime() > deadline.getTime()) {
    problems.push({
      code: 'DEADLINE_MISSED',
      severity: 'error',
      message: `The plan ends ${formatLocal(zone, plan.end.getTime())}, after the deadline ${formatLocal(zone, deadline.getTime())}: it needs ${plan.windows.length} window(s) of allowed time (${plan.hours.toFixed(1)} h).`,
    });
  }

  const earlier = [...(history ?? []), ...(historyDirs === undefined ? [] : await readRunHistory(historyDirs))];
  const advice = adviseMutations({ now, history: earlier, ...(name === undefined ? {} : { name }), ...(recurring === undefined ? {} : { recurring }), ...(withinDays === undefined ? {} : { withinDays }) });
  if (advice !== undefined) problems.push({ code: 'MUTATIONS_ADVISED', severity: 'warning', message: advice.message('en') });

  const reference = announced.ok && 'reference' in announced.record ? announced.record.reference : undefined;
  return {
    ok: problems.every((p) => p.severity !== 'error'),
    problems,
    plan,
    advice,
    text: (language, options = {}) =>
      renderPlan(plan, {
        language,
        ...(name === undefined ? {} : { batchName: name }),
        ...(reference === undefined ? {} : { reference }),
        ...(options.contact === undefined ? {} : { contact: options.contact }),
      }),
  };
}

/** The last local day (`YYYY-MM-DD`) on which announcing still allows a start at `start`. */
function latestAnnouncementDay(start: number, leadDays: number, timeZone: string): string {
  const day = Math.floor(toLocal(timeZone, start) / DAY_MS) - leadDays;
  const text = new Date(day * DAY_MS).toISOString().slice(0, 10);
  // The start is at or after local midnight of (day + leadDays), so announcing on `day` is enough.
  return earliestStartOf(text, leadDays, timeZone).getTime() <= start ? text : new Date((day - 1) * DAY_MS).toISOString().slice(0, 10);
}
