/**
 * Wall-clock time in an IANA time zone, independent of the host's own time zone (`TZ`).
 *
 * A "local" value here is a wall-clock reading written as milliseconds as if it were UTC
 * (`Date.UTC(2026, 2, 29, 2, 30)` stands for 29 March 2026, 02:30 on the zone's clocks), so
 * that calendar arithmetic on it never goes through the host's zone. The zone's offset at an
 * instant comes from date-fns-tz (the IANA database through `Intl`); there are no offset tables.
 */
import { formatInTimeZone } from 'date-fns-tz';
import { DAY_MS } from '../util/time.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** True when `name` is an IANA time zone name this runtime knows (`Europe/Brussels`, `UTC`); offsets like `+01:00` are refused. */
export function isIanaTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Offset of the zone from UTC at an instant, in ms (Brussels: 3 600 000 in winter, 7 200 000 in summer). */
export function zoneOffsetMs(timeZone: string, instant: number): number {
  const text = formatInTimeZone(instant, timeZone, 'xxx'); // '+01:00', '-04:00'
  const match = /^([+-])(\d\d):(\d\d)$/.exec(text);
  if (match === null) throw new RangeError(`bcss-bulk: unexpected offset '${text}' for time zone ${timeZone}`);
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -minutes : minutes) * 60_000;
}

/** The wall-clock reading of the zone at an instant, as a local value (see the module comment). */
export function toLocal(timeZone: string, instant: number): number {
  return instant + zoneOffsetMs(timeZone, instant);
}

/** Days since 1970-01-01 of a local value's date. */
export function localDay(local: number): number {
  return Math.floor(local / DAY_MS);
}

/** Day of the week of a day number: 0 Sunday … 6 Saturday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/**
 * The instant at which the zone's clocks read `local`.
 *
 * - A reading that happens once: that instant.
 * - A reading the clocks skip (spring forward, e.g. 02:30 on 29 March 2026 in Brussels): the
 *   instant the skip ends (03:00 CEST), the first instant whose reading is later.
 * - A reading the clocks show twice (fall back, e.g. 02:30 on 25 October 2026): the first
 *   occurrence with `'first'`, the second with `'last'`.
 */
export function toInstant(timeZone: string, local: number, occurrence: 'first' | 'last'): number {
  // Real zones change their offset at most once within a day on either side of a reading.
  const candidates = [local - zoneOffsetMs(timeZone, local - DAY_MS), local - zoneOffsetMs(timeZone, local + DAY_MS)];
  const valid = candidates.filter((instant) => toLocal(timeZone, instant) === local);
  if (valid.length > 0) return occurrence === 'first' ? Math.min(...valid) : Math.max(...valid);
  // Skipped: find the first instant whose reading is at or past `local`, between the two guesses.
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (toLocal(timeZone, middle) >= local) high = middle;
    else low = middle;
  }
  return high;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * An instant as the zone's clocks show it, for messages: `Mon 2026-11-23 17:00:00 Europe/Brussels (UTC+01:00)`.
 * Built from the zone's offset, so the host's `TZ` plays no part.
 */
export function formatLocal(timeZone: string, instant: number): string {
  const offset = zoneOffsetMs(timeZone, instant);
  const d = new Date(instant + offset);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${WEEKDAYS[d.getUTCDay()]!} ${date} ${time} ${timeZone} (UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`;
}
