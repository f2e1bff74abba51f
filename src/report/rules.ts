/**
 * The verdicts on the BCSS's rules, as pure functions of the measured figures: announced a week
 * ahead, no calls in office hours, simultaneous calls within each source's policy cap, a delay
 * between a pause and its resumption, rejects kept under the run's reject budget. A rule set
 * aside by an override (no announcement, the calendar off, a cap raised) is not kept when the
 * figures broke it, and its verdict carries the override's written reason.
 */
import type { ComplianceReport, PauseFigures, RuleVerdict, SourceFigures } from './model.js';
import { ruleDetail } from './texts.js';

type Facts = Record<string, string | number>;

function verdict(id: RuleVerdict['id'], ok: boolean, facts: Facts, override?: string): RuleVerdict {
  const all = override === undefined ? facts : { ...facts, override };
  return { id, ok, detail: ruleDetail(id, ok, all, 'en'), ...(override === undefined ? {} : { override }), facts: all };
}

/** A duration as `5 min` or `42 s`. */
export function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6_000) / 10} min` : `${Math.round(ms / 100) / 10} s`;
}

/** The announcement: a week ahead (its lead days), or not kept under an override. */
export function announcementRule(announcement: ComplianceReport['announcement']): RuleVerdict {
  if (announcement.overrideReason !== undefined) return verdict('announcement', false, {}, announcement.overrideReason);
  const { reference = '?', announcedOn = '?', leadDays = 7, leadTimeDays = 0 } = announcement;
  return verdict('announcement', leadTimeDays >= leadDays, { reference, announcedOn, leadDays, leadTimeDays });
}

/** No call started in office hours. */
export function officeHoursRule(calls: number, calendar: ComplianceReport['calendar'], hours: string): RuleVerdict {
  return verdict('office-hours', calls === 0, { calls, hours }, calendar.enforced ? undefined : calendar.overrideReason);
}

/** A source's peak within the BCSS policy's cap (a raised cap excuses nothing: its reason is shown). */
export function capRule(source: SourceFigures): RuleVerdict {
  const facts = { source: source.source, peak: source.peakConcurrency, policyCap: source.policyCap, cap: source.cap };
  return verdict(`cap:${source.source}`, source.peakConcurrency <= source.policyCap, facts, source.overrideReason);
}

/** Every pause resumed no sooner than the minimum pause. */
export function minPauseRule(pauses: readonly PauseFigures[], minPauseMs: number): RuleVerdict {
  const resumed = pauses.filter((pause) => pause.delayMs !== undefined);
  const short = pauses.filter((pause) => !pause.honoured);
  const shortest = resumed.length === 0 ? 0 : Math.min(...resumed.map((pause) => pause.delayMs!));
  return verdict('min-pause', short.length === 0, { pauses: pauses.length, short: short.length, minPause: duration(minPauseMs), shortest: duration(shortest) });
}

/** Rejects (rejected and exhausted items) within the share the run allowed itself. */
export function rejectRatioRule(rejects: number, finished: number, maxRatio: number): RuleVerdict {
  const ratio = finished === 0 ? 0 : rejects / finished;
  const percent = (value: number) => `${Math.round(value * 10_000) / 100} %`;
  return verdict('reject-ratio', ratio <= maxRatio, { rejects, finished, ratio: percent(ratio), max: percent(maxRatio) });
}
