/**
 * The office-hours calendar against known dates: the Belgian holidays of several years, Easter
 * from 1900 to 2100, instants around 08:00, 17:00 and midnight, weekends, the 2026 DST switches,
 * blackouts and custom office hours whose bounds fall in a skipped or repeated hour.
 * test/host-time-zones.test.ts runs this file again with the host's TZ set elsewhere.
 */
import { describe, expect, it } from 'vitest';
import {
  belgianPublicHolidays,
  ConfigError,
  easterSunday,
  formatLocal,
  isOfficeHours,
  nextAllowedStart,
  nextOfficeHoursStart,
  OfficeCalendar,
  type CalendarOptions,
} from '../../src/index.js';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

/**
 * Easter Sunday (MMDD) for 1900..2100, produced by python-dateutil 2.9.0 `easter(y, EASTER_WESTERN)`,
 * an implementation independent of ours.
 */
const EASTER_1900_2100 = [
  '0415', '0407', '0330', '0412', '0403', '0423', '0415', '0331', '0419', '0411',
  '0327', '0416', '0407', '0323', '0412', '0404', '0423', '0408', '0331', '0420',
  '0404', '0327', '0416', '0401', '0420', '0412', '0404', '0417', '0408', '0331',
  '0420', '0405', '0327', '0416', '0401', '0421', '0412', '0328', '0417', '0409',
  '0324', '0413', '0405', '0425', '0409', '0401', '0421', '0406', '0328', '0417',
  '0409', '0325', '0413', '0405', '0418', '0410', '0401', '0421', '0406', '0329',
  '0417', '0402', '0422', '0414', '0329', '0418', '0410', '0326', '0414', '0406',
  '0329', '0411', '0402', '0422', '0414', '0330', '0418', '0410', '0326', '0415',
  '0406', '0419', '0411', '0403', '0422', '0407', '0330', '0419', '0403', '0326',
  '0415', '0331', '0419', '0411', '0403', '0416', '0407', '0330', '0412', '0404',
  '0423', '0415', '0331', '0420', '0411', '0327', '0416', '0408', '0323', '0412',
  '0404', '0424', '0408', '0331', '0420', '0405', '0327', '0416', '0401', '0421',
  '0412', '0404', '0417', '0409', '0331', '0420', '0405', '0328', '0416', '0401',
  '0421', '0413', '0328', '0417', '0409', '0325', '0413', '0405', '0425', '0410',
  '0401', '0421', '0406', '0329', '0417', '0409', '0325', '0414', '0405', '0418',
  '0410', '0402', '0421', '0406', '0329', '0418', '0402', '0422', '0414', '0330',
  '0418', '0410', '0326', '0415', '0406', '0329', '0411', '0403', '0422', '0414',
  '0330', '0419', '0410', '0326', '0415', '0407', '0419', '0411', '0403', '0423',
  '0407', '0330', '0419', '0404', '0326', '0415', '0331', '0420', '0411', '0403',
  '0416', '0408', '0330', '0412', '0404', '0424', '0415', '0331', '0420', '0412',
  '0328',
];

/** Easter by Gauss's algorithm with its two Gregorian exceptions: a second independent computation. */
function gaussEaster(year: number): string {
  const a = year % 19;
  const b = year % 4;
  const c = year % 7;
  const k = Math.floor(year / 100);
  const p = Math.floor((13 + 8 * k) / 25);
  const q = Math.floor(k / 4);
  const m = (15 - p + k - q) % 30;
  const n = (4 + k - q) % 7;
  const d = (19 * a + m) % 30;
  const e = (2 * b + 4 * c + 6 * d + n) % 7;
  let day = 22 + d + e; // in March; above 31 it runs into April
  if (d === 29 && e === 6) day = 50; // 19 April
  else if (d === 28 && e === 6 && (11 * m + 11) % 30 < 19) day = 49; // 18 April
  const month = day > 31 ? 4 : 3;
  const dom = day > 31 ? day - 31 : day;
  return `${year}-${String(month).padStart(2, '0')}-${String(dom).padStart(2, '0')}`;
}

describe('Easter', () => {
  it('matches the table from 1900 to 2100, and Gauss', () => {
    expect(EASTER_1900_2100).toHaveLength(201);
    for (let year = 1900; year <= 2100; year++) {
      const mmdd = EASTER_1900_2100[year - 1900]!;
      const expected = `${year}-${mmdd.slice(0, 2)}-${mmdd.slice(2)}`;
      expect(easterSunday(year), String(year)).toBe(expected);
      expect(gaussEaster(year), `Gauss ${year}`).toBe(expected);
    }
  });

  it('gives well-known dates, including the earliest and latest possible', () => {
    const known: Record<number, string> = {
      1818: '1818-03-22', // earliest possible date
      1900: '1900-04-15',
      1943: '1943-04-25', // latest possible date
      1954: '1954-04-18', // Gauss's 18 April exception
      1981: '1981-04-19', // Gauss's 19 April exception
      2000: '2000-04-23',
      2008: '2008-03-23',
      2011: '2011-04-24',
      2019: '2019-04-21',
      2024: '2024-03-31',
      2025: '2025-04-20',
      2026: '2026-04-05',
      2038: '2038-04-25',
      2100: '2100-03-28',
      2285: '2285-03-22',
    };
    for (const [year, date] of Object.entries(known)) expect(easterSunday(Number(year)), year).toBe(date);
  });

  it('refuses a year outside the Gregorian calendar or not an integer', () => {
    expect(() => easterSunday(1582)).toThrow(RangeError);
    expect(() => easterSunday(2026.5)).toThrow(RangeError);
    expect(() => belgianPublicHolidays(Number.NaN)).toThrow(RangeError);
  });
});

describe('belgianPublicHolidays', () => {
  it('lists the ten legal holidays of 2024, 2025 and 2026', () => {
    const dates = (year: number) => belgianPublicHolidays(year).map((h) => h.date);
    expect(dates(2024)).toEqual(['2024-01-01', '2024-04-01', '2024-05-01', '2024-05-09', '2024-05-20', '2024-07-21', '2024-08-15', '2024-11-01', '2024-11-11', '2024-12-25']);
    expect(dates(2025)).toEqual(['2025-01-01', '2025-04-21', '2025-05-01', '2025-05-29', '2025-06-09', '2025-07-21', '2025-08-15', '2025-11-01', '2025-11-11', '2025-12-25']);
    expect(dates(2026)).toEqual(['2026-01-01', '2026-04-06', '2026-05-01', '2026-05-14', '2026-05-25', '2026-07-21', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25']);
  });

  it('names them', () => {
    expect(belgianPublicHolidays(2026)).toEqual([
      { date: '2026-01-01', name: "New Year's Day" },
      { date: '2026-04-06', name: 'Easter Monday' },
      { date: '2026-05-01', name: 'Labour Day' },
      { date: '2026-05-14', name: 'Ascension Day' },
      { date: '2026-05-25', name: 'Whit Monday' },
      { date: '2026-07-21', name: 'National Day' },
      { date: '2026-08-15', name: 'Assumption Day' },
      { date: '2026-11-01', name: "All Saints' Day" },
      { date: '2026-11-11', name: 'Armistice Day' },
      { date: '2026-12-25', name: 'Christmas Day' },
    ]);
  });

  it('keeps both holidays when Ascension falls on Labour Day (2008)', () => {
    const holidays = belgianPublicHolidays(2008);
    expect(holidays).toHaveLength(10);
    expect(holidays.filter((h) => h.date === '2008-05-01').map((h) => h.name).sort()).toEqual(['Ascension Day', 'Labour Day']);
  });
});

describe('isOfficeHours (Europe/Brussels, Mon–Fri 08:00–17:00)', () => {
  // Monday 23 November 2026, winter time (UTC+1).
  it.each([
    ['2026-11-23T06:59:59.999Z', false, 'Mon 07:59:59.999'],
    ['2026-11-23T07:00:00.000Z', true, 'Mon 08:00:00.000'],
    ['2026-11-23T15:59:59.999Z', true, 'Mon 16:59:59.999'],
    ['2026-11-23T16:00:00.000Z', false, 'Mon 17:00:00.000'],
    ['2026-11-22T22:59:59.999Z', false, 'Sun 23:59:59.999'],
    ['2026-11-22T23:00:00.000Z', false, 'Mon 00:00:00.000'],
    ['2026-11-23T22:59:59.999Z', false, 'Mon 23:59:59.999'],
    ['2026-11-27T15:59:59.999Z', true, 'Fri 16:59:59.999'],
    ['2026-11-27T16:00:00.000Z', false, 'Fri 17:00:00.000'],
    ['2026-11-28T10:00:00.000Z', false, 'Sat 11:00'],
    ['2026-11-29T10:00:00.000Z', false, 'Sun 11:00'],
    // Summer time (UTC+2): 08:00 is 06:00Z.
    ['2026-07-15T05:59:59.999Z', false, 'Wed 07:59:59.999 CEST'],
    ['2026-07-15T06:00:00.000Z', true, 'Wed 08:00 CEST'],
    ['2026-07-15T14:59:59.999Z', true, 'Wed 16:59:59.999 CEST'],
    ['2026-07-15T15:00:00.000Z', false, 'Wed 17:00 CEST'],
    // A legal holiday on a weekday is office hours by default (the BCSS rule names weekdays only).
    ['2026-04-06T08:00:00.000Z', true, 'Easter Monday 10:00'],
  ])('%s is %s (%s)', (instant, expected) => {
    expect(isOfficeHours(at(instant))).toBe(expected);
  });

  it('lets holidays be free time when holidaysAreFree is true', () => {
    const free = { holidaysAreFree: true };
    expect(isOfficeHours(at('2026-04-06T08:00:00Z'), free)).toBe(false); // Easter Monday
    expect(isOfficeHours(at('2026-12-25T10:00:00Z'), free)).toBe(false); // Christmas, a Friday
    expect(isOfficeHours(at('2026-04-03T08:00:00Z'), free)).toBe(true); // Good Friday is not a legal holiday
    expect(isOfficeHours(at('2026-04-07T06:00:00Z'), free)).toBe(true); // the Tuesday after Easter, 08:00
  });

  it('reads the office hours in another zone when told', () => {
    const tokyo = { timeZone: 'Asia/Tokyo' };
    expect(isOfficeHours(at('2026-11-22T23:00:00Z'), tokyo)).toBe(true); // Monday 08:00 in Tokyo
    expect(isOfficeHours(at('2026-11-22T22:59:59.999Z'), tokyo)).toBe(false);
    expect(isOfficeHours(at('2026-11-22T23:00:00Z'))).toBe(false); // Monday 00:00 in Brussels
  });

  it('refuses an invalid Date', () => {
    expect(() => isOfficeHours(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('nextAllowedStart and nextOfficeHoursStart', () => {
  it('a weekday morning waits for 17:00; an allowed instant is its own start', () => {
    expect(iso(nextAllowedStart(at('2026-11-23T09:00:00Z')))).toBe('2026-11-23T16:00:00.000Z');
    expect(iso(nextAllowedStart(at('2026-11-23T07:00:00Z')))).toBe('2026-11-23T16:00:00.000Z');
    expect(iso(nextAllowedStart(at('2026-11-23T16:00:00Z')))).toBe('2026-11-23T16:00:00.000Z');
    expect(iso(nextAllowedStart(at('2026-11-28T10:00:00Z')))).toBe('2026-11-28T10:00:00.000Z');
  });

  it('the window of a weekday evening closes at 08:00 the next morning; Friday evening closes on Monday', () => {
    expect(iso(nextOfficeHoursStart(at('2026-11-23T16:00:00Z')))).toBe('2026-11-24T07:00:00.000Z');
    expect(iso(nextOfficeHoursStart(at('2026-11-24T06:59:59.999Z')))).toBe('2026-11-24T07:00:00.000Z');
    expect(iso(nextOfficeHoursStart(at('2026-11-27T16:00:00Z')))).toBe('2026-11-30T07:00:00.000Z');
    expect(iso(nextOfficeHoursStart(at('2026-11-22T23:00:00Z')))).toBe('2026-11-23T07:00:00.000Z'); // Monday 00:00
  });

  it('during office hours the window is already closed: nextOfficeHoursStart is the instant itself', () => {
    expect(iso(nextOfficeHoursStart(at('2026-11-23T10:00:00Z')))).toBe('2026-11-23T10:00:00.000Z');
  });

  it('spring forward (29 March 2026): Friday 17:00 CET to Monday 08:00 CEST is 62 hours, not 63', () => {
    const opens = nextAllowedStart(at('2026-03-27T12:00:00Z'));
    expect(iso(opens)).toBe('2026-03-27T16:00:00.000Z');
    const closes = nextOfficeHoursStart(opens);
    expect(iso(closes)).toBe('2026-03-30T06:00:00.000Z');
    expect((closes.getTime() - opens.getTime()) / 3_600_000).toBe(62);
    expect(isOfficeHours(at('2026-03-30T05:59:59.999Z'))).toBe(false);
    expect(isOfficeHours(at('2026-03-30T06:00:00Z'))).toBe(true);
  });

  it('fall back (25 October 2026): Friday 17:00 CEST to Monday 08:00 CET is 64 hours, not 63', () => {
    const opens = nextAllowedStart(at('2026-10-23T12:00:00Z'));
    expect(iso(opens)).toBe('2026-10-23T15:00:00.000Z');
    const closes = nextOfficeHoursStart(opens);
    expect(iso(closes)).toBe('2026-10-26T07:00:00.000Z');
    expect((closes.getTime() - opens.getTime()) / 3_600_000).toBe(64);
    expect(isOfficeHours(at('2026-10-26T06:59:59.999Z'))).toBe(false);
    expect(isOfficeHours(at('2026-10-26T07:00:00Z'))).toBe(true);
  });

  it('holidaysAreFree skips Easter Monday: the window from Thursday evening runs to Tuesday unless Good Friday ends it', () => {
    expect(iso(nextOfficeHoursStart(at('2026-04-02T15:00:00Z')))).toBe('2026-04-03T06:00:00.000Z'); // Good Friday 08:00
    expect(iso(nextOfficeHoursStart(at('2026-04-03T15:00:00Z'), { holidaysAreFree: true }))).toBe('2026-04-07T06:00:00.000Z');
    expect(iso(nextOfficeHoursStart(at('2026-04-03T15:00:00Z')))).toBe('2026-04-06T06:00:00.000Z');
    // Christmas Friday and New Year's Friday of 2026/2027 with free holidays.
    expect(iso(nextOfficeHoursStart(at('2026-12-24T16:00:00Z'), { holidaysAreFree: true }))).toBe('2026-12-28T07:00:00.000Z');
  });
});

describe('blackouts', () => {
  const maintenance: CalendarOptions = { blackouts: [{ from: '2026-11-28T22:00', to: '2026-11-29T02:00' }] };

  it('close the window at their start and open it at their end, in local time', () => {
    expect(iso(nextOfficeHoursStart(at('2026-11-27T16:00:00Z'), maintenance))).toBe('2026-11-28T21:00:00.000Z');
    expect(iso(nextAllowedStart(at('2026-11-28T21:00:00Z'), maintenance))).toBe('2026-11-29T01:00:00.000Z');
    expect(iso(nextAllowedStart(at('2026-11-28T20:59:59.999Z'), maintenance))).toBe('2026-11-28T20:59:59.999Z');
    expect(iso(nextOfficeHoursStart(at('2026-11-29T01:00:00Z'), maintenance))).toBe('2026-11-30T07:00:00.000Z');
    expect(isOfficeHours(at('2026-11-28T23:00:00Z'), maintenance)).toBe(false); // a blackout is not office hours
  });

  it('say why calls are forbidden, and chain with office hours', () => {
    const calendar = new OfficeCalendar({ blackouts: [{ from: '2026-11-23T17:00', to: '2026-11-23T19:30' }] });
    expect(calendar.closedAt(at('2026-11-23T10:00:00Z'))).toEqual({ reason: 'office-hours', opensAt: at('2026-11-23T18:30:00Z') });
    expect(calendar.closedAt(at('2026-11-23T17:00:00Z'))).toEqual({ reason: 'blackout', opensAt: at('2026-11-23T18:30:00Z') });
    expect(calendar.closedAt(at('2026-11-23T18:30:00Z'))).toBeUndefined();
  });

  it('at DST edges: a bound in the skipped hour falls at 03:00; an end in the repeated hour is its second occurrence', () => {
    const spring = new OfficeCalendar({ blackouts: [{ from: '2026-03-29T02:00', to: '2026-03-29T04:00' }] });
    expect(iso(spring.nextOfficeHoursStart(at('2026-03-28T20:00:00Z')))).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(iso(spring.nextAllowedStart(at('2026-03-29T01:00:00Z')))).toBe('2026-03-29T02:00:00.000Z'); // 04:00 CEST
    // Wholly inside the skipped hour: no instant is covered.
    const skipped = new OfficeCalendar({ blackouts: [{ from: '2026-03-29T02:15', to: '2026-03-29T02:45' }] });
    expect(iso(skipped.nextOfficeHoursStart(at('2026-03-28T20:00:00Z')))).toBe('2026-03-30T06:00:00.000Z');
    // 02:30 to 02:45 on 25 October: from the first 02:30 (CEST) to the second 02:45 (CET).
    const fall = new OfficeCalendar({ blackouts: [{ from: '2026-10-25T02:30', to: '2026-10-25T02:45' }] });
    expect(iso(fall.nextOfficeHoursStart(at('2026-10-24T20:00:00Z')))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(fall.nextAllowedStart(at('2026-10-25T00:30:00Z')))).toBe('2026-10-25T01:45:00.000Z');
    expect(fall.closedAt(at('2026-10-25T01:44:59.999Z'))?.reason).toBe('blackout');
  });
});

describe('custom office hours at DST edges', () => {
  it('a start in the skipped hour falls at 03:00 CEST', () => {
    const calendar = new OfficeCalendar({ officeHours: { days: ['sun'], from: '02:30', to: '03:30' } });
    expect(iso(calendar.nextOfficeHoursStart(at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(calendar.nextAllowedStart(at('2026-03-29T01:00:00Z')))).toBe('2026-03-29T01:30:00.000Z');
    expect(calendar.isOfficeHours(at('2026-03-29T00:59:59.999Z'))).toBe(false); // 01:59:59.999 CET
  });

  it('hours in the repeated hour run from the first start to the second end', () => {
    const calendar = new OfficeCalendar({ officeHours: { days: ['sun'], from: '02:15', to: '02:30' } });
    expect(iso(calendar.nextOfficeHoursStart(at('2026-10-24T12:00:00Z')))).toBe('2026-10-25T00:15:00.000Z');
    expect(iso(calendar.nextAllowedStart(at('2026-10-25T00:15:00Z')))).toBe('2026-10-25T01:30:00.000Z');
    expect(calendar.isOfficeHours(at('2026-10-25T00:45:00Z'))).toBe(true); // 02:45 CEST, between the two
  });
});

describe('calendar options', () => {
  function refusal(options: unknown): ConfigError {
    try {
      new OfficeCalendar(options as CalendarOptions);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('the options were accepted');
  }

  it('name every malformed field by its path', () => {
    const error = refusal({
      timeZone: 'Mars/Olympus',
      officeHours: { days: ['mon', 'funday'], from: '8:00', to: '17:00' },
      holidaysAreFree: 'yes',
      blackouts: [{ from: '2026-02-30T10:00', to: '2026-03-01T10:00' }, { from: '2026-03-02T10:00', to: '2026-03-02T09:00' }],
      extra: 1,
    });
    const paths = error.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['timeZone', 'officeHours.days.1', 'officeHours.from', 'holidaysAreFree', 'blackouts.0.from', 'blackouts.1.to', '']),
    );
    expect(error.message).toContain('expected an IANA time zone name');
  });

  it('refuse offsets as time zones, office hours ending before they start, and empty days', () => {
    expect(refusal({ timeZone: '+01:00' }).issues[0]?.path).toEqual(['timeZone']);
    expect(refusal({ officeHours: { days: ['mon'], from: '17:00', to: '08:00' } }).issues[0]?.path).toEqual(['officeHours', 'to']);
    expect(refusal({ officeHours: { days: [], from: '08:00', to: '17:00' } }).issues[0]?.path).toEqual(['officeHours', 'days']);
    expect(refusal({ officeHours: { days: ['mon', 'mon'], from: '08:00', to: '17:00' } }).issues[0]?.path).toEqual(['officeHours', 'days']);
  });

  it('apply the BCSS defaults', () => {
    expect(new OfficeCalendar().options).toEqual({
      timeZone: 'Europe/Brussels',
      officeHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '17:00' },
      holidaysAreFree: false,
      blackouts: [],
    });
  });
});

describe('formatLocal', () => {
  it('shows the zone’s wall clock and offset', () => {
    expect(formatLocal('Europe/Brussels', Date.parse('2026-11-23T16:00:00Z'))).toBe('Mon 2026-11-23 17:00:00 Europe/Brussels (UTC+01:00)');
    expect(formatLocal('Europe/Brussels', Date.parse('2026-10-25T00:30:00Z'))).toBe('Sun 2026-10-25 02:30:00 Europe/Brussels (UTC+02:00)');
    expect(formatLocal('Europe/Brussels', Date.parse('2026-10-25T01:30:00Z'))).toBe('Sun 2026-10-25 02:30:00 Europe/Brussels (UTC+01:00)');
    expect(formatLocal('America/New_York', Date.parse('2026-03-08T07:30:00Z'))).toBe('Sun 2026-03-08 03:30:00 America/New_York (UTC-04:00)');
    // 02:30 in Brussels on the night New York skips 02:00–03:00: right under TZ=America/New_York too
    // (a reading through the host's own zone, as date-fns-tz's toZonedTime does, shows 03:30 there).
    expect(formatLocal('Europe/Brussels', Date.parse('2026-03-08T01:30:00Z'))).toBe('Sun 2026-03-08 02:30:00 Europe/Brussels (UTC+01:00)');
  });
});

describe('host time zone', () => {
  it('is the one the harness asked for (see test/host-time-zones.test.ts)', () => {
    const expected = process.env.BCSS_EXPECT_HOST_TZ;
    const host = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (expected !== undefined) expect(host).toBe(expected);
    else expect(host).toBeTypeOf('string');
  });
});
