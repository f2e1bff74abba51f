/**
 * A run's calendar: the office-hours calendar, enforced by default; turning it off takes
 * `enforce: false` with `override: { reason }`, kept with the run's records.
 */
import { z } from 'zod';
import { calendarOptionsSchema, OfficeCalendar, type CalendarOptions } from './calendar.js';
import { overrideSchema, parseOptions, type OverrideReason } from '../util/options.js';
import type { Assert, SchemaMatches } from '../util/type-checks.js';

/** A run's office-hours calendar: {@link CalendarOptions} plus `enforce: false` and `override: { reason }` to turn it off. */
export interface RunCalendarConfig extends CalendarOptions {
  /**
   * Whether the office hours and blackouts are enforced; `false` needs `override`.
   * @defaultValue `true`
   */
  readonly enforce?: boolean | undefined;
  /**
   * The written reason for `enforce: false` (e.g. a test server), kept with the run's records.
   * @defaultValue none
   */
  readonly override?: OverrideReason | undefined;
}

/**
 * Schema of a run's calendar: the office-hours calendar, enforced by default; turning it off
 * takes `enforce: false` with `override: { reason }`, kept with the run's records.
 */
export const runCalendarSchema = calendarOptionsSchema
  .extend({
    enforce: z.boolean().default(true),
    override: overrideSchema.optional(),
  })
  .superRefine((calendar, context) => {
    if (!calendar.enforce && calendar.override === undefined) {
      context.addIssue({ code: 'custom', path: ['override'], message: 'turning the office-hours calendar off needs override: { reason }, the written reason, kept with the run\'s records' });
    }
    if (calendar.enforce && calendar.override !== undefined) {
      context.addIssue({ code: 'custom', path: ['enforce'], message: 'an override turns the calendar off: give enforce: false with it' });
    }
  });

type _CalendarAgrees = Assert<SchemaMatches<z.input<typeof runCalendarSchema>, RunCalendarConfig>>;

/** A run's calendar after validation, defaults applied. */
export type ResolvedRunCalendar = z.output<typeof runCalendarSchema>;

/**
 * The office-hours calendar a validated run calendar enforces, or `undefined` when it is turned
 * off (`enforce: false` with an override). The one place a run, a plan and a progress tracker
 * build their {@link OfficeCalendar} from the `calendar` option.
 */
export function officeCalendarOf(calendar: ResolvedRunCalendar): OfficeCalendar | undefined {
  if (!calendar.enforce) return undefined;
  const { timeZone, officeHours, holidaysAreFree, blackouts } = calendar;
  return new OfficeCalendar({ timeZone, officeHours, holidaysAreFree, blackouts });
}

/**
 * Validates a `calendar` option and builds its calendar: the BCSS calendar when not given
 * (`undefined`), none for `null` or `enforce: false`.
 *
 * @param what what the option belongs to, for the {@link ConfigError}'s message (e.g. `progress options`).
 * @param prefix the path of the option, before each issue's path (e.g. `['calendar']`).
 * @throws {ConfigError} a malformed calendar, each issue with its path under `prefix`.
 */
export function resolveRunCalendar(config: RunCalendarConfig | null | undefined, what: string, prefix: readonly PropertyKey[] = ['calendar']): OfficeCalendar | undefined {
  if (config === null) return undefined;
  return officeCalendarOf(parseOptions(runCalendarSchema, config ?? {}, what, prefix));
}
