/**
 * The capacity plan, checked by hand: calls, caps and Little's-law ceilings per source, the
 * allowed hours of sources in parallel (and under a shared maxConcurrency), the windows used
 * across a weekend and the expected end in Brussels time.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, planBatch, PolicyError } from '../../src/index.js';

// Thursday 26 November 2026, 17:00 in Brussels (UTC+1): the windows from there are
// Thu 17:00 → Fri 08:00 (15 h), Fri 17:00 → Mon 08:00 (63 h), Mon 17:00 → Tue 08:00 (15 h), Tue 17:00 → Wed 08:00 (15 h).
const THURSDAY_17 = new Date('2026-11-26T16:00:00Z');

describe('planBatch', () => {
  it('one night: rn at cap 4 and 250 ms makes 16 calls/s, 57 600 per hour; 120 000 calls take 2 h 05 min', () => {
    const plan = planBatch({ volumes: { rn: 120_000 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start: THURSDAY_17 });
    const rn = plan.sources[0]!;
    expect(rn).toMatchObject({ source: 'rn', kind: 'rn', items: 120_000, calls: 120_000, cap: 4, latencyMs: 250, ceilingPerSecond: 16, ceilingPerHour: 57_600 });
    expect(rn.hours).toBeCloseTo(120_000 / 57_600, 10); // 2.0833 h
    expect(plan.hours).toBeCloseTo(2.083_333, 5);
    expect(plan.start).toEqual(THURSDAY_17);
    expect(plan.end).toEqual(new Date('2026-11-26T18:05:00Z')); // 19:05 in Brussels
    expect(plan.windows).toHaveLength(1);
    expect(plan.windows[0]).toMatchObject({ start: THURSDAY_17, end: new Date('2026-11-26T18:05:00Z'), kind: 'night', calls: 120_000 });
    expect(plan.windows[0]!.hours).toBeCloseTo(2.083_333, 5);
    expect([plan.nights, plan.weekends]).toEqual([1, 0]);
  });

  it('sources in parallel: the batch takes as long as its slowest source', () => {
    // authentic at cap 2 and 500 ms: 4 calls/s, 14 400 per hour; 43 200 calls take 3 h. rn: 57 600 calls at 57 600/h: 1 h.
    const plan = planBatch({
      volumes: { rn: 57_600, pensions: 43_200 },
      sources: { rn: { kind: 'rn' }, pensions: { kind: 'authentic' } },
      latencyMs: { rn: 250, pensions: 500 },
      start: THURSDAY_17,
    });
    expect(plan.sources.map((s) => [s.source, s.cap, s.ceilingPerHour, s.hours])).toEqual([
      ['rn', 4, 57_600, 1],
      ['pensions', 2, 14_400, 3],
    ]);
    expect(plan.hours).toBe(3);
    expect(plan.boundBy).toBe('source');
    expect(plan.totalCalls).toBe(100_800);
    expect(plan.end).toEqual(new Date('2026-11-26T19:00:00Z')); // 20:00 in Brussels
  });

  it('a shared maxConcurrency below the sum of the caps binds: total slot-hours ÷ maxConcurrency', () => {
    // rn: 57 600 calls × 0.25 s = 4 slot-hours; pensions: 43 200 × 0.5 s = 6 slot-hours; 10 slot-hours over 2 slots = 5 h (> 3 h of the slowest source).
    const plan = planBatch({
      volumes: { rn: 57_600, pensions: 43_200 },
      sources: { rn: { kind: 'rn' }, pensions: { kind: 'authentic' } },
      latencyMs: { rn: 250, pensions: 500 },
      start: THURSDAY_17,
      maxConcurrency: 2,
    });
    expect(plan.hours).toBe(5);
    expect(plan.boundBy).toBe('maxConcurrency');
    // With 6 shared slots the caps bind again (10 / 6 = 1.67 h < 3 h).
    const roomy = planBatch({ volumes: { rn: 57_600, pensions: 43_200 }, sources: { rn: { kind: 'rn' }, pensions: { kind: 'authentic' } }, latencyMs: { rn: 250, pensions: 500 }, start: THURSDAY_17, maxConcurrency: 6 });
    expect([roomy.hours, roomy.boundBy]).toEqual([3, 'source']);
  });

  it('several nights across a weekend: 100 h of calling from Thursday 17:00 ends Wednesday 00:00', () => {
    // 100 h at 57 600/h = 5 760 000 calls. 15 h (Thu night) + 63 h (weekend) + 15 h (Mon night) = 93 h; 7 h more on Tuesday from 17:00.
    const plan = planBatch({ volumes: { rn: 5_760_000 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start: THURSDAY_17 });
    expect(plan.hours).toBe(100);
    expect(plan.windows.map((w) => [w.start.toISOString(), w.end.toISOString(), w.kind, w.hours, w.calls])).toEqual([
      ['2026-11-26T16:00:00.000Z', '2026-11-27T07:00:00.000Z', 'night', 15, 864_000],
      ['2026-11-27T16:00:00.000Z', '2026-11-30T07:00:00.000Z', 'weekend', 63, 3_628_800],
      ['2026-11-30T16:00:00.000Z', '2026-12-01T07:00:00.000Z', 'night', 15, 864_000],
      ['2026-12-01T16:00:00.000Z', '2026-12-01T23:00:00.000Z', 'night', 7, 403_200],
    ]);
    expect(plan.end).toEqual(new Date('2026-12-01T23:00:00Z')); // Wed 2 December 00:00 in Brussels
    expect([plan.nights, plan.weekends]).toEqual([3, 1]);
  });

  it('a start in office hours begins at 17:00; a retry ratio adds calls', () => {
    const plan = planBatch({ volumes: { rn: 100_000 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start: new Date('2026-11-26T09:00:00Z'), retryRatio: 0.152 });
    expect(plan.requestedStart).toEqual(new Date('2026-11-26T09:00:00Z'));
    expect(plan.start).toEqual(THURSDAY_17);
    expect(plan.sources[0]!.calls).toBe(115_200); // 100 000 × 1.152
    expect(plan.hours).toBe(2);
    expect(plan.end).toEqual(new Date('2026-11-26T18:00:00Z'));
  });

  it('a start on Saturday is in a weekend window; with the calendar off there is one window', () => {
    const saturday = planBatch({ volumes: { rn: 57_600 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start: new Date('2026-11-28T10:00:00Z') });
    expect(saturday.windows.map((w) => w.kind)).toEqual(['weekend']);
    // Monday 06:00: the 2 h left of the weekend window (it opened on Friday at 17:00), then Monday night.
    const monday = planBatch({ volumes: { rn: 57_600 * 3 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start: new Date('2026-11-30T05:00:00Z') });
    expect(monday.windows.map((w) => [w.kind, w.hours])).toEqual([['weekend', 2], ['night', 1]]);
    // Tuesday 03:00: the rest of a night.
    const tuesday = planBatch({ volumes: { rn: 57_600 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start: new Date('2026-12-01T02:00:00Z') });
    expect(tuesday.windows.map((w) => w.kind)).toEqual(['night']);
    const off = planBatch({
      volumes: { rn: 57_600 * 30 },
      sources: { rn: { kind: 'rn' } },
      latencyMs: 250,
      start: new Date('2026-11-26T09:00:00Z'),
      calendar: { enforce: false, override: { reason: 'acceptance environment of the BCSS' } },
    });
    expect(off.windows).toHaveLength(1);
    expect(off.windows[0]!.kind).toBe('always');
    expect(off.end).toEqual(new Date('2026-11-27T15:00:00Z')); // 30 h straight
    expect(off.calendarEnforced).toBe(false);
  });

  it('zero items: no window, the end is the start', () => {
    const plan = planBatch({ volumes: { rn: 0 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start: THURSDAY_17 });
    expect([plan.hours, plan.windows.length, plan.end]).toEqual([0, 0, THURSDAY_17]);
  });

  it('refuses malformed input with paths, and a cap above the policy without override', () => {
    const issues = (input: unknown) => {
      try {
        planBatch(input as Parameters<typeof planBatch>[0]);
      } catch (error) {
        if (error instanceof ConfigError) return error.issues.map((i) => i.path.join('.'));
        throw error;
      }
      return [];
    };
    expect(issues({ volumes: { rn: -1 }, sources: { rn: { kind: 'rn' } }, latencyMs: 0, start: THURSDAY_17 })).toEqual(['volumes.rn', 'latencyMs']);
    expect(issues({ volumes: { rn: 1, onem: 2 }, sources: { rn: { kind: 'rn' } }, latencyMs: { rn: 100 }, start: THURSDAY_17 })).toEqual(['volumes.onem', 'latencyMs.onem']);
    expect(issues({ volumes: { rn: 1 }, sources: { rn: { kind: 'rn' } }, latencyMs: 100, start: new Date(Number.NaN) })).toEqual(['start']);
    expect(() => planBatch({ volumes: { rn: 1 }, sources: { rn: { kind: 'rn', cap: 8 } }, latencyMs: 100, start: THURSDAY_17 })).toThrow(PolicyError);
    const agreed = planBatch({ volumes: { rn: 1 }, sources: { rn: { kind: 'rn', cap: 8, override: { reason: 'agreement SD-4711 with the BCSS' } } }, latencyMs: 100, start: THURSDAY_17 });
    expect(agreed.sources[0]!.ceilingPerSecond).toBe(80);
  });
});
