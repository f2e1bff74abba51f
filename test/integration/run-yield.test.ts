/**
 * The run gives the event loop a turn regularly, so timers, heartbeats and `stop()` run even
 * when the calls resolve without any I/O and the input never ends. The endless runs go in a
 * child process (test/support/busy-run-child.ts): a run that never yields would block this
 * process, the test's own timeout included; the child is killed after 30 s instead.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRun, startHeartbeat } from 'bcss-bulk';
import { FakeClock, runWithFakeTimers } from 'bcss-bulk/testing';
import { vi } from 'vitest';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

const NO_CALENDAR = { enforce: false, override: { reason: 'unit test of the event loop, no service called' } } as const;

interface ChildReport {
  readonly state: string;
  readonly finished: number;
  readonly read: number;
  readonly ticks: number;
  readonly beats: number;
}

/** Runs the busy child; fails when it was killed after 30 s (the run never let the stop timer run) or exited otherwise than 0. */
async function busyChild(mode: 'async' | 'sync' | 'precheck', timers: 'real' | 'fake-timers' = 'real'): Promise<ChildReport> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.resolve('test/support/busy-run-child.ts'), mode, timers], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildReport;
}

function* numbers(count: number): Generator<number> {
  for (let i = 0; i < count; i++) yield i;
}

describe.concurrent('an endless input whose calls resolve without I/O is stopped by a timer', () => {
  it.each(['async', 'sync'] as const)('calls returning %s values: a real 100 ms timer stops the run; interval ticks and heartbeats happen meanwhile', async (mode) => {
    const report = await busyChild(mode);
    expect(report.state).toBe('stopped');
    expect(report.finished).toBeGreaterThan(0);
    expect(report.ticks).toBeGreaterThan(0);
    expect(report.beats).toBeGreaterThan(1); // the first beat, then beats on the interval during the run
  });

  it('every item refused by the precheck (no call at all): the timer still stops the run', async () => {
    const report = await busyChild('precheck');
    expect(report.state).toBe('stopped');
    expect(report.finished).toBeGreaterThan(0);
    expect(report.ticks).toBeGreaterThan(0);
  });

  it('under fake timers faking setImmediate (as vi.useFakeTimers() does): real timers still run, the run stops', async () => {
    const report = await busyChild('async', 'fake-timers');
    expect(report.state).toBe('stopped');
    expect(report.ticks).toBeGreaterThan(0);
  });
});

describe('a finite run without I/O', () => {
  it('a real 10 ms interval ticks while 200,000 items run, and a heartbeat beats on its interval', async () => {
    const run = createRun<number, number>({
      input: numbers(200_000),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: async (item) => item,
      calendar: NO_CALENDAR,
      announcement: TEST_ANNOUNCEMENT,
    });
    let beats = 0;
    const heartbeat = startHeartbeat(run, { target: () => void beats++, intervalMs: 10 });
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    const started = performance.now();
    const summary = await run.start();
    const wallMs = performance.now() - started;
    clearInterval(interval);
    heartbeat.stop();
    expect(summary.totals.succeeded).toBe(200_000);
    expect(ticks).toBeGreaterThan(0);
    // Every tick that was due ran, give or take the ones a loaded machine delays (not 0 of them).
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(wallMs / 10 / 4));
    expect(beats).toBeGreaterThan(2); // the first, at least one on the interval, and the final one
  });

  it('under vi.useFakeTimers() with its defaults (setImmediate faked): real timers run during the run, which completes without advancing fake time', async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 5); // real: set before the fake timers
    vi.useFakeTimers({ now: Date.parse('2026-11-24T21:00:00Z') });
    try {
      const run = createRun<number, number>({
        input: numbers(200_000),
        source: 'rn',
        sources: { rn: { kind: 'rn' } },
        call: (item) => item,
        calendar: NO_CALENDAR,
        announcement: TEST_ANNOUNCEMENT,
      });
      const summary = await runWithFakeTimers(vi, run.start());
      expect(summary.totals.succeeded).toBe(200_000);
      expect(summary.endedAt).toBe(Date.parse('2026-11-24T21:00:00Z')); // no fake time went by
      expect(ticks).toBeGreaterThan(0);
    } finally {
      vi.useRealTimers();
      clearInterval(interval);
    }
  });

  // A guard of the yields themselves (it passes without them too): a FakeClock that does not wait for I/O still waits for a run's turn.
  it('on a FakeClock without the wait for I/O, the yields do not let virtual time move: same timeline as calls in order', async () => {
    const clock = new FakeClock(Date.parse('2026-11-24T21:00:00Z'), { waitForIo: false });
    const startedAt: number[] = [];
    const run = createRun<number, number>({
      input: numbers(40_000),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: (item) => {
        startedAt.push(clock.now());
        return new Promise((resolve) => clock.setTimeout(() => resolve(item), 10));
      },
      clock,
      calendar: NO_CALENDAR,
      announcement: TEST_ANNOUNCEMENT,
    });
    const summary = await clock.runUntilSettled(run.start());
    expect(summary.totals.succeeded).toBe(40_000);
    // Cap 4, 10 ms per call: item i starts at floor(i / 4) · 10 ms, whatever the turns the run took.
    const late = startedAt.findIndex((at, i) => at !== Date.parse('2026-11-24T21:00:00Z') + Math.floor(i / 4) * 10);
    expect(late).toBe(-1);
  });
});
