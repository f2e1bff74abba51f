/**
 * A nightly job tested the way its developers write the test: the job's own module (a CSV on
 * disk, a FileStore in a temp directory, onSuccess writing a file, a progress display writing
 * to a log file, the default calendar, the announcement) run through a whole night with the
 * FakeClock and real I/O, in about a second: `await clock.runUntilSettled(job)`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StateChange } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { runNightlyJob } from '../support/nightly-job.js';
import { checkNight, fakeService, prepareNight, TUESDAY_16H } from '../support/night-scenario.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('a nightly job on the FakeClock, with real files', () => {
  it('waits from 16:00, runs from 17:00, drains at 08:00 and resumes at 17:00, each call exactly 5 s of fake time', async () => {
    const night = await prepareNight();
    cleanup = night.cleanup;
    const clock = new FakeClock(new Date(TUESDAY_16H));
    const { call, seen, service } = fakeService(clock);
    const states: StateChange[] = [];
    const real = performance.now();

    const summary = await clock.runUntilSettled(runNightlyJob({ ...night, call, clock, onState: (s) => states.push(s) }));

    const realMs = performance.now() - real;
    expect(summary.state).toBe('completed');
    expect(summary.totals).toMatchObject({ read: 42, succeeded: 39, rejected: 3, exhausted: 0 });
    await checkNight(night, states, seen, service);
    expect(clock.now()).toBe(Date.UTC(2026, 10, 25, 16, 0, 5)); // Wednesday 17:00:05: the job's last call
    console.log(`a night of 25 h of fake time in ${Math.round(realMs)} ms of real time`);
    expect(realMs).toBeLessThan(10_000);
  });
});
