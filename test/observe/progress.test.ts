/**
 * Progress from outside a run: the moving-window throughput, the ETA spent through the allowed
 * windows (pure, across a weekend), and a real run under the fake clock whose ETA, taken before
 * the morning's office hours, equals the instant computed by hand in the next night — and the
 * instant the run really ends.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, OfficeCalendar, estimateFinish, throughputOf, trackProgress, type StatusSource, type RunEvents, type RunStatus } from '../../src/index.js';
import { resolveProgressCalendar } from '../../src/observe/progress.js';
import { FakeClock } from '../../src/testing.js';
import { numberedRun } from '../helpers.js';

const HOUR = 3_600_000;
const bcss = new OfficeCalendar();

describe('throughputOf', () => {
  it('is undefined before two samples of a running stretch', () => {
    expect(throughputOf([], 60_000)).toBeUndefined();
    expect(throughputOf([{ at: 0, finished: 0, segment: 1 }], 60_000)).toBeUndefined();
    expect(throughputOf([{ at: 0, finished: 0, segment: 1 }, { at: 1_000, finished: 5, segment: 2 }], 60_000)).toBeUndefined();
  });

  it('counts the items finished over the window, in items per second', () => {
    const samples = [0, 1, 2, 3, 4].map((s) => ({ at: s * 1_000, finished: s * 10, segment: 1 }));
    expect(throughputOf(samples, 60_000)).toBe(10);
  });

  it('looks only one window back from the last sample', () => {
    // 1 item/s for 10 minutes, then 5 items/s for the last 2 minutes: a 2-minute window sees 5/s.
    const samples = [
      { at: 0, finished: 0, segment: 1 },
      { at: 600_000, finished: 600, segment: 1 },
      { at: 660_000, finished: 900, segment: 1 },
      { at: 720_000, finished: 1_200, segment: 1 },
    ];
    expect(throughputOf(samples, 120_000)).toBe(5);
    expect(throughputOf(samples, 3_600_000)).toBeCloseTo(1_200 / 720, 10);
  });

  it('keeps the rate of the previous stretch until the new one has two samples (the window just opened)', () => {
    const samples = [
      { at: 0, finished: 0, segment: 1 },
      { at: 10_000, finished: 30, segment: 1 },
      { at: 50_000_000, finished: 30, segment: 2 },
    ];
    expect(throughputOf(samples, 300_000)).toBe(3);
    expect(throughputOf([...samples, { at: 50_010_000, finished: 50, segment: 2 }], 300_000)).toBe(2);
  });

  it('does not count the time between two running stretches (a night, a pause)', () => {
    const samples = [
      { at: 0, finished: 0, segment: 1 },
      { at: 10_000, finished: 40, segment: 1 },
      { at: 70_000, finished: 40, segment: 2 },
      { at: 80_000, finished: 80, segment: 2 },
    ];
    expect(throughputOf(samples, 300_000)).toBe(4);
  });
});

describe('estimateFinish', () => {
  it('spends 3 h of work from Tuesday 06:00 through the office hours: 2 h until 08:00, 1 h from 17:00, so 18:00, not 09:00', () => {
    const tuesday6 = Date.UTC(2026, 10, 24, 5, 0); // 06:00 in Brussels (CET)
    const estimate = estimateFinish({ remaining: 10_800, throughputPerSecond: 1, from: tuesday6, calendar: bcss });
    expect(estimate).toEqual({ eta: new Date(Date.UTC(2026, 10, 24, 17, 0)), neededMs: 3 * HOUR, windowsLeft: 2 });
  });

  it('crosses a weekend: 70 h of work from Friday 20:00 is 60 h to Monday 08:00, then 10 h from Monday 17:00', () => {
    const friday20 = Date.UTC(2026, 10, 27, 19, 0); // Fri 27 Nov 2026, 20:00 in Brussels
    const estimate = estimateFinish({ remaining: 70 * 3_600 * 2, throughputPerSecond: 2, from: friday20, calendar: bcss });
    expect(estimate.eta).toEqual(new Date(Date.UTC(2026, 11, 1, 2, 0))); // Tue 1 Dec 03:00 in Brussels
    expect(estimate.windowsLeft).toBe(2);
  });

  it('from a waiting instant (Saturday is allowed, so: Monday 10:00) starts at the next window, 17:00', () => {
    const monday10 = Date.UTC(2026, 10, 23, 9, 0);
    const estimate = estimateFinish({ remaining: 30, throughputPerSecond: 0.01, from: monday10, calendar: bcss });
    expect(estimate.eta).toEqual(new Date(Date.UTC(2026, 10, 23, 16, 50))); // 17:00 + 50 min
    expect(estimate.windowsLeft).toBe(1);
  });

  it('without a calendar is remaining ÷ throughput from now, rounded up to the second', () => {
    const estimate = estimateFinish({ remaining: 10, throughputPerSecond: 3, from: 1_000, calendar: undefined });
    expect(estimate).toEqual({ eta: new Date(5_000), neededMs: 3_334, windowsLeft: 1 });
  });

  it('is now for nothing remaining, and refuses a throughput of 0', () => {
    expect(estimateFinish({ remaining: 0, throughputPerSecond: 1, from: Date.UTC(2026, 10, 23, 22), calendar: bcss }).windowsLeft).toBe(0);
    expect(() => estimateFinish({ remaining: 5, throughputPerSecond: 0, from: 0, calendar: bcss })).toThrow(RangeError);
  });
});

describe('trackProgress on a real run under the fake clock', () => {
  /**
   * 4 000 items on the National Register (cap 4), 10 s per call: 0.4 items/s. Started Tuesday
   * 24 Nov 2026 at 06:00 in Brussels, 2 h before office hours: 2 880 items before 08:00, the
   * 1 120 others from 17:00, which take 2 800 s: the run ends at 17:46:40.
   */
  function nightRun() {
    const { clock, run } = numberedRun(4_000, { clock: new FakeClock(Date.UTC(2026, 10, 24, 5, 0)), latencyMs: 10_000 });
    return { clock, run };
  }

  it('gives at 06:30 the ETA computed by hand across the office hours (Tue 17:46:40), keeps it while waiting, and the run ends then', async () => {
    const { clock, run } = nightRun();
    // A window longer than the night's stretch: the rate telescopes to (finished − 0) ÷ time since 06:00, exact.
    const tracker = trackProgress(run, { total: 4_000, windowMs: 3 * HOUR });
    // The default 5-minute window: its first sample is a progress event, taken as the first of
    // the 4 calls ending at that instant is counted, so up to 3 items off over 300 s.
    const fiveMinutes = trackProgress(run, { total: 4_000 });
    const done = run.start();

    await clock.advanceTo(Date.UTC(2026, 10, 24, 5, 30));
    const at0630 = tracker.snapshot();
    const rough = fiveMinutes.snapshot();
    expect(rough.throughputPerSecond).toBeGreaterThanOrEqual(0.4);
    expect(rough.throughputPerSecond).toBeLessThanOrEqual(0.4 + 3 / 300);
    // 8 200 s of work at a rate up to 2.5 % high: the ETA is at most 205 s early.
    expect(Date.UTC(2026, 10, 24, 16, 46, 40) - rough.eta!.getTime()).toBeGreaterThanOrEqual(0);
    expect(Date.UTC(2026, 10, 24, 16, 46, 40) - rough.eta!.getTime()).toBeLessThanOrEqual(205_000);
    // By hand: 30 min at 0.4/s = 720 finished; 3 280 left need 8 200 s of allowed time:
    // 5 400 s until 08:00, then 2 800 s from 17:00 → 17:46:40 Brussels = 16:46:40 UTC.
    expect(at0630).toMatchObject({ state: 'running', finished: 720, total: 4_000, remaining: 3_280, throughputPerSecond: 0.4, windowsLeft: 2 });
    expect(at0630.eta).toEqual(new Date(Date.UTC(2026, 10, 24, 16, 46, 40)));
    expect(at0630.sources['rn']).toMatchObject({ succeeded: 720, inFlight: 4, cap: 4 });

    // At noon the run waits for its window: the throughput is the one measured before 08:00.
    await clock.advanceTo(Date.UTC(2026, 10, 24, 11, 0));
    const atNoon = tracker.snapshot();
    expect(atNoon).toMatchObject({ state: 'waiting', finished: 2_880, remaining: 1_120, throughputPerSecond: 0.4, windowsLeft: 1, nextWindowAt: Date.UTC(2026, 10, 24, 16, 0) });
    expect(atNoon.eta).toEqual(new Date(Date.UTC(2026, 10, 24, 16, 46, 40)));

    // 17:00, the window opens: nothing measured in the new stretch yet, the rate of the last one.
    await clock.advanceTo(Date.UTC(2026, 10, 24, 16, 0));
    const at1700 = tracker.snapshot();
    expect(at1700).toMatchObject({ state: 'running', finished: 2_880, throughputPerSecond: 0.4, windowsLeft: 1 });
    expect(at1700.eta).toEqual(new Date(Date.UTC(2026, 10, 24, 16, 46, 40)));

    await clock.runUntil(() => run.state === 'completed');
    const summary = await done;
    expect(summary.endedAt).toBe(Date.UTC(2026, 10, 24, 16, 46, 40));
    const end = tracker.snapshot();
    expect(end).toMatchObject({ state: 'completed', finished: 4_000, remaining: 0, windowsLeft: 0 });
    expect(end.eta).toEqual(new Date(summary.endedAt));
    tracker.stop();
  });

  it('has no ETA without a total until the input is read to its end, nor before a throughput', async () => {
    const { clock, run } = nightRun();
    const tracker = trackProgress(run);
    expect(tracker.snapshot()).toMatchObject({ state: 'idle', eta: undefined, throughputPerSecond: undefined });
    const done = run.start();
    expect(tracker.snapshot()).toMatchObject({ state: 'running', finished: 0, throughputPerSecond: undefined, eta: undefined });
    await clock.advance(5_000); // no call has finished yet: a rate of 0, no ETA
    expect(tracker.snapshot()).toMatchObject({ state: 'running', finished: 0, throughputPerSecond: 0, eta: undefined });
    await clock.advance(55_000); // 06:01:00: 6 rounds of 4 calls in 60 s
    const snapshot = tracker.snapshot();
    expect(snapshot.throughputPerSecond).toBe(0.4);
    // The engine reads ahead of the calls only so far: the total is not known yet.
    expect(snapshot.status.inputExhausted).toBe(false);
    expect(snapshot).toMatchObject({ total: undefined, remaining: undefined, eta: undefined });
    await run.stop({ inFlight: 'abort' }).catch(() => undefined);
    await clock.runUntil(() => run.state === 'stopped');
    await done.catch(() => undefined);
    tracker.stop();
  });

  it('takes the run\'s calendar options: none with enforce: false, a ConfigError naming the field when they are wrong', () => {
    const { run } = nightRun();
    const friday20 = Date.UTC(2026, 10, 27, 19, 0);
    expect(resolveProgressCalendar({ enforce: false, override: { reason: 'a test run, not a mass call' } })).toBeUndefined();
    expect(resolveProgressCalendar(null)).toBeUndefined();
    expect(resolveProgressCalendar(undefined)?.closedAt(Date.UTC(2026, 10, 23, 9, 0))?.reason).toBe('office-hours'); // the BCSS calendar: Monday 10:00 is closed
    expect(resolveProgressCalendar({ holidaysAreFree: true })?.closedAt(friday20)).toBeUndefined();
    expect(() => trackProgress(run, { calendar: { officeHours: { days: ['mon'], from: '8:00', to: '17:00' } } })).toThrow(ConfigError);
    expect(() => trackProgress(run, { calendar: { officeHours: { days: ['mon'], from: '8:00', to: '17:00' } } })).toThrow(/calendar\.officeHours\.from/);
  });

  it('stop() detaches its listeners', () => {
    const listeners = new Set<string>();
    const fake: StatusSource = {
      status: () => ({ state: 'idle' }) as RunStatus,
      on<K extends keyof RunEvents>(event: K) {
        listeners.add(event);
        return () => listeners.delete(event);
      },
    };
    const tracker = trackProgress(fake);
    expect([...listeners].sort()).toEqual(['progress', 'state']);
    tracker.stop();
    expect(listeners.size).toBe(0);
  });
});


