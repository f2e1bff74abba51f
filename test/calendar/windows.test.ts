/**
 * Allowed windows under the default BCSS calendar (Mon–Fri 08:00–17:00 Europe/Brussels are
 * closed): nights, weekends, holidays, blackouts and DST, checked against hand-made instants.
 */
import { describe, expect, it } from 'vitest';
import { addAllowedTime, allowedTimeBetween, allowedWindows, OfficeCalendar } from '../../src/index.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const calendar = new OfficeCalendar();

function firstWindows(from: string, count: number, cal: OfficeCalendar | null = calendar): string[] {
  const out: string[] = [];
  for (const w of allowedWindows(cal ?? undefined, new Date(from))) {
    out.push(`${iso(w.start)} → ${Number.isFinite(w.end) ? iso(w.end) : '∞'}`);
    if (out.length === count) break;
  }
  return out;
}

describe('allowedWindows', () => {
  it('lists the nights of the week and the weekend as one window each (CET, UTC+1)', () => {
    // Wed 2026-11-25 at 12:00 Brussels (office hours) → first window opens at 17:00.
    expect(firstWindows('2026-11-25T11:00:00Z', 4)).toEqual([
      '2026-11-25T16:00:00.000Z → 2026-11-26T07:00:00.000Z', // Wed night
      '2026-11-26T16:00:00.000Z → 2026-11-27T07:00:00.000Z', // Thu night
      '2026-11-27T16:00:00.000Z → 2026-11-30T07:00:00.000Z', // Fri 17:00 → Mon 08:00
      '2026-11-30T16:00:00.000Z → 2026-12-01T07:00:00.000Z', // Mon night
    ]);
  });

  it('starts the first window at `from` when `from` is allowed', () => {
    expect(firstWindows('2026-11-25T20:00:00Z', 1)).toEqual(['2026-11-25T20:00:00.000Z → 2026-11-26T07:00:00.000Z']);
  });

  it('joins a holiday to the nights around it when holidays are free (11 Nov 2026 is a Wednesday)', () => {
    const free = new OfficeCalendar({ holidaysAreFree: true });
    expect(firstWindows('2026-11-10T12:00:00Z', 1, free)).toEqual(['2026-11-10T16:00:00.000Z → 2026-11-12T07:00:00.000Z']);
    expect(firstWindows('2026-11-10T12:00:00Z', 1)).toEqual(['2026-11-10T16:00:00.000Z → 2026-11-11T07:00:00.000Z']);
  });

  it('cuts a window at a blackout', () => {
    const cal = new OfficeCalendar({ blackouts: [{ from: '2026-11-25T22:00', to: '2026-11-26T02:00' }] });
    expect(firstWindows('2026-11-25T12:00:00Z', 2, cal)).toEqual([
      '2026-11-25T16:00:00.000Z → 2026-11-25T21:00:00.000Z',
      '2026-11-26T01:00:00.000Z → 2026-11-26T07:00:00.000Z',
    ]);
  });

  it('follows DST: the night of the spring switch is an hour shorter in UTC', () => {
    // Fri 27 Mar 2026 17:00 CET (16:00Z) → Mon 30 Mar 08:00 CEST (06:00Z)
    expect(firstWindows('2026-03-27T12:00:00Z', 1)).toEqual(['2026-03-27T16:00:00.000Z → 2026-03-30T06:00:00.000Z']);
  });

  it('without a calendar, is one window that never closes', () => {
    expect(firstWindows('2026-11-25T11:00:00Z', 3, null)).toEqual(['2026-11-25T11:00:00.000Z → ∞']);
  });
});

describe('addAllowedTime', () => {
  it('ends within the first night when the work fits in it', () => {
    const end = addAllowedTime(calendar, new Date('2026-11-25T11:00:00Z'), 5 * HOUR);
    expect(iso(end.end.getTime())).toBe('2026-11-25T21:00:00.000Z');
    expect(end.windows).toBe(1);
  });

  it('spills over nights and a weekend: 15 h a night, 63 h a weekend', () => {
    // From Thu 26 Nov 17:00 CET: Thu night 15 h, weekend 63 h, then 2 h into Monday night.
    const end = addAllowedTime(calendar, new Date('2026-11-26T16:00:00Z'), (15 + 63 + 2) * HOUR);
    expect(iso(end.end.getTime())).toBe('2026-11-30T18:00:00.000Z');
    expect(end.windows).toBe(3);
  });

  it('ends exactly at a window close when the work fills it', () => {
    const end = addAllowedTime(calendar, new Date('2026-11-25T16:00:00Z'), 15 * HOUR);
    expect(iso(end.end.getTime())).toBe('2026-11-26T07:00:00.000Z');
    expect(end.windows).toBe(1);
  });

  it('uses no window for no work, and refuses a negative duration', () => {
    expect(addAllowedTime(calendar, new Date('2026-11-25T11:00:00Z'), 0)).toEqual({ end: new Date('2026-11-25T16:00:00Z'), windows: 0 });
    expect(() => addAllowedTime(calendar, 0, -1)).toThrow(RangeError);
  });
});

describe('allowedTimeBetween', () => {
  it('counts only nights and weekends', () => {
    // Wed 12:00 → next Wed 12:00: 5 nights of 15 h... Wed, Thu, Mon, Tue nights (15 h each) + weekend 63 h.
    expect(allowedTimeBetween(calendar, new Date('2026-11-25T11:00:00Z'), new Date('2026-12-02T11:00:00Z'))).toBe((4 * 15 + 63) * HOUR);
  });

  it('counts part of a window', () => {
    expect(allowedTimeBetween(calendar, new Date('2026-11-25T11:00:00Z'), new Date('2026-11-25T18:00:00Z'))).toBe(2 * HOUR);
  });
});
