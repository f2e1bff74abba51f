/**
 * What a run tells its store when it starts: its sources' caps (with any override's reason),
 * its calendar, its name and its announcement.
 */
import type { AnnouncementRecord } from '../policy/announcement.js';
import type { RunMeta, SourceRecord } from '../store/store.js';
import type { ResolvedRunOptions } from './config.js';
import { calendarRecord } from './window-messages.js';

/** The run's record for its store, as of `startedAt`. */
export function runMeta<T, R>(options: ResolvedRunOptions<T, R>, startedAt: number, announcement: AnnouncementRecord): RunMeta {
  const sources: Record<string, SourceRecord> = {};
  for (const { name, kind, cap, policyCap, overrideReason } of options.sources.values()) {
    sources[name] = overrideReason === undefined ? { kind, cap, policyCap } : { kind, cap, policyCap, overrideReason };
  }
  return {
    startedAt: new Date(startedAt).toISOString(),
    sources,
    ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
    calendar: calendarRecord(options.calendar),
    ...(options.name === undefined ? {} : { name: options.name }),
    announcement,
  };
}
