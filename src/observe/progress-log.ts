/**
 * The lines of the plain progress log (the progress bar into a file or a pipe, e.g. a
 * scheduler's log), as pure functions: each line starts with the instant in the display zone's
 * local time, ISO 8601 with its offset (`2026-11-24T17:00:00+01:00`), so that it reads like
 * the office-hours rule and still sorts and converts without ambiguity.
 *
 * ```
 * 2026-11-24T16:00:00+01:00 idle → waiting (office-hours): Waiting for the window: … calls resume by themselves at Tue 2026-11-24 17:00, …
 * 2026-11-24T17:00:00+01:00 waiting → running (window-open): The window is open until Wed 2026-11-25 08:00, …
 * 2026-11-24T17:01:00+01:00 running  240/4 000 (6.0%)  4.0/s  ETA Wed 2026-11-25 17:46 (2 windows) | rn  [#.......] 240/4 000  4/4 in flight
 * 2026-11-24T17:03:00+01:00 retrying: 12 attempts failed since 17:02:00 and will be retried (last: source rn, HTTP_503); 250/4 000 finished
 * 2026-11-25T17:46:40+01:00 completed: 4 000 items finished (3 990 succeeded, 8 rejected, 2 exhausted), 0 unfinished; 4 210 calls, 210 retries; from Tue 2026-11-24 16:00 to Wed 2026-11-25 17:46 (25 h 46 min)
 * ```
 */
import { formatInTimeZone } from 'date-fns-tz';
import type { RetryEvent, SourcePausedEvent, StallEvent, StateChange } from '../engine/events.js';
import { formatDuration } from './notice.js';
import { formatCount } from './progress-render.js';
import type { RunStatus } from '../engine/status.js';

/** The instant as ISO 8601 in the zone's local time, to the second, with its offset: `2026-11-24T17:00:00+01:00`. */
export function logTimestamp(at: number, timeZone: string): string {
  return formatInTimeZone(at, timeZone, "yyyy-MM-dd'T'HH:mm:ssxxx");
}

/** `Tue 2026-11-24 17:00` in the zone's local time. */
function localMinute(at: number, timeZone: string): string {
  return formatInTimeZone(at, timeZone, 'EEE yyyy-MM-dd HH:mm');
}

/** A line of the log: the timestamp, a space, the text. */
export function logLine(at: number, timeZone: string, text: string): string {
  return `${logTimestamp(at, timeZone)} ${text}\n`;
}

/** A state change: `idle → waiting (office-hours): Waiting for the window: …`. */
export function stateText(change: StateChange): string {
  return `${change.from} → ${change.to} (${change.reason})${change.message === undefined ? '' : `: ${change.message}`}`;
}

/** What the log keeps of the retries since its last line. */
export interface RetryTally {
  /** Attempts failed and retried since the last line. */
  count: number;
  /** When the count began (the last line's instant). */
  since: number;
  /** The last retry. */
  last: RetryEvent | undefined;
}

/** A line while only retries happen: how many, since when, the last one's source and code, the items finished. */
export function retryText(tally: RetryTally, status: RunStatus, timeZone: string): string {
  const last = tally.last === undefined ? '' : ` (last: source ${tally.last.source}, ${tally.last.code})`;
  const total = status.inputExhausted ? `/${formatCount(status.totals.read)}` : '';
  const attempts = tally.count === 1 ? '1 attempt' : `${formatCount(tally.count)} attempts`;
  return `retrying: ${attempts} failed since ${formatInTimeZone(tally.since, timeZone, 'HH:mm:ss')} and will be retried${last}; ${formatCount(status.totals.finished)}${total} finished, ${formatCount(status.totals.retrying)} waiting for a retry`;
}

/** A source paused by its overload protection. */
export function sourcePausedText(event: SourcePausedEvent, timeZone: string): string {
  return `source ${event.source} paused by its overload protection (${Math.round(event.failureRatio * 100)}% transient failures) until ${formatInTimeZone(event.until, timeZone, 'HH:mm:ss')}`;
}

/** The stall watchdog fired. */
export function stallText(event: StallEvent): string {
  const inFlight = Object.entries(event.inFlight).map(([source, count]) => `${source} ${count}`).join(', ');
  return `stalled: calls in flight (${inFlight}) and nothing finished for ${formatDuration(event.idleMs)}${event.aborted > 0 ? `; ${event.aborted} call(s) aborted, their items retried` : ''}`;
}

/** The last line: the final state, the outcomes, the calls, and when the run ran. */
export function summaryText(status: RunStatus, timeZone: string): string {
  const { totals } = status;
  const unfinished = totals.read - totals.finished;
  const started = status.startedAt;
  const span = started === undefined ? '' : `; from ${localMinute(started, timeZone)} to ${localMinute(status.at, timeZone)} (${formatDuration(status.at - started)})`;
  return (
    `${status.state}: ${formatCount(totals.finished)} item${totals.finished === 1 ? '' : 's'} finished (${formatCount(totals.succeeded)} succeeded, ` +
    `${formatCount(totals.rejected)} rejected, ${formatCount(totals.exhausted)} exhausted), ${formatCount(unfinished)} unfinished; ` +
    `${formatCount(totals.attempts)} call${totals.attempts === 1 ? '' : 's'}, ${formatCount(totals.retries)} retr${totals.retries === 1 ? 'y' : 'ies'}${span}`
  );
}
