/**
 * The BCSS announcement rule as a pure function: a batch is announced to the BCSS service desk
 * a week ahead, so a run may start no sooner than `leadDays` (7 by default) after the date of
 * its announcement, at local midnight in the calendar's zone. A run with no announcement is
 * refused, unless an override gives the written reason (a test environment, a fake service).
 * `start()` and `preflight()` both ask {@link checkAnnouncement}.
 */
import { AnnouncementError } from './errors.js';
import { z } from 'zod';
import { formatLocal, toInstant } from '../calendar/zone.js';
import { overrideSchema, parseOptions, type OverrideReason } from '../util/options.js';
import { DAY_MS } from '../util/time.js';
import type { Assert, SchemaMatches } from '../util/type-checks.js';

/**
 * A run's announcement to the BCSS service desk: `{ reference, announcedOn }`, or
 * `{ override: { reason } }`. Kept with the run's records.
 */
export interface AnnouncementConfig {
  /**
   * The service desk's reference of the announcement (3 characters at least).
   * @defaultValue none: required unless `override` is given
   */
  readonly reference?: string | undefined;
  /**
   * The date the batch was announced, `'YYYY-MM-DD'` (a local date in the calendar's zone).
   * @defaultValue none: required unless `override` is given
   */
  readonly announcedOn?: string | undefined;
  /**
   * Days between the announcement and the earliest start (the BCSS asks for a week; at least 7).
   * @defaultValue `7`
   */
  readonly leadDays?: number | undefined;
  /**
   * No announcement, with the written reason (a test environment, a fake service).
   * @defaultValue none
   */
  readonly override?: OverrideReason | undefined;
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, 'expected a date that exists');

/**
 * Schema of a run's announcement to the BCSS service desk: its reference and the date it was
 * announced (a local date in the calendar's zone), or an override with its written reason
 * (a test environment, a fake service). Kept with the run's records.
 */
export const announcementSchema = z
  .strictObject({
    reference: z.string().trim().min(3, 'give the service-desk reference of the announcement').optional(),
    announcedOn: isoDate.optional(),
    /** Days between the announcement and the earliest start (the BCSS asks for a week). */
    leadDays: z.number().int().min(7, 'the BCSS asks for an announcement at least 7 days ahead; use override: { reason } to start sooner').default(7),
    override: overrideSchema.optional(),
  })
  .superRefine((announcement, context) => {
    if (announcement.override !== undefined) return;
    if (announcement.reference === undefined) context.addIssue({ code: 'custom', path: ['reference'], message: 'give the service-desk reference of the announcement, or override: { reason }' });
    if (announcement.announcedOn === undefined) context.addIssue({ code: 'custom', path: ['announcedOn'], message: 'give the date the batch was announced (YYYY-MM-DD), or override: { reason }' });
  });

type _AnnouncementAgrees = Assert<SchemaMatches<z.input<typeof announcementSchema>, AnnouncementConfig>>;

/** The announcement as kept in a run's records: the reference and date, or the override's reason. */
export type AnnouncementRecord =
  | { readonly reference: string; readonly announcedOn: string; readonly leadDays: number }
  | { readonly overrideReason: string };

/** What {@link checkAnnouncement} decides: the run may start (with its record), or the refusal. */
export type AnnouncementCheck = { readonly ok: true; readonly record: AnnouncementRecord } | { readonly ok: false; readonly error: AnnouncementError };

/**
 * The earliest instant a batch announced on `announcedOn` (`YYYY-MM-DD`) may start: local
 * midnight `leadDays` days later in `timeZone`.
 */
export function earliestStartOf(announcedOn: string, leadDays: number, timeZone: string): Date {
  const [y, m, d] = announcedOn.split('-').map(Number) as [number, number, number];
  return new Date(toInstant(timeZone, Date.UTC(y, m - 1, d) + leadDays * DAY_MS, 'first'));
}

/**
 * Checks a run's announcement against the BCSS rule at `now`.
 *
 * @param announcement the run option `announcement` (undefined: not announced).
 * @param timeZone the zone of the run's calendar (Europe/Brussels by default).
 * @returns `ok` with the record to keep, or the {@link AnnouncementError} to refuse the start with:
 *   `NOT_ANNOUNCED` without an announcement, `ANNOUNCED_TOO_LATE` (with `earliestStart`) when
 *   `now` is before the announcement date plus `leadDays`.
 * @throws {ConfigError} a malformed announcement (each issue with its path).
 */
export function checkAnnouncement(announcement: AnnouncementConfig | undefined, now: Date | number, timeZone = 'Europe/Brussels'): AnnouncementCheck {
  if (announcement === undefined) {
    return {
      ok: false,
      error: new AnnouncementError(
        'NOT_ANNOUNCED',
        'The batch has no announcement: the BCSS asks to announce a mass call to its service desk at least 7 days ahead. ' +
          "Give announcement: { reference, announcedOn: 'YYYY-MM-DD' }, or announcement: { override: { reason } } with the written reason (e.g. a test environment).",
      ),
    };
  }
  const { reference, announcedOn, leadDays, override } = parseOptions(announcementSchema, announcement, 'announcement', ['announcement']);
  if (override !== undefined) return { ok: true, record: { overrideReason: override.reason } };
  // The schema requires both without an override.
  const earliest = earliestStartOf(announcedOn!, leadDays, timeZone);
  if (+now < earliest.getTime()) {
    return {
      ok: false,
      error: new AnnouncementError(
        'ANNOUNCED_TOO_LATE',
        `The batch announced as ${reference!} on ${announcedOn!} may start no sooner than ${leadDays} days later: ` +
          `${formatLocal(timeZone, earliest.getTime())}, ${earliest.toISOString()}. Start it then, or give announcement: { override: { reason } } with the written reason.`,
        { earliestStart: earliest, reference: reference! },
      ),
    };
  }
  return { ok: true, record: { reference: reference!, announcedOn: announcedOn!, leadDays } };
}
