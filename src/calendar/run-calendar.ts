/**
 * A run's calendar: the office-hours calendar, enforced by default; turning it off takes
 * `enforce: false` with `override: { reason }`, kept with the run's records.
 */
import { z } from 'zod';
import { calendarOptionsSchema, type CalendarOptions } from './calendar.js';
import { overrideSchema, type OverrideReason } from '../util/options.js';
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
