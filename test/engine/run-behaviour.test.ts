/**
 * Behaviour of a run that a user relies on and that the other run tests leave open: control
 * calls at their edges, counters and event payloads, the reject budget's baseline, overload
 * protection inside a run, timers left behind, and the documented configuration defaults.
 * Everything runs on the fake clock.
 */
import { describe, expect, it } from 'vitest';
import { CallHardDeadlineError } from '../../src/engine/errors.js';
import {
  ConfigError,
  createRun,
  HttpStatusError,
  MemoryStore,
  RunStateError,
  type OutcomeRecord,
  type RetryEvent,
  type RunOptions,
  type SourcePausedEvent,
} from '../../src/index.js';
import { FakeClock, RecordingService } from '../../src/testing.js';
import { driveToEnd, numberedRun, TEST_ANNOUNCEMENT } from '../helpers.js';

function unavailable(retryAfter?: string): never {
  throw new HttpStatusError(503, retryAfter === undefined ? {} : { retryAfter });
}

function notFound(): never {
  throw new HttpStatusError(404);
}

/** A run over numbered items on one `rn` source limited to one call at a time, so outcomes come in input order. */
function serialRun(count: number, overrides: Parameters<typeof numberedRun>[1] = {}) {
  return numberedRun(count, { sources: { rn: { kind: 'rn', cap: 1 } }, ...overrides });
}

describe('control calls at their edges', () => {
  it('refuses a second start() while the store is still opening, and opens the store once', async () => {
    const clock = new FakeClock();
    let opened = 0;
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: [1, 2, 3],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: async (n) => n,
      clock,
      store: {
        open: async () => {
          opened++;
          await clock.sleep(1_000);
        },
        record: () => undefined,
      },
    });
    const done = run.start();
    expect(run.state).toBe('idle');
    await expect(run.start()).rejects.toBeInstanceOf(RunStateError);
    await driveToEnd(clock, run);
    expect(opened).toBe(1);
    expect((await done).totals.succeeded).toBe(3);
  });

  it('resumes at once when resume() comes exactly minPauseMs after the pause', async () => {
    const { clock, run } = numberedRun(40, { minPauseMs: 1_000 });
    const scheduled: number[] = [];
    run.on('resume-scheduled', (e) => scheduled.push(e.at));
    const done = run.start();
    await clock.advance(50);
    run.pause();
    await clock.advance(1_000);
    const resumedAt = run.resume();
    expect(resumedAt.getTime()).toBe(clock.now());
    expect(run.state).toBe('running');
    expect(scheduled).toEqual([]);
    await driveToEnd(clock, run);
    await done;
  });

  it('schedules one resumption however often resume() is called early, and pause() cancels it', async () => {
    const { clock, run } = numberedRun(40, { minPauseMs: 60_000 });
    const scheduled: number[] = [];
    run.on('resume-scheduled', (e) => scheduled.push(e.at));
    const done = run.start();
    await clock.advance(50);
    const pausedAt = clock.now();
    run.pause();
    await clock.advance(1_000);
    const first = run.resume();
    await clock.advance(1_000);
    const second = run.resume();
    expect(first.getTime()).toBe(pausedAt + 60_000);
    expect(second.getTime()).toBe(pausedAt + 60_000);
    expect(scheduled).toEqual([pausedAt + 60_000]);

    run.pause();
    await clock.advance(120_000);
    expect(run.state).toBe('paused');
    expect(run.status().resumesAt).toBeUndefined();
    run.resume();
    expect(run.state).toBe('running');
    await driveToEnd(clock, run);
    expect((await done).totals.succeeded).toBe(40);
  });

  // Regression: resume() that found the minimum pause over resumed at once without cancelling a
  // resumption an earlier resume() had scheduled; a pause() before that timer fired was undone by
  // it (no pause at all, against "resume() never resumes before minPauseMs after the pause"), and
  // status().resumesAt went stale. Here the direct resume() comes from a timer due at the same
  // instant; on the system clock it is any resume() that runs before a late timer.
  it('cancels a scheduled resumption when resume() comes at or after its instant', async () => {
    const { clock, run } = numberedRun(200, { minPauseMs: 1_000 });
    const done = run.start();
    done.catch(() => undefined);
    await clock.advance(50);
    run.pause();
    const afterDirectResume: Array<[string, number | undefined]> = [];
    clock.setTimeout(() => {
      run.resume(); // at the scheduled instant, before the run's own timer
      afterDirectResume.push([run.state, run.status().resumesAt]);
      run.pause();
    }, 1_000);
    expect(run.resume().getTime()).toBe(clock.now() + 1_000);
    await clock.advance(1_000);
    expect(run.state).toBe('paused'); // paused again, for at least minPauseMs
    expect(afterDirectResume).toEqual([['running', undefined]]);
    await run.stop({ inFlight: 'abort' });
  });

  it('clears the pause reason once the run resumes', async () => {
    const { clock, run } = numberedRun(20, { minPauseMs: 0 });
    const done = run.start();
    await clock.advance(50);
    run.pause();
    expect(run.status().pauseReason).toBe('manual');
    run.resume();
    expect(run.status().pauseReason).toBeUndefined();
    await driveToEnd(clock, run);
    expect((await done).pauseReason).toBeUndefined();
  });

  it("stop({ inFlight: 'abort' }) after a waiting stop() gives up on the calls still in flight (their requests end at the server)", async () => {
    const { clock, run, service } = numberedRun(20, { latencyMs: 10_000 });
    const done = run.start();
    await clock.advance(100);
    const waiting = run.stop();
    expect(run.state).toBe('draining');
    expect(service.inFlight()).toBe(4);
    const aborting = run.stop({ inFlight: 'abort' });
    await clock.advance(0);
    expect(run.state).toBe('stopped');
    expect(service.inFlight()).toBe(4); // not torn down: the server is still executing them
    await clock.advance(10_000);
    expect(service.inFlight()).toBe(0);
    const summary = await aborting;
    expect(await waiting).toEqual(summary);
    expect(await done).toEqual(summary);
    expect(summary.totals).toMatchObject({ succeeded: 0, inFlight: 0 });
  });

  it('stop() on a paused run cancels its scheduled resumption', async () => {
    const { clock, run } = numberedRun(20, { latencyMs: 1_000, minPauseMs: 60_000 });
    const states: string[] = [];
    run.on('state', (change) => states.push(change.to));
    const done = run.start();
    await clock.advance(500);
    run.pause();
    const resumesAt = run.resume().getTime();
    expect(run.status().resumesAt).toBe(resumesAt);
    const stopping = run.stop();
    expect(run.state).toBe('draining'); // four calls still in flight
    expect(run.status().resumesAt).toBeUndefined();
    await driveToEnd(clock, run);
    const summary = await stopping;
    expect(summary.state).toBe('stopped');
    expect(states).toEqual(['running', 'paused', 'draining', 'stopped']);
    await done;
  });

  it('reads nothing more once stop() is called, even when dropped retries free room in the prefetch', async () => {
    const { clock, run, service } = numberedRun(1_000, {
      prefetch: 8,
      latencyMs: 10,
      rejectBudget: false,
      overload: false,
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
      respond: () => unavailable(),
    });
    const done = run.start();
    await clock.advance(1_000);
    const before = run.status().totals;
    expect(before.retrying).toBeGreaterThan(0);
    const summary = await run.stop();
    expect(summary.totals.read).toBe(before.read);
    expect(summary.unfinished).toBe(before.read);
    expect(service.calls()).toBe(before.attempts);
    await done;
  });

  it('neither retries nor schedules anything for calls that fail transiently while the run stops', async () => {
    const retries: RetryEvent[] = [];
    const { clock, run, service } = numberedRun(20, { respond: (item) => (item < 4 ? item : unavailable()) });
    run.on('retry', (e) => retries.push(e));
    const done = run.start();
    await clock.advance(150); // items 4-7 in flight, about to fail with a 503
    const stopping = run.stop();
    await driveToEnd(clock, run);
    const summary = await stopping;
    expect(retries).toEqual([]);
    expect(summary.totals).toMatchObject({ succeeded: 4, retrying: 0, retries: 0, exhausted: 0 });
    expect(summary.unfinished).toBe(summary.totals.read - 4);
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(600_000);
    expect(service.calls()).toBe(8);
    await done;
  });
});

describe('counters, records and payloads', () => {
  it('completes only once every asynchronous onSuccess has finished', async () => {
    let handed = 0;
    const handedAtEnd: number[] = [];
    const ctx = numberedRun(6, {
      latencyMs: 100,
      onSuccess: async () => {
        await ctx.clock.sleep(1_000);
        handed++;
      },
    });
    const { clock, run } = ctx;
    run.on('state', (change) => change.to === 'completed' && handedAtEnd.push(handed));
    const t0 = clock.now();
    const done = run.start();
    await driveToEnd(clock, run);
    const summary = await done;
    expect(handedAtEnd).toEqual([6]);
    expect(summary.totals).toMatchObject({ succeeded: 6, finished: 6 });
    // An item keeps its slot until it is finished: items 0-3 finish at 1,100 ms, so items 4-5
    // are called then, end at 1,200 ms, and their onSuccess ends at 2,200 ms.
    expect(summary.endedAt - t0).toBe(2_200);
    expect(summary.sources['rn']!.peakInFlight).toBe(4);
  });

  it('counts attempts and retries per source and in the totals', async () => {
    const { clock, run } = numberedRun(3, {
      retry: { baseDelayMs: 100, maxDelayMs: 100 },
      respond: (item, attempt) => (item === 1 && attempt < 3 ? unavailable() : item),
    });
    const done = run.start();
    await clock.advance(120); // item 1 failed once at 100 ms and waits 50 ms for its retry
    expect(run.status().totals).toMatchObject({ attempts: 3, retries: 1, retrying: 1 });
    await driveToEnd(clock, run);
    const summary = await done;
    expect(summary.totals).toMatchObject({ succeeded: 3, attempts: 5, retries: 2, retrying: 0 });
    expect(summary.sources['rn']).toMatchObject({ attempts: 5, retries: 2, retrying: 0 });
  });

  it('keeps the first and last attempt instants in the record of an exhausted item', async () => {
    const store = new MemoryStore();
    const rejects: OutcomeRecord[] = [];
    const { clock, run } = numberedRun(1, {
      store,
      latencyMs: 100,
      retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_000 },
      respond: () => unavailable(),
    });
    run.on('reject', (r) => rejects.push(r));
    const t0 = clock.now();
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    // Attempts at 0, 600 and 1200 ms (100 ms of latency, then 500 ms of jitter with random 0.5).
    expect(store.rejects()).toEqual([
      {
        position: 0,
        key: '#0',
        source: 'rn',
        outcome: 'exhausted',
        code: 'HTTP_503',
        reason: 'HTTP 503 (after 3 attempts)',
        attempts: 3,
        firstAttemptAt: new Date(t0).toISOString(),
        lastAttemptAt: new Date(t0 + 1_200).toISOString(),
      },
    ]);
    expect(rejects).toEqual(store.rejects());
  });

  it('gives onSuccess the attempts the item took and the code of its success', async () => {
    const seen: Array<[number, number, string | undefined]> = [];
    const { clock, run } = numberedRun(3, {
      retry: { baseDelayMs: 100, maxDelayMs: 100 },
      respond: (item, attempt) => (item === 0 && attempt < 3 ? unavailable() : item === 2 ? -1 : item),
      classify: (result) => (result.ok && result.value === -1 ? { class: 'success', code: 'NO_DATA_FOUND' } : undefined),
      onSuccess: (item, _value, info) => {
        seen.push([item, info.attempts, info.code]);
      },
    });
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(seen.sort((a, b) => a[0] - b[0])).toEqual([
      [0, 3, undefined],
      [1, 1, undefined],
      [2, 1, 'NO_DATA_FOUND'],
    ]);
  });

  it('sends a retry to the front of its source queue, ahead of items not yet tried', async () => {
    const answered: number[] = [];
    const { clock, run } = serialRun(5, {
      respond: (item, attempt) => {
        answered.push(item); // one call at a time: answers come in the order the calls started
        return item === 0 && attempt === 1 ? unavailable('0') : item;
      },
    });
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(answered).toEqual([0, 1, 0, 2, 3, 4]);
  });

  it('announces the failure ratio that tripped the overload protection', async () => {
    const paused: SourcePausedEvent[] = [];
    const { clock, run } = serialRun(4, {
      retry: { maxAttempts: 1 },
      rejectBudget: false,
      overload: { windowSize: 4, minSamples: 4, failureRatio: 0.5, cooldownMs: 10_000 },
      respond: (item) => (item % 2 === 1 ? unavailable() : item),
    });
    run.on('source-paused', (e) => paused.push(e));
    const t0 = clock.now();
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(paused).toEqual([{ source: 'rn', failureRatio: 0.5, at: t0 + 400, until: t0 + 10_400 }]);
  });
});

describe('reject budget inside a run', () => {
  it('keeps counting the rejects from before a manual pause: only a budget pause starts a fresh count', async () => {
    // Items 0-9 and every tenth item after are rejected: the first ten fill the budget's sample early.
    const { clock, run } = numberedRun(200, {
      minPauseMs: 0,
      rejectBudget: { maxRatio: 0.3, minSample: 20 },
      respond: (item) => (item < 10 || item % 10 === 0 ? notFound() : item),
    });
    const done = run.start();
    await clock.advance(250); // 8 rejects finished, 4 calls in flight
    run.pause();
    run.resume();
    await clock.runUntil(() => run.state !== 'running');
    expect(run.state).toBe('paused');
    expect(run.status().pauseReason).toBe('reject-budget');
    // Judged on the whole run: item 20 is the 12th reject of 21 finished items.
    expect(run.status().totals).toMatchObject({ finished: 21, rejected: 12 });
    const stopping = run.stop();
    await driveToEnd(clock, run);
    await stopping;
    await done;
  });

  it('counts exhausted items as rejects', async () => {
    const messages: string[] = [];
    const { clock, run } = numberedRun(100, {
      retry: { maxAttempts: 1 },
      overload: false,
      rejectBudget: { maxRatio: 0.1, minSample: 10 },
      respond: (item) => (item % 4 === 0 ? unavailable() : item),
    });
    run.on('state', (change) => change.to === 'paused' && messages.push(change.message ?? ''));
    const done = run.start();
    await clock.runUntil(() => run.state !== 'running');
    expect(run.status().pauseReason).toBe('reject-budget');
    expect(run.status().totals).toMatchObject({ rejected: 0, exhausted: 4, finished: 13 });
    expect(messages).toEqual([expect.stringMatching(/^4 of 13 finished items were rejected \(30\.8% > 10\.0%\)/)]);
    const stopping = run.stop();
    await driveToEnd(clock, run);
    await stopping;
    await done;
  });

  it('does not judge the budget on calls that finish after a manual pause', async () => {
    const { clock, run } = numberedRun(20, {
      minPauseMs: 1_000,
      rejectBudget: { maxRatio: 0.1, minSample: 1 },
      respond: (item) => (item < 4 ? item : notFound()),
    });
    const done = run.start();
    await clock.advance(150); // items 0-3 succeeded, 4-7 in flight and about to be rejected
    run.pause();
    await clock.advance(1_000); // the rejects arrive while paused
    expect(run.status().totals.rejected).toBe(4);
    expect(run.status().pauseReason).toBe('manual');
    const resumedAt = run.resume();
    expect(resumedAt.getTime()).toBe(clock.now());
    expect(run.state).toBe('running');
    const stopping = run.stop({ inFlight: 'abort' });
    await driveToEnd(clock, run);
    await stopping;
    await done;
  });

  it('stops cleanly when the rejects of the calls it drains would exceed the budget', async () => {
    const { clock, run } = numberedRun(20, {
      rejectBudget: { maxRatio: 0.1, minSample: 1 },
      respond: (item) => (item < 4 ? item : notFound()),
    });
    const done = run.start();
    await clock.advance(150);
    const stopping = run.stop(); // items 4-7 are in flight and will be rejected
    await driveToEnd(clock, run);
    const summary = await stopping;
    expect(summary.state).toBe('stopped');
    expect(summary.totals).toMatchObject({ succeeded: 4, rejected: 4, inFlight: 0 });
    await done;
  });
});

describe('failures', () => {
  it('drops the retries of a run that fails: nothing is left waiting', async () => {
    const { clock, run, service } = numberedRun(8, {
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
      respond: (item) => {
        if (item < 4) unavailable();
        if (item === 4) throw new HttpStatusError(401);
        return item;
      },
    });
    const done = run.start();
    done.catch(() => undefined);
    await driveToEnd(clock, run);
    await expect(done).rejects.toMatchObject({ outcomeCode: 'HTTP_401' });
    expect(run.status().totals).toMatchObject({ retrying: 0, inFlight: 0 });
    await clock.advance(600_000);
    expect(clock.pendingTimers()).toBe(0); // the calls given up on ended at the server, nothing waits
    expect(service.calls()).toBe(8);
  });
});

describe('timeouts and timers', () => {
  it('leaves no timer behind a failed run once a call that never settles reached its hard deadline and grace time', async () => {
    const clock = new FakeClock();
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: [0, 1],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      clock,
      // Item 1 hangs and ignores its signal; item 0 is refused after 10 ms.
      call: async (item) => (item === 0 ? clock.sleep(10).then(() => Promise.reject(new HttpStatusError(401))) : new Promise<number>(() => undefined)),
    });
    const done = run.start();
    done.catch(() => undefined);
    await driveToEnd(clock, run);
    await expect(done).rejects.toMatchObject({ outcomeCode: 'HTTP_401' });
    // Item 1's request keeps its slot until its hard deadline (4 x 30 s), then the grace time (2 s);
    // a failed batch process stays alive that long at most (as long as the request may hold a slot at the server).
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(4 * 30_000 + 2_000);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('gives the attempt after a timeout a fresh signal', async () => {
    const clock = new FakeClock();
    const abortedAtStart: boolean[] = [];
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: [7],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      timeoutMs: 1_000,
      retry: { baseDelayMs: 100, maxDelayMs: 100 },
      random: () => 0,
      clock,
      call: (item, { signal, attempt }) =>
        new Promise<number>((resolve, reject) => {
          abortedAtStart.push(signal.aborted);
          signal.addEventListener('abort', () => reject(signal.reason));
          if (attempt > 1) clock.setTimeout(() => resolve(item), 100);
        }),
    });
    const done = run.start();
    await driveToEnd(clock, run);
    const summary = await done;
    expect(abortedAtStart).toEqual([false, false]);
    expect(summary.totals).toMatchObject({ succeeded: 1, attempts: 2 });
  });

  it("does not abort the signal at the call's timeout, only at its hard deadline (also for a signal read late)", async () => {
    const clock = new FakeClock();
    const seen: unknown[] = [];
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: [1],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      timeoutMs: 1_000,
      retry: { maxAttempts: 1 },
      clock,
      call: async (item, context) => {
        await clock.sleep(2_000); // deaf to the signal until now
        seen.push(context.signal.aborted);
        await clock.sleep(2_000);
        seen.push(context.signal.aborted, context.signal.reason);
        return item;
      },
    });
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    await clock.advance(4_000);
    expect(seen[0]).toBe(false); // timed out at 1 s, but the request is not torn down
    expect(seen[1]).toBe(true); // the hard deadline: 4 times the 1 s timeout
    expect(seen[2]).toBeInstanceOf(CallHardDeadlineError);
  });

  it("does not let an earlier attempt's timeout abort the next attempt, and leaves no timer behind", async () => {
    const clock = new FakeClock();
    const service = new RecordingService<number, number>({
      clock,
      latencyMs: (_item, { attempt }) => (attempt === 1 ? 10 : 9_995),
      respond: (item, { attempt }) => (attempt === 1 ? unavailable('0') : item),
    });
    const run = createRun<number, number>({ announcement: TEST_ANNOUNCEMENT, input: [1], source: 'rn', sources: { rn: { kind: 'rn' } }, timeoutMs: 10_000, call: service.call, clock });
    const retries: RetryEvent[] = [];
    run.on('retry', (e) => retries.push(e));
    const t0 = clock.now();
    const done = run.start();
    await driveToEnd(clock, run);
    const summary = await done;
    // Attempt 2 runs from 10 ms to 10,005 ms: within its own timeout, past the first attempt's.
    expect(retries.map((r) => r.code)).toEqual(['HTTP_503']);
    expect(summary.totals).toMatchObject({ succeeded: 1, attempts: 2 });
    expect(summary.endedAt - t0).toBe(10_005);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('clears the cooldown timer of a source when the run ends while the source is cooling', async () => {
    const paused: SourcePausedEvent[] = [];
    const { clock, run } = numberedRun(10, {
      retry: { maxAttempts: 1 },
      rejectBudget: false,
      overload: { windowSize: 10, minSamples: 10, failureRatio: 0.5, cooldownMs: 60_000 },
      respond: () => unavailable(),
    });
    run.on('source-paused', (e) => paused.push(e));
    const done = run.start();
    await driveToEnd(clock, run);
    const summary = await done;
    expect(paused).toHaveLength(1);
    expect(summary.state).toBe('completed');
    expect(summary.sources['rn']!.health).toBe('cooling');
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('overload protection inside a run', () => {
  it('does not count rejects as failures of the source', async () => {
    const paused: SourcePausedEvent[] = [];
    const { clock, run } = numberedRun(40, {
      rejectBudget: false,
      overload: { windowSize: 10, minSamples: 10, failureRatio: 0.5, cooldownMs: 60_000 },
      respond: () => notFound(),
    });
    run.on('source-paused', (e) => paused.push(e));
    const t0 = clock.now();
    const done = run.start();
    await driveToEnd(clock, run);
    const summary = await done;
    expect(paused).toEqual([]);
    expect(summary.totals.rejected).toBe(40);
    expect(summary.sources['rn']!.health).toBe('healthy');
    expect(summary.endedAt - t0).toBe(1_000);
  });

  it('wakes a cooling source by itself when its cooldown ends, with nothing else pending', async () => {
    const paused: SourcePausedEvent[] = [];
    const resumed: number[] = [];
    const { clock, run } = serialRun(10, {
      retry: { maxAttempts: 1 },
      rejectBudget: false,
      overload: { windowSize: 4, minSamples: 4, failureRatio: 0.5, cooldownMs: 10_000 },
      respond: (item) => (item < 4 ? unavailable() : item),
    });
    run.on('source-paused', (e) => paused.push(e));
    run.on('source-resumed', (e) => resumed.push(e.at));
    const t0 = clock.now();
    const done = run.start();
    await driveToEnd(clock, run);
    const summary = await done;
    expect(paused.map((e) => [e.at - t0, e.until - t0])).toEqual([[400, 10_400]]);
    // The probe (item 4) starts at the end of the cooldown and answers 100 ms later.
    expect(resumed.map((at) => at - t0)).toEqual([10_500]);
    expect(summary.totals).toMatchObject({ succeeded: 6, exhausted: 4 });
  });
});

describe('dispatch across sources', () => {
  function interleaved(sources: string, maxConcurrency: number) {
    const clock = new FakeClock();
    const started: string[] = [];
    const service = new RecordingService<string, string>({ clock, latencyMs: 100 });
    const run = createRun<string, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: Array.from({ length: 8 * sources.length }, (_, i) => `${sources[i % sources.length]!}${i}`),
      source: (item) => item[0]!,
      sources: Object.fromEntries([...sources].map((name) => [name, { kind: 'rn' as const }])),
      maxConcurrency,
      call: (item, context) => {
        started.push(item[0]!);
        return service.call(item, context);
      },
      clock,
    });
    return { clock, run, started };
  }

  it('fills every slot of a busy source while another configured source has nothing to do', async () => {
    const clock = new FakeClock();
    const service = new RecordingService<number, number>({ clock, latencyMs: 100 });
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: Array.from({ length: 40 }, (_, i) => i),
      source: 'rn',
      sources: { ssa: { kind: 'authentic' }, rn: { kind: 'rn' } },
      call: service.call,
      clock,
    });
    const t0 = clock.now();
    const done = run.start();
    await clock.advance(0);
    expect(service.inFlight('rn')).toBe(4);
    await driveToEnd(clock, run);
    const summary = await done;
    expect(summary.endedAt - t0).toBe(1_000);
  });

  it('gives every source a turn under a global cap of one call (three sources)', async () => {
    const { clock, run, started } = interleaved('abc', 1);
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    // Each round of three calls serves each source once.
    for (let i = 0; i + 3 <= 18; i += 3) expect(new Set(started.slice(i, i + 3)).size).toBe(3);
  });

  // Regression: with two sources (or four) and a global cap, dispatchAll() advanced its round-robin
  // pointer twice per productive pump, so it always started from the same source(s): source `a`
  // took every freed slot until its queue was empty. README: "Calls start as soon as a slot of
  // their source is free (round-robin across sources)".
  it('gives every source a turn under a global cap of one call (two sources)', async () => {
    const { clock, run, started } = interleaved('ab', 1);
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(started.slice(0, 8).join('')).toBe('abababab');
  });

  it('gives every source a turn under a global cap of one call (four sources)', async () => {
    const { clock, run, started } = interleaved('abcd', 1);
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(started.slice(0, 12).join('')).toBe('abcdabcdabcd');
  });
});

describe('documented configuration defaults', () => {
  it('retries 5 attempts in all, with full jitter from a 1 s base', async () => {
    const store = new MemoryStore();
    const delays: number[] = [];
    const { clock, run, service } = numberedRun(1, { latencyMs: 0, store, respond: () => unavailable() });
    run.on('retry', (e) => delays.push(e.delayMs));
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(service.callsFor(0)).toBe(5);
    expect(delays).toEqual([500, 1_000, 2_000, 4_000]); // random 0.5 of 1, 2, 4, 8 s
    expect(store.rejects()[0]).toMatchObject({ outcome: 'exhausted', attempts: 5 });
  });

  it('caps the backoff at 60 s', async () => {
    const delays: number[] = [];
    const { clock, run } = numberedRun(1, { latencyMs: 0, retry: { maxAttempts: 9 }, respond: () => unavailable() });
    run.on('retry', (e) => delays.push(e.delayMs));
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('clamps Retry-After to 5 minutes', async () => {
    const delays: number[] = [];
    const { clock, run } = numberedRun(1, { latencyMs: 0, respond: (item, attempt) => (attempt === 1 ? unavailable('3600') : item) });
    run.on('retry', (e) => delays.push(e.delayMs));
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(delays).toEqual([300_000]);
  });

  it('times a call out after 30 s', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: [1],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      retry: { maxAttempts: 1 },
      clock,
      store,
      call: (_item, { signal }) => new Promise<number>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    const t0 = clock.now();
    const done = run.start();
    await driveToEnd(clock, run);
    const summary = await done;
    expect(summary.endedAt - t0).toBe(30_000);
    expect(store.rejects()[0]).toMatchObject({ outcome: 'exhausted', code: 'CALL_TIMEOUT' });
  });

  it('waits 5 minutes between a pause and the resumption', async () => {
    const { clock, run } = numberedRun(20);
    const done = run.start();
    await clock.advance(50);
    const pausedAt = clock.now();
    run.pause();
    expect(run.resume().getTime()).toBe(pausedAt + 300_000);
    await driveToEnd(clock, run);
    await done;
  });

  it('reads 64 items ahead of the calls', async () => {
    const { clock, run } = numberedRun(1_000);
    const done = run.start();
    await clock.advance(150);
    const { read, finished, inFlight, queued } = run.status().totals;
    expect([finished, inFlight]).toEqual([4, 4]);
    // The queue is filled to 64 after each outcome; the slot that outcome freed may have taken one since.
    expect(queued).toBeGreaterThanOrEqual(63);
    expect(queued).toBeLessThanOrEqual(64);
    expect(read).toBe(finished + inFlight + queued);
    await run.stop({ inFlight: 'abort' });
    await done;
  });

  it('emits progress at most once a second', async () => {
    const { clock, run } = numberedRun(100, { latencyMs: 100 });
    const at: number[] = [];
    run.on('progress', (p) => at.push(p.at));
    const t0 = clock.now();
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(at.map((t) => t - t0)).toEqual([100, 1_100, 2_100, 2_500]);
  });

  it('pauses a source after 10 outcomes that all failed, for 30 s', async () => {
    const paused: Array<[number, number]> = [];
    const { clock, run, service } = serialRun(12, { retry: { maxAttempts: 1 }, rejectBudget: false, respond: () => unavailable() });
    run.on('source-paused', (e) => paused.push([service.calls(), e.until - e.at]));
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(paused[0]).toEqual([10, 30_000]);
  });

  it('judges the last 20 outcomes of a source against a failure ratio of 0.5, and doubles the cooldown up to 10 minutes', async () => {
    const paused: Array<{ calls: number; ratio: number; cooldown: number }> = [];
    // Ten successes, then failures only: the window of 20 holds half failures at the 20th outcome.
    const { clock, run, service } = serialRun(27, { retry: { maxAttempts: 1 }, rejectBudget: false, respond: (item) => (item < 10 ? item : unavailable()) });
    run.on('source-paused', (e) => paused.push({ calls: service.calls(), ratio: e.failureRatio, cooldown: e.until - e.at }));
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(paused[0]).toEqual({ calls: 20, ratio: 0.5, cooldown: 30_000 });
    // Items 20-26 are probes, and each fails.
    expect(paused.map((p) => p.cooldown)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000, 600_000]);
  });

  it('pauses the run when more than 10% of at least 100 finished items are rejects', async () => {
    const messages: string[] = [];
    // 15% of rejects: items 0-2, 20-22, 40-42, ...
    const { clock, run } = numberedRun(1_000, { respond: (item) => (item % 20 < 3 ? notFound() : item) });
    run.on('state', (change) => change.to === 'paused' && messages.push(change.message ?? ''));
    const done = run.start();
    await clock.runUntil(() => run.state !== 'running');
    expect(run.status().pauseReason).toBe('reject-budget');
    // Item 100 is the first reject judged once 100 items have finished.
    expect(messages).toEqual([expect.stringMatching(/^16 of 101 finished items were rejected \(15\.8% > 10\.0%\)/)]);
    const stopping = run.stop();
    await driveToEnd(clock, run);
    await stopping;
    await done;
  });
});

describe('configuration: the timer limit on every delay', () => {
  it('refuses every delay longer than a Node.js timer can hold', () => {
    const tooLong = 2 ** 31;
    let error: unknown;
    try {
      createRun({
        announcement: TEST_ANNOUNCEMENT,
        input: [1],
        source: 'rn',
        call: async (n: number) => n,
        sources: { rn: { kind: 'rn', timeoutMs: tooLong } },
        retry: { baseDelayMs: tooLong, maxDelayMs: tooLong, maxRetryAfterMs: tooLong },
        overload: { cooldownMs: tooLong, maxCooldownMs: tooLong },
        progressIntervalMs: tooLong,
      } satisfies RunOptions<number, number>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path.join('.')).sort()).toEqual(
      [
        'sources.rn.timeoutMs',
        'retry.baseDelayMs',
        'retry.maxDelayMs',
        'retry.maxRetryAfterMs',
        'overload.cooldownMs',
        'overload.maxCooldownMs',
        'progressIntervalMs',
      ].sort(),
    );
  });
});

describe('what the caller sees of each call and of the run', () => {
  it('passes the masked key, the source, the position and the attempt to the call', async () => {
    const clock = new FakeClock();
    const contexts: Array<[string, string, number, number]> = [];
    const run = createRun<string, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: ['85073003328', '17073003384'],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      key: (ssin) => `person ${ssin}`,
      retry: { baseDelayMs: 100, maxDelayMs: 100 },
      clock,
      call: async (ssin, { key, source, position, attempt }) => {
        contexts.push([key, source, position, attempt]);
        if (position === 1 && attempt === 1) throw new HttpStatusError(503);
        return ssin;
      },
    });
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(contexts).toEqual([
      ['person 85.07.30-***.**', 'rn', 0, 1],
      ['person 17.07.30-***.**', 'rn', 1, 1],
      ['person 17.07.30-***.**', 'rn', 1, 2],
    ]);
  });

  it('tells the classifier that the engine timed the call out, whatever the call rejected with', async () => {
    const clock = new FakeClock();
    const retries: RetryEvent[] = [];
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: [1],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      timeoutMs: 1_000,
      retry: { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 100 },
      clock,
      // Like fetch: on abort it rejects with its own AbortError, not with the signal's reason.
      call: (item, { signal, attempt }) =>
        new Promise<number>((resolve, reject) => {
          if (attempt === 2) resolve(item);
          signal.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError')));
        }),
    });
    run.on('retry', (e) => retries.push(e));
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(retries.map((r) => r.code)).toEqual(['CALL_TIMEOUT']);
  });

  it('fails the run with PROGRAMMER_ERROR when the classifier throws', async () => {
    const { clock, run } = numberedRun(5, {
      classify: () => {
        throw new Error('classifier bug');
      },
    });
    const done = run.start();
    done.catch(() => undefined);
    await driveToEnd(clock, run);
    await expect(done).rejects.toMatchObject({ code: 'RUN_FAILED', outcomeCode: 'PROGRAMMER_ERROR', message: expect.stringContaining('classifier bug') });
  });

  it('fails the run with PROGRAMMER_ERROR when the key function throws', async () => {
    const { clock, run } = numberedRun(5, {
      key: (item) => {
        if (item === 3) throw new Error('no key for item 3');
        return `#${item}`;
      },
    });
    const done = run.start();
    done.catch(() => undefined);
    await driveToEnd(clock, run);
    await expect(done).rejects.toMatchObject({ outcomeCode: 'PROGRAMMER_ERROR', message: expect.stringContaining('no key for item 3') });
  });

  it('keeps maxConcurrency with the run records', async () => {
    const store = new MemoryStore();
    const { clock, run } = numberedRun(5, { store, maxConcurrency: 3 });
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(store.meta()).toMatchObject({ maxConcurrency: 3, sources: { rn: { kind: 'rn', cap: 4, policyCap: 4 } } });
  });

  it('returns the current instant from resume() on a running run, without a state change', async () => {
    const { clock, run } = numberedRun(20);
    const states: string[] = [];
    run.on('state', (change) => states.push(change.to));
    const done = run.start();
    await clock.advance(50);
    expect(run.resume().getTime()).toBe(clock.now());
    expect(states).toEqual(['running']);
    await driveToEnd(clock, run);
    await done;
  });

  it('says in status() when the whole input has been read', async () => {
    const { clock, run } = numberedRun(100, { prefetch: 8 });
    const done = run.start();
    await clock.advance(50);
    expect(run.status().inputExhausted).toBe(false);
    await clock.advance(2_300); // 92 items finished, 8 read ahead: the input is read to its end
    expect(run.status().totals.read).toBe(100);
    expect(run.status().inputExhausted).toBe(true);
    await driveToEnd(clock, run);
    expect((await done).inputExhausted).toBe(true);
  });
});
