/**
 * The stall watchdog: calls out and nothing ending for `stall.afterMs` raises one `stalled`
 * event per stall (at the exact instant, under the fake clock); `abort: true` aborts the stuck
 * calls and their items are retried; steady slow progress, waiting for the window and
 * `stall: false` raise nothing.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, createRun, type CallContext, type StallEvent } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { TEST_ANNOUNCEMENT, driveToEnd, numberedRun } from '../helpers.js';

const MINUTE = 60_000;

/** A call that never settles and ignores its signal (a hung socket without timeout handling). */
const hang = () => new Promise<number>(() => undefined);

/** A call that waits until its signal aborts, then rejects with the signal's reason. */
function untilAborted(context: CallContext): Promise<number> {
  return new Promise<number>((_resolve, reject) => {
    context.signal.addEventListener('abort', () => reject(context.signal.reason as Error), { once: true });
  });
}

describe('stall watchdog', () => {
  it('raises `stalled` once, exactly afterMs after the last activity, with the calls out per source', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const run = createRun<number, number>({
      input: [1, 2, 3, 4, 5, 6],
      source: 'rn',
      // Timed out at 30 s, the hung requests keep their slots up to their hard deadline (1 h): no progress.
      sources: { rn: { kind: 'rn', hardDeadlineMs: 3_600_000 } },
      call: (item) => (item === 1 || item === 2 ? Promise.resolve(item) : hang()),
      clock,
      stall: { afterMs: 5 * MINUTE },
      announcement: TEST_ANNOUNCEMENT,
    });
    const stalls: StallEvent[] = [];
    run.on('stalled', (event) => stalls.push(event));
    void run.start();
    await clock.advance(0);
    expect(run.status().totals.succeeded).toBe(2); // items 1 and 2 finished at t0; 3..6 hang

    await clock.advance(5 * MINUTE - 1);
    expect(stalls).toEqual([]);
    await clock.advance(1);
    expect(stalls).toEqual([{ at: t0 + 5 * MINUTE, idleMs: 5 * MINUTE, inFlight: { rn: 4 }, aborted: 0 }]);

    await clock.advance(60 * MINUTE); // still stuck: raised once per stall, not every period
    expect(stalls).toHaveLength(1);
    expect(run.state).toBe('running');
  });

  it('with abort: true, aborts the stuck calls and retries their items (code CALL_STALLED), and the run completes', async () => {
    const clock = new FakeClock();
    const attemptsSeen: number[] = [];
    const run = createRun<number, number>({
      input: [1, 2, 3],
      source: 'rn',
      sources: { rn: { kind: 'rn', timeoutMs: 3_600_000 } }, // a timeout far above the watchdog's period
      call: (item, context) => {
        attemptsSeen.push(context.attempt);
        return context.attempt === 1 ? untilAborted(context) : Promise.resolve(item * 10);
      },
      clock,
      random: () => 0.5,
      stall: { afterMs: 2 * MINUTE, abort: true },
      announcement: TEST_ANNOUNCEMENT,
    });
    const stalls: StallEvent[] = [];
    const retries: string[] = [];
    run.on('stalled', (event) => stalls.push(event));
    run.on('retry', (event) => retries.push(`${event.key}:${event.code}`));
    const done = run.start();
    await driveToEnd(clock, run);
    const summary = await done;

    expect(stalls).toEqual([{ at: expect.any(Number), idleMs: 2 * MINUTE, inFlight: { rn: 3 }, aborted: 3 }]);
    expect(retries.sort()).toEqual(['#0:CALL_STALLED', '#1:CALL_STALLED', '#2:CALL_STALLED']);
    expect(summary.state).toBe('completed');
    expect(summary.totals).toMatchObject({ succeeded: 3, rejected: 0, exhausted: 0, attempts: 6, retries: 3 });
    expect(attemptsSeen.sort()).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('counts a stall-aborted attempt: an item stuck every time is exhausted, not retried forever', async () => {
    const { clock, run } = numberedRun(1, {
      call: (_item, context) => untilAborted(context),
      sources: { rn: { kind: 'rn', timeoutMs: 3_600_000 } },
      stall: { afterMs: MINUTE, abort: true },
      retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_000 },
    });
    const done = run.start();
    await driveToEnd(clock, run);
    const summary = await done;
    expect(summary.totals).toMatchObject({ exhausted: 1, attempts: 3 });
  });

  it('raises a new alarm for a new stall after activity', async () => {
    const clock = new FakeClock();
    const stuck = new Set([2, 3]);
    const run = createRun<number, number>({
      input: [1, 2, 3],
      source: 'other',
      sources: { other: { kind: 'authentic', timeoutMs: 3_600_000 } }, // cap 2: items 1 and 2, then 3
      call: (item, context) => {
        if (item === 2 && context.attempt === 1) return new Promise<number>((resolve) => clock.setTimeout(() => resolve(2), 10 * MINUTE));
        return stuck.has(item) ? untilAborted(context) : Promise.resolve(item);
      },
      clock,
      stall: { afterMs: 3 * MINUTE },
      announcement: TEST_ANNOUNCEMENT,
    });
    const stalls: number[] = [];
    run.on('stalled', (event) => stalls.push(event.at - t0));
    const t0 = clock.now();
    void run.start();
    await clock.advance(30 * MINUTE);
    // Item 1 finished at 0 and item 3 went out; items 2 and 3 hang: alarm at 3 min. Item 2 ends
    // at 10 min (activity); item 3 still hangs: a second alarm at 13 min.
    expect(stalls).toEqual([3 * MINUTE, 13 * MINUTE]);
  });

  it('stays quiet while calls are slow but steady', async () => {
    const { clock, run } = numberedRun(40, { latencyMs: 4 * MINUTE, timeoutMs: 10 * MINUTE, stall: { afterMs: 5 * MINUTE } });
    const stalls: StallEvent[] = [];
    run.on('stalled', (event) => stalls.push(event));
    const done = run.start();
    await driveToEnd(clock, run);
    expect((await done).totals.succeeded).toBe(40);
    expect(stalls).toEqual([]);
  });

  it('stays quiet while the run waits for its window with nothing out', async () => {
    const clock = new FakeClock(new Date('2026-01-06T09:00:00Z')); // Tuesday 10:00 in Brussels: office hours
    const { run } = numberedRun(3, { clock, waitForWindow: true, stall: { afterMs: MINUTE } });
    const stalls: StallEvent[] = [];
    run.on('stalled', (event) => stalls.push(event));
    const done = run.start();
    await driveToEnd(clock, run);
    expect((await done).state).toBe('completed');
    expect(stalls).toEqual([]);
    expect(clock.now()).toBeGreaterThanOrEqual(Date.parse('2026-01-06T16:00:00Z')); // it waited for 17:00
  });

  it('is off with stall: false', async () => {
    const { clock, run } = numberedRun(2, { call: hang, stall: false });
    const stalls: StallEvent[] = [];
    run.on('stalled', (event) => stalls.push(event));
    void run.start();
    await clock.advance(24 * 60 * MINUTE);
    expect(stalls).toEqual([]);
  });

  it('is on by default, after 10 minutes with the default 30 s timeout', async () => {
    // Timed out at 30 s, the hung request keeps its slot up to its hard deadline (1 h): no progress.
    const { clock, run } = numberedRun(1, { call: hang, sources: { rn: { kind: 'rn', hardDeadlineMs: 3_600_000 } } });
    const stalls: StallEvent[] = [];
    run.on('stalled', (event) => stalls.push(event));
    void run.start();
    await clock.advance(10 * MINUTE);
    expect(stalls.map((event) => event.idleMs)).toEqual([10 * MINUTE]);
  });

  it('by default waits twice the longest call timeout: a slow call is not a stall', async () => {
    const { clock, run } = numberedRun(1, { call: hang, sources: { rn: { kind: 'rn', timeoutMs: 2 * 3_600_000 } }, timeoutMs: 60_000 });
    const stalls: StallEvent[] = [];
    run.on('stalled', (event) => stalls.push(event));
    void run.start();
    await clock.advance(4 * 3_600_000 - 1);
    expect(stalls).toEqual([]);
    await clock.advance(1);
    expect(stalls.map((event) => event.idleMs)).toEqual([4 * 3_600_000]);
  });

  it('refuses a malformed setting with its path', () => {
    let error: unknown;
    try {
      numberedRun(1, { stall: { afterMs: 0 } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.path.join('.'))).toContain('stall.afterMs');
  });
});
