/**
 * Builds the report for the BCSS from the records of a batch's runs: the figures (peaks per
 * source, calls per hour against office hours, pauses and windows, rejects by code, plan versus
 * actual) and the verdict per rule.
 */
import { OfficeCalendar, type CalendarOptions } from '../calendar/calendar.js';
import { earliestStartOf } from '../policy/announcement.js';
import type { EventLine, RecordsOfRun } from '../store/records/index.js';
import { RecordsError } from '../store/errors.js';
import { mergeRecords, type SourceSeries } from './merge.js';
import type { ComplianceReport, HourFigures, PauseFigures, RunEventFigures, SourceFigures, StatePeriod } from './model.js';
import { announcementRule, capRule, minPauseRule, officeHoursRule, rejectRatioRule } from './rules.js';

const HOUR_S = 3600;
const DAY_MS = 86_400_000;
const FINAL = new Set(['stopped', 'completed', 'failed']);
const iso = (ms: number) => new Date(ms).toISOString();

function sum(counts: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const count of Object.values(counts)) total += count;
  return total;
}

function addInto(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [code, count] of Object.entries(from)) into[code] = (into[code] ?? 0) + count;
}

/** Whether a minute lies in office hours, cached per minute. */
function officeMinutes(calendar: OfficeCalendar): (second: number) => boolean {
  const cache = new Map<number, boolean>();
  return (second) => {
    const minute = second - (second % 60);
    let office = cache.get(minute);
    if (office === undefined) cache.set(minute, (office = calendar.isOfficeHours(minute * 1000)));
    return office;
  };
}

function sourceFigures(name: string, record: { kind: string; cap: number; policyCap: number; overrideReason?: string }, series: SourceSeries, office: (second: number) => boolean): SourceFigures {
  let peak = 0;
  let peakAt: number | undefined;
  const perMinute = new Map<number, number>();
  for (const [second, value] of [...series.peaks].sort(([a], [b]) => a - b)) {
    if (value > peak) [peak, peakAt] = [value, second];
    const minute = (second - (second % 60)) * 1000;
    perMinute.set(minute, Math.max(perMinute.get(minute) ?? 0, value));
  }
  let calls = 0;
  let inOffice = 0;
  for (const [second, started] of series.starts) {
    calls += started;
    if (office(second)) inOffice += started;
  }
  return {
    source: name,
    kind: record.kind,
    cap: record.cap,
    policyCap: record.policyCap,
    ...(record.overrideReason === undefined ? {} : { overrideReason: record.overrideReason }),
    peakConcurrency: peak,
    ...(peakAt === undefined ? {} : { peakAt: iso(peakAt * 1000) }),
    calls,
    callsInOfficeHours: inOffice,
    rejects: series.rejects,
    exhausted: series.exhausted,
    retries: series.retries,
    inFlightPerMinute: [...perMinute].sort(([a], [b]) => a - b),
  };
}

function callsPerHour(all: ReadonlyMap<string, SourceSeries>, office: (second: number) => boolean): HourFigures[] {
  const hours = new Map<number, Record<string, number>>();
  for (const [source, series] of all) {
    for (const [second, started] of series.starts) {
      const hour = second - (second % HOUR_S);
      const bySource = hours.get(hour) ?? {};
      bySource[source] = (bySource[source] ?? 0) + started;
      hours.set(hour, bySource);
    }
  }
  const sorted = [...hours.keys()].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const result: HourFigures[] = [];
  for (let hour = sorted[0]!; hour <= sorted[sorted.length - 1]!; hour += HOUR_S) {
    const bySource = hours.get(hour) ?? {};
    result.push({ hour: iso(hour * 1000), calls: sum(bySource), bySource, officeHours: office(hour) });
  }
  return result;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The reasons of an event's payload (its reason, origin and message, when present). */
function reasons(line: EventLine): { reason?: string; origin?: string; message?: string } {
  const [reason, origin, message] = [text(line.reason), text(line.origin), text(line.message)];
  return { ...(reason === undefined ? {} : { reason }), ...(origin === undefined ? {} : { origin }), ...(message === undefined ? {} : { message }) };
}

/** The states of each run start as periods, its pauses, and its other events. */
function history(events: readonly (EventLine & { run: number })[], minPauseMs: number) {
  const timeline: StatePeriod[] = [];
  const pauses: PauseFigures[] = [];
  const others: RunEventFigures[] = [];
  const open = new Map<number, { period: StatePeriod; pause?: { at: number; why: ReturnType<typeof reasons> } }>();
  const ended = new Set<number>();
  for (const line of events) {
    if (line.e !== 'state') {
      const until = typeof line.until === 'number' ? { until: iso(line.until) } : {};
      others.push({ event: line.e, at: iso(line.at), ...(typeof line.source === 'string' ? { source: line.source } : {}), ...until, ...reasons(line) });
      continue;
    }
    const to = String(line.to);
    const previous = open.get(line.run);
    if (previous !== undefined) {
      timeline.push({ ...previous.period, to: iso(line.at) });
      if (previous.pause !== undefined) {
        const delayMs = line.at - previous.pause.at;
        pauses.push({ at: iso(previous.pause.at), ...previous.pause.why, reason: previous.pause.why.reason ?? 'manual', resumedAt: iso(line.at), delayMs, honoured: delayMs >= minPauseMs || FINAL.has(to) });
      }
    }
    if (FINAL.has(to)) {
      open.delete(line.run);
      ended.add(line.run);
      continue;
    }
    const why = reasons(line);
    open.set(line.run, { period: { state: to, from: iso(line.at), ...why, reason: why.reason ?? '' }, ...(to === 'paused' ? { pause: { at: line.at, why } } : {}) });
  }
  for (const { period, pause } of open.values()) {
    timeline.push(period);
    if (pause !== undefined) pauses.push({ at: iso(pause.at), ...pause.why, reason: pause.why.reason ?? 'manual', honoured: true });
  }
  return { timeline: timeline.sort((a, b) => a.from.localeCompare(b.from)), pauses, others, ended };
}

/**
 * The report of a batch from the records of its runs (one or more run directories, one or more
 * run starts in each).
 *
 * @throws {RecordsError} `NO_RECORDS` when `runs` is empty.
 */
export function buildReport(runs: readonly RecordsOfRun[], dirs: readonly string[] = [...new Set(runs.map((run) => run.dir))]): ComplianceReport {
  if (runs.length === 0) throw new RecordsError('NO_RECORDS', 'No compliance records to report on');
  const ordered = [...runs].sort((a, b) => Date.parse(a.meta.meta.startedAt) - Date.parse(b.meta.meta.startedAt));
  const first = ordered[0]!.meta;
  const merged = mergeRecords(ordered);
  const startedAt = Date.parse(first.meta.startedAt);
  const lastAt = merged.lastAt ?? startedAt;

  const calendarRecord = first.meta.calendar;
  const enforced = calendarRecord === undefined || calendarRecord.enforced;
  const options: CalendarOptions = calendarRecord !== undefined && calendarRecord.enforced ? { timeZone: calendarRecord.timeZone, officeHours: calendarRecord.officeHours, holidaysAreFree: calendarRecord.holidaysAreFree } : {};
  const calendar = new OfficeCalendar(options);
  const office = officeMinutes(calendar);
  const { timeZone, officeHours } = calendar.options;
  const hoursText = `${officeHours.days.join(', ')} ${officeHours.from}–${officeHours.to} ${timeZone}`;

  const records = new Map<string, { kind: string; cap: number; policyCap: number; overrideReason?: string }>();
  for (const run of ordered) for (const [name, record] of Object.entries(run.meta.meta.sources)) if (!records.has(name)) records.set(name, record);
  const sources = [...merged.series].map(([name, series]) => sourceFigures(name, records.get(name) ?? { kind: 'authentic', cap: 0, policyCap: 2 }, series, office));

  const announcementRecord = first.meta.announcement;
  let announcement: ComplianceReport['announcement'] = {};
  if (announcementRecord !== undefined && 'overrideReason' in announcementRecord) announcement = { overrideReason: announcementRecord.overrideReason };
  else if (announcementRecord !== undefined) {
    const leadTimeDays = Math.floor((startedAt - earliestStartOf(announcementRecord.announcedOn, 0, timeZone).getTime()) / DAY_MS);
    announcement = { ...announcementRecord, leadTimeDays };
  }

  const { timeline, pauses, others, ended } = history(merged.events, first.minPauseMs);
  const rejectsByCode: Record<string, number> = {};
  const retriesByCode: Record<string, number> = {};
  const perMinute: [string, string, number][] = [];
  for (const [, series] of merged.series) {
    addInto(rejectsByCode, series.rejects);
    addInto(rejectsByCode, series.exhausted);
    addInto(retriesByCode, series.retries);
    for (const [minute, codes] of series.rejectsPerMinute) for (const [code, count] of Object.entries(codes)) perMinute.push([iso(minute), code, count]);
  }
  perMinute.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  const t = merged.totals ?? { finished: 0, succeeded: 0, rejected: 0, exhausted: 0, attempts: 0, retries: 0 };
  const rejected = t.rejected + t.exhausted;
  const maxRejectRatio = first.maxRejectRatio === false ? 0.1 : first.maxRejectRatio;
  const hours = callsPerHour(merged.series, office);
  const totalCalls = sources.reduce((total, source) => total + source.calls, 0);
  const callsInOffice = sources.reduce((total, source) => total + source.callsInOfficeHours, 0);
  const calendarFigures = enforced ? { enforced: true, timeZone } : { enforced: false, timeZone, overrideReason: (calendarRecord as { overrideReason: string }).overrideReason };

  const plan = first.plan;
  return {
    dirs,
    runs: ordered.length,
    ...(first.meta.name === undefined ? {} : { name: first.meta.name }),
    startedAt: first.meta.startedAt,
    lastRecordAt: iso(lastAt),
    ended: ended.size === ordered.length,
    peakConcurrency: Object.fromEntries(sources.map((source) => [source.source, source.peakConcurrency])),
    caps: Object.fromEntries(sources.map((source) => [source.source, source.cap])),
    sources,
    totalCalls,
    callsPerHour: hours,
    callsStartedInOfficeHours: callsInOffice,
    calendar: calendarFigures,
    announcement,
    minPauseMs: first.minPauseMs,
    pauses,
    timeline,
    events: others,
    totals: { finished: t.finished, succeeded: t.succeeded, rejected: t.rejected, exhausted: t.exhausted, retries: t.retries },
    rejectRatio: t.finished === 0 ? 0 : rejected / t.finished,
    maxRejectRatio,
    rejectsByCode,
    retriesByCode,
    rejectsPerMinute: perMinute,
    ...(plan === undefined
      ? {}
      : {
          plan: {
            plannedCalls: plan.totalCalls,
            actualCalls: totalCalls,
            plannedHours: plan.hours,
            actualHours: hours.filter((hour) => hour.calls > 0).length,
            plannedStart: plan.start,
            plannedEnd: plan.end,
            sources: plan.sources.map((planned) => {
              const actual = sources.find((source) => source.source === planned.source);
              return { source: planned.source, plannedCalls: planned.calls, actualCalls: actual?.calls ?? 0, plannedCap: planned.cap, peakConcurrency: actual?.peakConcurrency ?? 0 };
            }),
          },
        }),
    rules: [
      announcementRule(announcement),
      officeHoursRule(callsInOffice, calendarFigures, hoursText),
      ...sources.map(capRule),
      minPauseRule(pauses, first.minPauseMs),
      rejectRatioRule(rejected, t.finished, maxRejectRatio),
    ],
  };
}
