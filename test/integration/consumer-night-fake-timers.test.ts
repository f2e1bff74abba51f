/**
 * The nightly job of consumer-night.test.ts, tested the way most vitest users try first:
 * `vi.useFakeTimers()` with vitest's defaults (setTimeout, setInterval, setImmediate, Date,
 * performance... all faked), the run on its default clock, driven by
 * `await runWithFakeTimers(vi, job)` with real files.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock, type StateChange } from '../../src/index.js';
import { runWithFakeTimers } from '../../src/testing.js';
import { runNightlyJob } from '../support/nightly-job.js';
import { checkNight, fakeService, prepareNight, TUESDAY_16H } from '../support/night-scenario.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await cleanup?.();
  cleanup = undefined;
});

describe('a nightly job under vi.useFakeTimers() with the defaults, with real files', () => {
  it('waits from 16:00, runs from 17:00, drains at 08:00 and resumes at 17:00, each call exactly 5 s of fake time', async () => {
    const night = await prepareNight();
    cleanup = night.cleanup;
    const real = performance.now();
    vi.useFakeTimers();
    vi.setSystemTime(TUESDAY_16H);
    expect(typeof (setImmediate as unknown as { clock?: unknown }).clock).toBe('object'); // the defaults fake setImmediate too
    const { call, seen, service } = fakeService(systemClock);
    const states: StateChange[] = [];

    const summary = await runWithFakeTimers(vi, runNightlyJob({ ...night, call, onState: (s) => states.push(s) }));

    expect(summary.state).toBe('completed');
    expect(summary.totals).toMatchObject({ read: 42, succeeded: 39, rejected: 3, exhausted: 0 });
    expect(Date.now()).toBe(Date.UTC(2026, 10, 25, 16, 0, 5));
    vi.useRealTimers();
    const realMs = performance.now() - real;
    await checkNight(night, states, seen, service);
    console.log(`a night of 25 h of fake time in ${Math.round(realMs)} ms of real time, under vi.useFakeTimers()`);
    expect(realMs).toBeLessThan(10_000);
  });
});
