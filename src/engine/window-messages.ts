/**
 * What a run says about its office-hours window: the sentences of its `state` events and of
 * the {@link OfficeHoursError} of a refused start, with local times and ISO instants, and the
 * calendar as kept in the run's records.
 */
import type { ClosedPeriod, OfficeCalendar } from '../calendar/calendar.js';
import type { ResolvedRunOptions } from './config.js';
import type { CalendarRecord } from '../store/store.js';

/** `office hours (mon, tue, wed, thu, fri 08:00–17:00 Europe/Brussels)` or `a blackout`. */
function why(calendar: OfficeCalendar, closed: ClosedPeriod): string {
  const { officeHours, timeZone } = calendar.options;
  return closed.reason === 'blackout' ? 'a blackout' : `office hours (${officeHours.days.join(', ')} ${officeHours.from}–${officeHours.to} ${timeZone})`;
}

/** A local time followed by its ISO instant. */
function both(calendar: OfficeCalendar, instant: number): string {
  return `${calendar.format(instant)}, ${new Date(instant).toISOString()}`;
}

/** Why `start()` is refused, and when it may start. */
export function refusalMessage(calendar: OfficeCalendar, now: number, closed: ClosedPeriod): string {
  return (
    `Mass calls are not allowed now (${calendar.format(now)}): ${why(calendar, closed)}. ` +
    `The next window opens ${both(calendar, closed.opensAt.getTime())}; start the run then, or pass waitForWindow: true to let it wait.`
  );
}

/** The window closes while calls are in flight. */
export function closingMessage(calendar: OfficeCalendar, closingAt: number, closed: ClosedPeriod, inFlight: number, deadline: number): string {
  const calls = inFlight === 0 ? 'no call is in flight' : `${inFlight} call(s) in flight may finish until ${calendar.format(deadline)}, then they are aborted and their items queued again`;
  return `The window closed at ${calendar.format(closingAt)} for ${why(calendar, closed)}: no new calls; ${calls}.`;
}

/** The run waits for its window. */
export function waitingMessage(calendar: OfficeCalendar, closed: ClosedPeriod): string {
  return `Waiting for the window: ${why(calendar, closed)}; calls resume by themselves at ${both(calendar, closed.opensAt.getTime())}.`;
}

/** The window opened. */
export function openingMessage(calendar: OfficeCalendar, closesAt: number): string {
  return `The window is open until ${both(calendar, closesAt)}.`;
}

/** The run's calendar as kept in its records. */
export function calendarRecord(calendar: ResolvedRunOptions<unknown, unknown>['calendar']): CalendarRecord {
  if (!calendar.enforce) return { enforced: false, overrideReason: calendar.override?.reason ?? '' };
  const { timeZone, officeHours, holidaysAreFree, blackouts } = calendar;
  return { enforced: true, timeZone, officeHours, holidaysAreFree, blackouts };
}
