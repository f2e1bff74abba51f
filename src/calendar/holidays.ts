/**
 * Belgian legal public holidays, and the date of Easter they depend on. Pure functions of the
 * year; no time zone is involved (a holiday is a calendar date).
 */
import { DAY_MS } from '../util/time.js';

/** One legal public holiday. */
export interface PublicHoliday {
  /** Its date, `YYYY-MM-DD`. */
  readonly date: string;
  /** Its English name, e.g. `Easter Monday`. */
  readonly name: string;
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 1583 || year > 9999) {
    throw new RangeError(`expected a Gregorian year from 1583 to 9999, got ${String(year)}`);
  }
}

/** `YYYY-MM-DD` of a date given as days since 1970-01-01. */
function isoDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Easter Sunday of a Gregorian year as days since 1970-01-01, by the anonymous Gregorian
 * computus (Meeus/Jones/Butcher).
 */
function easterDays(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/**
 * Easter Sunday of a year (Western, Gregorian computus), as `YYYY-MM-DD`.
 *
 * @throws {RangeError} a year that is not an integer from 1583 (the first full Gregorian year) to 9999.
 */
export function easterSunday(year: number): string {
  checkYear(year);
  return isoDate(easterDays(year));
}

/**
 * The ten Belgian legal public holidays of a year, in calendar order: New Year's Day, Easter
 * Monday, Labour Day, Ascension Day (Easter + 39), Whit Monday (Easter + 50), National Day,
 * Assumption Day, All Saints' Day, Armistice Day, Christmas Day.
 *
 * @throws {RangeError} a year that is not an integer from 1583 to 9999.
 */
export function belgianPublicHolidays(year: number): PublicHoliday[] {
  checkYear(year);
  const easter = easterDays(year);
  const fixed = (month: number, day: number) => Date.UTC(year, month - 1, day) / DAY_MS;
  const days: [number, string][] = [
    [fixed(1, 1), "New Year's Day"],
    [easter + 1, 'Easter Monday'],
    [fixed(5, 1), 'Labour Day'],
    [easter + 39, 'Ascension Day'],
    [easter + 50, 'Whit Monday'],
    [fixed(7, 21), 'National Day'],
    [fixed(8, 15), 'Assumption Day'],
    [fixed(11, 1), "All Saints' Day"],
    [fixed(11, 11), 'Armistice Day'],
    [fixed(12, 25), 'Christmas Day'],
  ];
  return days.sort((x, y) => x[0] - y[0]).map(([day, name]) => ({ date: isoDate(day), name }));
}
