/**
 * Optional options given as an explicit `undefined` (as code that passes its own optional
 * settings through writes them, and as exactOptionalPropertyTypes allows with `?: T | undefined`)
 * mean "not given": the schemas accept them and apply the defaults.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, OfficeCalendar, type RunOptions } from '../../src/index.js';
import { parseRunOptions } from '../../src/engine/config.js';

const base: RunOptions<number, number> = { input: [1], call: async (x) => x, source: 'rn', sources: { rn: { kind: 'rn' } } };

describe('an explicit undefined for an optional option', () => {
  it('is the default, at the top level and in every nested option', () => {
    const resolved = parseRunOptions<number, number>({
      ...base,
      sources: { rn: { kind: 'rn', cap: undefined, override: undefined, timeoutMs: undefined } },
      key: undefined,
      onSuccess: undefined,
      classify: undefined,
      precheck: undefined,
      maxConcurrency: undefined,
      timeoutMs: undefined,
      retry: { maxAttempts: undefined, baseDelayMs: undefined, maxDelayMs: undefined, maxRetryAfterMs: undefined },
      overload: { windowSize: undefined, minSamples: undefined, failureRatio: undefined, cooldownMs: undefined, maxCooldownMs: undefined },
      rejectBudget: { maxRatio: undefined, minSample: undefined },
      stall: { afterMs: undefined, abort: undefined },
      minPauseMs: undefined,
      prefetch: undefined,
      progressIntervalMs: undefined,
      clock: undefined,
      store: undefined,
      random: undefined,
      calendar: { timeZone: undefined, officeHours: undefined, holidaysAreFree: undefined, blackouts: undefined, enforce: undefined, override: undefined },
      waitForWindow: undefined,
      drainDeadlineMs: undefined,
      shared: undefined,
      name: undefined,
      announcement: { reference: 'SD-2026-000001', announcedOn: '2026-11-02', leadDays: undefined, override: undefined },
    });
    const defaults = parseRunOptions<number, number>({ ...base, announcement: { reference: 'SD-2026-000001', announcedOn: '2026-11-02' } });
    expect(resolved.retry).toEqual({ maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000, maxRetryAfterMs: 300_000 });
    expect(resolved.calendar).toEqual(defaults.calendar);
    expect(resolved.overload).toEqual(defaults.overload);
    expect(resolved.rejectBudget).toEqual(defaults.rejectBudget);
    expect(resolved.stall).toEqual(defaults.stall);
    expect([resolved.timeoutMs, resolved.prefetch, resolved.minPauseMs, resolved.waitForWindow]).toEqual([30_000, 64, 300_000, false]);
    expect(resolved.sources.get('rn')).toMatchObject({ cap: 4, timeoutMs: 30_000 });
    expect(resolved.announcement).toMatchObject({ leadDays: 7 });
  });

  it('still needs what is required: undefined for a required field is refused, naming it', () => {
    expect(() => parseRunOptions({ ...base, sources: { rn: { kind: undefined as never } } })).toThrow(ConfigError);
    try {
      parseRunOptions({ ...base, retry: { maxAttempts: 0 } });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).issues.map((issue) => issue.path.join('.'))).toEqual(['retry.maxAttempts']);
    }
  });

  it('the calendar alone accepts it too', () => {
    expect(new OfficeCalendar({ timeZone: undefined, officeHours: undefined, holidaysAreFree: undefined, blackouts: undefined }).options.timeZone).toBe('Europe/Brussels');
  });
});
