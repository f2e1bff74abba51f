/**
 * The office-hours calendar: when mass calls to the BCSS are forbidden. The BCSS rule is
 * Monday to Friday, 08:00:00 (inclusive) to 17:00:00 (exclusive), on the clocks of
 * Europe/Brussels; callers may add blackouts (announced maintenance) and let legal holidays
 * count as free time. Everything is in wall-clock terms of the zone, whatever the host's `TZ`.
 *
 * A forbidden period starts at the first instant the zone's clocks reach its start and ends at
 * the last instant they reach its end. So at a DST change, a bound the clocks skip falls at
 * the end of the skip (03:00 on the spring-forward night in Brussels), and an end the clocks
 * show twice is the second time (the period is as long as it can be, never shorter).
 */
import { z } from 'zod';
import { belgianPublicHolidays } from './holidays.js';
import type { Assert, SchemaMatches } from '../util/type-checks.js';
import { parseOptions } from '../util/options.js';
import { DAY_MS } from '../util/time.js';
import { formatLocal, isIanaTimeZone, localDay, toInstant, toLocal, weekdayOf } from './zone.js';

const MINUTE_MS = 60_000;

/** Days of the week, as used in {@link CalendarOptions}. */
export const WEEK_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** A day of the week. */
export type WeekDay = (typeof WEEK_DAYS)[number];

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected a time 'HH:mm' from 00:00 to 23:59");
const localDateTime = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT([01]\d|2[0-3]):[0-5]\d$/, "expected a local date and time 'YYYY-MM-DDTHH:mm'")
  .refine((text) => parseLocal(text) !== undefined, 'expected a date that exists in the calendar');

/** Schema of the office hours: on which days, from when (inclusive) to when (exclusive), in the zone's wall-clock time. */
export const officeHoursSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEK_DAYS, { message: `expected one of ${WEEK_DAYS.map((d) => `'${d}'`).join(', ')}` }))
      .min(1, 'name at least one day')
      .refine((days) => new Set(days).size === days.length, 'each day at most once'),
    from: clockTime,
    to: clockTime,
  })
  .refine((hours) => hours.from < hours.to, { message: 'must be later than from (office hours within one day)', path: ['to'] });

/** Schema of a blackout: an extra forbidden period, in the zone's wall-clock time, `from` inclusive, `to` exclusive. */
export const blackoutSchema = z
  .strictObject({ from: localDateTime, to: localDateTime })
  .refine((period) => period.from < period.to, { message: 'must be later than from', path: ['to'] });

/** Schema of the calendar's options; every field has the BCSS default. */
export const calendarOptionsSchema = z.strictObject({
  timeZone: z
    .string()
    .refine(isIanaTimeZone, 'expected an IANA time zone name such as Europe/Brussels')
    .default('Europe/Brussels'),
  officeHours: officeHoursSchema.default({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '17:00' }),
  holidaysAreFree: z.boolean().default(false),
  blackouts: z.array(blackoutSchema).default([]),
});

/** Office hours: on which days, from when (inclusive) to when (exclusive), in the zone's wall-clock time. */
export interface OfficeHours {
  /**
   * The days with office hours, each at most once.
   * @defaultValue none: required
   */
  days: WeekDay[];
  /**
   * Start of the office hours, `'HH:mm'` (inclusive).
   * @defaultValue none: required
   */
  from: string;
  /**
   * End of the office hours, `'HH:mm'` (exclusive), later than `from`.
   * @defaultValue none: required
   */
  to: string;
}

/** A blackout: an extra forbidden period (announced maintenance), in the zone's wall-clock time. */
export interface Blackout {
  /**
   * Start, `'YYYY-MM-DDTHH:mm'` local time (inclusive).
   * @defaultValue none: required
   */
  from: string;
  /**
   * End, `'YYYY-MM-DDTHH:mm'` local time (exclusive), later than `from`.
   * @defaultValue none: required
   */
  to: string;
}

/**
 * Options of the calendar; every field has the BCSS default. Checked against
 * {@link calendarOptionsSchema} at compile time.
 */
export interface CalendarOptions {
  /**
   * IANA time zone whose wall-clock time the office hours and blackouts are in.
   * @defaultValue `'Europe/Brussels'`
   */
  timeZone?: string | undefined;
  /**
   * When mass calls are forbidden: the BCSS rule is Monday to Friday, 08:00 to 17:00.
   * @defaultValue `{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '17:00' }`
   */
  officeHours?: OfficeHours | undefined;
  /**
   * Whether Belgian public holidays on office days count as free time (no office hours).
   * @defaultValue `false` (the BCSS rule names weekdays only)
   */
  holidaysAreFree?: boolean | undefined;
  /**
   * Extra forbidden periods (announced maintenance of the BCSS).
   * @defaultValue `[]`
   */
  blackouts?: Blackout[] | undefined;
}

type _CalendarOptionsAgree = Assert<SchemaMatches<z.input<typeof calendarOptionsSchema>, CalendarOptions>>;
type _OfficeHoursAgree = Assert<SchemaMatches<z.input<typeof officeHoursSchema>, OfficeHours>>;
type _BlackoutAgrees = Assert<SchemaMatches<z.input<typeof blackoutSchema>, Blackout>>;
/** Calendar options with the defaults applied. */
export type ResolvedCalendarOptions = z.output<typeof calendarOptionsSchema>;

/** Why calls are forbidden at an instant. */
export type ClosedReason = 'office-hours' | 'blackout';

/** A forbidden stretch containing an instant: why, and when calls are allowed again. */
export interface ClosedPeriod {
  readonly reason: ClosedReason;
  /** The earliest instant after it at which calls are allowed (the next window opens). */
  readonly opensAt: Date;
}

/** `YYYY-MM-DDTHH:mm` as a local value (wall-clock ms as if UTC), or undefined for a date that does not exist. */
function parseLocal(text: string): number | undefined {
  const [y, mo, d, h, mi] = text.split(/[-T:]/).map(Number) as [number, number, number, number, number];
  const local = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(local);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? local : undefined;
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

function toMs(instant: Date | number): number {
  const ms = typeof instant === 'number' ? instant : instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`expected a valid Date, got ${String(instant)}`);
  return ms;
}

interface Period {
  readonly start: number;
  readonly end: number;
}

/**
 * A calendar with its options validated once. The standalone functions ({@link isOfficeHours},
 * {@link nextAllowedStart}, {@link nextOfficeHoursStart}) build one per call; a run keeps one.
 */
export class OfficeCalendar {
  /** The options, defaults applied. */
  readonly options: ResolvedCalendarOptions;
  private readonly days: ReadonlySet<number>;
  private readonly fromMs: number;
  private readonly toMs: number;
  private readonly blackouts: readonly Period[];
  private readonly holidays = new Map<number, ReadonlySet<number>>();

  /** @throws {ConfigError} options that are malformed, each issue with its path. */
  constructor(options: CalendarOptions = {}) {
    this.options = parseOptions(calendarOptionsSchema, options, 'calendar options');
    const hours = this.options.officeHours;
    this.days = new Set(hours.days.map((day) => WEEK_DAYS.indexOf(day)));
    this.fromMs = minutesOf(hours.from) * MINUTE_MS;
    this.toMs = minutesOf(hours.to) * MINUTE_MS;
    const zone = this.options.timeZone;
    // A blackout wholly inside a skipped hour (spring forward) covers no instant: it is dropped.
    this.blackouts = this.options.blackouts
      .map((b) => ({ start: toInstant(zone, parseLocal(b.from)!, 'first'), end: toInstant(zone, parseLocal(b.to)!, 'last') }))
      .filter((period) => period.start < period.end);
  }

  /** True when the instant falls in office hours (a holiday counts only when `holidaysAreFree` is false). Blackouts are not office hours. */
  isOfficeHours(instant: Date | number): boolean {
    const t = toMs(instant);
    const office = this.officeHoursOf(localDay(toLocal(this.options.timeZone, t)));
    return office !== undefined && office.start <= t && t < office.end;
  }

  /** Why calls are forbidden at the instant and when they are allowed again, or undefined when they are allowed. */
  closedAt(instant: Date | number): ClosedPeriod | undefined {
    const t = toMs(instant);
    const first = this.forbiddenAt(t);
    if (first === undefined) return undefined;
    let opensAt = first.end;
    // Forbidden periods may follow each other (office hours, then a blackout): skip them all.
    for (let hops = 0; ; hops++) {
      if (hops > 100_000) throw new Error('bcss-bulk internal error: no allowed instant found');
      const next = this.forbiddenAt(opensAt);
      if (next === undefined) break;
      opensAt = next.end;
    }
    return { reason: first.reason, opensAt: new Date(opensAt) };
  }

  /** The earliest instant at or after `instant` outside office hours and blackouts (the instant itself when it is allowed). */
  nextAllowedStart(instant: Date | number): Date {
    const t = toMs(instant);
    return this.closedAt(t)?.opensAt ?? new Date(t);
  }

  /**
   * When the allowed window containing `instant` closes: the next start of office hours or of
   * a blackout. The instant itself when calls are forbidden at it.
   */
  nextOfficeHoursStart(instant: Date | number): Date {
    const t = toMs(instant);
    if (this.forbiddenAt(t) !== undefined) return new Date(t);
    let closes = Number.POSITIVE_INFINITY;
    for (const blackout of this.blackouts) if (blackout.start > t && blackout.start < closes) closes = blackout.start;
    const today = localDay(toLocal(this.options.timeZone, t));
    // Some day in the week is an office day; holidays can push the next one a few days further.
    for (let day = today; day <= today + 400; day++) {
      const office = this.officeHoursOf(day);
      if (office === undefined || office.start <= t) continue;
      if (office.start < closes) closes = office.start;
      break;
    }
    return new Date(closes);
  }

  /** An instant as the zone's clocks show it, for messages. */
  format(instant: Date | number): string {
    return formatLocal(this.options.timeZone, toMs(instant));
  }

  /** The forbidden period containing `t`, if any: a blackout first, then the office hours of t's day. */
  private forbiddenAt(t: number): (Period & { reason: ClosedReason }) | undefined {
    for (const blackout of this.blackouts) if (blackout.start <= t && t < blackout.end) return { ...blackout, reason: 'blackout' };
    const office = this.officeHoursOf(localDay(toLocal(this.options.timeZone, t)));
    if (office !== undefined && office.start <= t && t < office.end) return { ...office, reason: 'office-hours' };
    return undefined;
  }

  /** Office hours of a local day (days since 1970-01-01) as instants, or undefined on a day off. */
  private officeHoursOf(day: number): Period | undefined {
    if (!this.days.has(weekdayOf(day))) return undefined;
    if (this.options.holidaysAreFree && this.holidaysOf(new Date(day * DAY_MS).getUTCFullYear()).has(day)) return undefined;
    const zone = this.options.timeZone;
    const start = toInstant(zone, day * DAY_MS + this.fromMs, 'first');
    const end = toInstant(zone, day * DAY_MS + this.toMs, 'last');
    return start < end ? { start, end } : undefined;
  }

  private holidaysOf(year: number): ReadonlySet<number> {
    let days = this.holidays.get(year);
    if (days === undefined) {
      days = new Set(belgianPublicHolidays(year).map((h) => Date.parse(`${h.date}T00:00:00Z`) / DAY_MS));
      this.holidays.set(year, days);
    }
    return days;
  }
}

let defaultCalendar: OfficeCalendar | undefined;

function calendarFor(options: CalendarOptions | undefined): OfficeCalendar {
  if (options !== undefined) return new OfficeCalendar(options);
  defaultCalendar ??= new OfficeCalendar();
  return defaultCalendar;
}

/**
 * True when the instant falls in office hours: by default Monday to Friday, from 08:00:00
 * inclusive to 17:00:00 exclusive, in Europe/Brussels, whatever the host's `TZ`.
 *
 * @throws {ConfigError} malformed options.
 */
export function isOfficeHours(instant: Date, options?: CalendarOptions): boolean {
  return calendarFor(options).isOfficeHours(instant);
}

/**
 * The earliest instant at or after `instant` that is outside office hours and outside every
 * blackout; the instant itself when it is already allowed.
 *
 * @throws {ConfigError} malformed options.
 */
export function nextAllowedStart(instant: Date, options?: CalendarOptions): Date {
  return calendarFor(options).nextAllowedStart(instant);
}

/**
 * When the allowed window that contains `instant` closes: the next start of office hours or of
 * a blackout (the instant itself when it is not allowed).
 *
 * @throws {ConfigError} malformed options.
 */
export function nextOfficeHoursStart(instant: Date, options?: CalendarOptions): Date {
  return calendarFor(options).nextOfficeHoursStart(instant);
}
