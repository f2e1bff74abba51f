import { describe, expect, it } from 'vitest';
import { isRejectBudgetExceeded } from '../../src/policy/budget.js';
import { RateMeter } from '../../src/util/rate.js';

describe('isRejectBudgetExceeded', () => {
  const budget = { maxRatio: 0.1, minSample: 10 };

  it('never trips below minSample, even with only rejects', () => {
    expect(isRejectBudgetExceeded({ finished: 9, rejected: 9 }, budget)).toBe(false);
    expect(isRejectBudgetExceeded({ finished: 1, rejected: 1 }, budget)).toBe(false);
  });

  it('judges the budget from minSample on', () => {
    expect(isRejectBudgetExceeded({ finished: 10, rejected: 10 }, budget)).toBe(true);
    expect(isRejectBudgetExceeded({ finished: 10, rejected: 2 }, budget)).toBe(true);
  });

  it('trips only when the share is strictly greater than maxRatio', () => {
    expect(isRejectBudgetExceeded({ finished: 10, rejected: 1 }, budget)).toBe(false);
    expect(isRejectBudgetExceeded({ finished: 30, rejected: 3 }, budget)).toBe(false);
    expect(isRejectBudgetExceeded({ finished: 100, rejected: 10 }, budget)).toBe(false);
    expect(isRejectBudgetExceeded({ finished: 100, rejected: 11 }, budget)).toBe(true);
    expect(isRejectBudgetExceeded({ finished: 10, rejected: 3 }, { maxRatio: 0.3, minSample: 1 })).toBe(false);
    expect(isRejectBudgetExceeded({ finished: 10, rejected: 4 }, { maxRatio: 0.3, minSample: 1 })).toBe(true);
  });

  it('does not trip with no rejects', () => {
    expect(isRejectBudgetExceeded({ finished: 1000, rejected: 0 }, budget)).toBe(false);
  });

  it('does not trip before anything finished, even with minSample 0', () => {
    expect(isRejectBudgetExceeded({ finished: 0, rejected: 0 }, { maxRatio: 0, minSample: 0 })).toBe(false);
  });

  it('trips on a single reject with maxRatio 0', () => {
    expect(isRejectBudgetExceeded({ finished: 50, rejected: 1 }, { maxRatio: 0, minSample: 50 })).toBe(true);
    expect(isRejectBudgetExceeded({ finished: 50, rejected: 0 }, { maxRatio: 0, minSample: 50 })).toBe(false);
  });

  it('never trips with maxRatio 1', () => {
    expect(isRejectBudgetExceeded({ finished: 20, rejected: 20 }, { maxRatio: 1, minSample: 5 })).toBe(false);
  });
});

describe('RateMeter', () => {
  const t0 = 1_767_643_200_000; // a whole second

  it('is 0 before anything is counted', () => {
    const meter = new RateMeter(t0);
    expect(meter.perSecond(t0)).toBe(0);
    expect(meter.perSecond(t0 + 30_000)).toBe(0);
  });

  it('gives completions per second over the full window, mid-second and on a second boundary', () => {
    const meter = new RateMeter(t0);
    // 10 per second for two minutes, at 50, 150, 250, ... ms
    let at = t0 + 50;
    for (; at <= t0 + 119_500; at += 100) meter.add(at);
    // window at 119.5 s: seconds 60..118 (590) plus half of second 119 (5) over 59.5 s
    expect(meter.perSecond(t0 + 119_500)).toBe(10);
    for (; at < t0 + 120_000; at += 100) meter.add(at);
    // window at 120 s: seconds 61..119 (590) over 59 s
    expect(meter.perSecond(t0 + 120_000)).toBe(10);
  });

  it('counts n completions at once', () => {
    const meter = new RateMeter(t0);
    meter.add(t0 + 100, 30);
    meter.add(t0 + 61_000, 12);
    // window at 62 s: seconds 3..61 → the 12 only, over 59 s
    expect(meter.perSecond(t0 + 62_000)).toBeCloseTo(12 / 59, 12);
  });

  it('divides by the elapsed time early in a run, not by the full window', () => {
    const meter = new RateMeter(t0);
    meter.add(t0 + 500, 3);
    meter.add(t0 + 1_500, 3);
    // 6 completions in the first 2 s: 3 per second, not 6 / 60
    expect(meter.perSecond(t0 + 2_000)).toBe(3);
    // 6 completions in the first 4 s
    expect(meter.perSecond(t0 + 4_000)).toBe(1.5);
    // 6 completions in the first 30 s
    expect(meter.perSecond(t0 + 30_000)).toBe(0.2);
  });

  it('divides by the elapsed time within the first second too', () => {
    const meter = new RateMeter(t0);
    meter.add(t0 + 100, 4);
    // 4 completions in 0.5 s
    expect(meter.perSecond(t0 + 500)).toBe(8);
  });

  it('measures elapsed time from the instant the meter was created', () => {
    const meter = new RateMeter(t0 + 10_000);
    meter.add(t0 + 10_500, 5);
    expect(meter.perSecond(t0 + 15_000)).toBe(1);
  });

  it('forgets completions older than the window', () => {
    const meter = new RateMeter(t0);
    meter.add(t0, 50);
    // second 0 is still in the window ending at 59 s
    expect(meter.perSecond(t0 + 59_000)).toBeCloseTo(50 / 59, 12);
    // and out of the window ending at 60 s
    expect(meter.perSecond(t0 + 60_000)).toBe(0);
    expect(meter.perSecond(t0 + 90_000)).toBe(0);
  });

  it('does not add a new second to the stale count of the second it replaces in the ring', () => {
    const meter = new RateMeter(t0);
    meter.add(t0, 50);
    meter.add(t0 + 60_000, 1); // same ring slot as second 0
    // window at 60.5 s: seconds 1..59 and half of second 60, 59.5 s
    expect(meter.perSecond(t0 + 60_500)).toBeCloseTo(1 / 59.5, 12);
  });

  it('ignores stale buckets left from long ago', () => {
    const meter = new RateMeter(t0);
    meter.add(t0 + 5_000, 50);
    meter.add(t0 + 90_000, 6);
    // window at 90.5 s covers 31 s .. 90.5 s: only the 6
    expect(meter.perSecond(t0 + 90_500)).toBeCloseTo(6 / 59.5, 12);
  });

  it('honours a custom window', () => {
    const meter = new RateMeter(t0, 10_000);
    meter.add(t0, 10);
    expect(meter.perSecond(t0 + 5_000)).toBe(2);
    expect(meter.perSecond(t0 + 9_000)).toBe(10 / 9);
    expect(meter.perSecond(t0 + 10_000)).toBe(0);
    meter.add(t0 + 12_000, 20);
    meter.add(t0 + 19_999, 30);
    // window at 20.5 s covers 11 s .. 20.5 s → 50 over 9.5 s
    expect(meter.perSecond(t0 + 20_500)).toBeCloseTo(50 / 9.5, 12);
  });
});
