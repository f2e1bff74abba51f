/**
 * The calendar a run, a plan and a progress tracker build from their `calendar` option: one
 * function, so the three cannot disagree on what the option means.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/util/errors.js';
import { officeCalendarOf, resolveRunCalendar, runCalendarSchema } from '../../src/calendar/run-calendar.js';

const MONDAY_10 = new Date('2026-11-23T09:00:00Z'); // 10:00 in Brussels
const MONDAY_20 = new Date('2026-11-23T19:00:00Z'); // 20:00 in Brussels

describe('officeCalendarOf', () => {
  it('builds the BCSS calendar from the defaults: Monday 10:00 is office hours, 20:00 is not', () => {
    const calendar = officeCalendarOf(runCalendarSchema.parse({}))!;
    expect(calendar.isOfficeHours(MONDAY_10)).toBe(true);
    expect(calendar.isOfficeHours(MONDAY_20)).toBe(false);
    expect(calendar.options.timeZone).toBe('Europe/Brussels');
  });

  it('keeps every field of the option: zone, office hours, holidays, blackouts', () => {
    const calendar = officeCalendarOf(
      runCalendarSchema.parse({
        timeZone: 'UTC',
        officeHours: { days: ['mon'], from: '18:30', to: '19:30' },
        holidaysAreFree: true,
        blackouts: [{ from: '2026-11-24T01:00', to: '2026-11-24T02:00' }],
      }),
    )!;
    expect(calendar.isOfficeHours(MONDAY_10)).toBe(false);
    expect(calendar.isOfficeHours(MONDAY_20)).toBe(true);
    expect(calendar.options.holidaysAreFree).toBe(true);
    expect(calendar.closedAt(new Date('2026-11-24T01:30:00Z'))).toMatchObject({ reason: 'blackout' });
  });

  it('gives no calendar when it is turned off by override', () => {
    expect(officeCalendarOf(runCalendarSchema.parse({ enforce: false, override: { reason: 'acceptance server, no office hours' } }))).toBeUndefined();
  });
});

describe('resolveRunCalendar', () => {
  it('is the BCSS calendar when not given, none for null', () => {
    expect(resolveRunCalendar(undefined, 'progress options')!.isOfficeHours(MONDAY_10)).toBe(true);
    expect(resolveRunCalendar(null, 'progress options')).toBeUndefined();
  });

  it('refuses a malformed calendar with a ConfigError naming the path under the option', () => {
    try {
      resolveRunCalendar({ timeZone: '+01:00', enforce: false }, 'progress options');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('progress options');
      expect((error as ConfigError).issues.map((issue) => issue.path.join('.'))).toEqual(['calendar.timeZone', 'calendar.override']);
    }
  });
});
