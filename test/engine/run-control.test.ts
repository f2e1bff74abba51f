import { describe, expect, it } from 'vitest';
import { createRun, HttpStatusError, RunStateError, type CallContext, type StateChange } from '../../src/index.js';
import { FakeClock, RecordingService } from '../../src/testing.js';
import { numberedRun, runToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';

describe('pause, resume, stop', () => {
  it('pause() lets in-flight calls finish and sends nothing new until resume()', async () => {
    const { clock, run, service } = numberedRun(100, { latencyMs: 100, minPauseMs: 0 });
    const done = run.start();
    await clock.advance(250); // 8 finished, 4 in flight (started at 200 ms)
    expect(service.calls()).toBe(12);
    run.pause();
    expect(run.state).toBe('paused');
    expect(run.status().pauseReason).toBe('manual');
    await clock.advance(10_000);
    expect(service.calls()).toBe(12);
    expect(service.inFlight()).toBe(0);
    expect(run.status().totals.succeeded).toBe(12);

    run.resume();
    expect(run.state).toBe('running');
    await clock.runUntil(() => run.state === 'completed');
    const summary = await done;
    expect(summary.totals.succeeded).toBe(100);
    expect(service.calls()).toBe(100);
  });

  it('honours the minimum pause: an early resume() is scheduled, not applied', async () => {
    const { clock, run, service } = numberedRun(40, { latencyMs: 100, minPauseMs: 5 * 60_000 });
    const scheduled: number[] = [];
    run.on('resume-scheduled', (e) => scheduled.push(e.at));
    const done = run.start();
    await clock.advance(150);
    const pausedAt = clock.now();
    run.pause();
    await clock.advance(60_000);
    const resumesAt = run.resume();
    expect(resumesAt.getTime()).toBe(pausedAt + 300_000);
    expect(scheduled).toEqual([pausedAt + 300_000]);
    expect(run.state).toBe('paused');
    const callsWhilePaused = service.calls();

    await clock.advanceTo(pausedAt + 300_000 - 1);
    expect(run.state).toBe('paused');
    expect(service.calls()).toBe(callsWhilePaused);
    await clock.advance(1);
    expect(run.state).toBe('running');
    await clock.runUntil(() => run.state === 'completed');
    expect((await done).totals.succeeded).toBe(40);
  });

  it('a pause() during a scheduled resumption cancels it', async () => {
    const { clock, run } = numberedRun(40, { minPauseMs: 1_000 });
    const done = run.start();
    await clock.advance(50);
    run.pause();
    run.resume();
    run.pause();
    await clock.advance(10_000);
    expect(run.state).toBe('paused');
    expect(run.status().resumesAt).toBeUndefined();
    run.resume();
    await clock.runUntil(() => run.state === 'completed');
    await done;
  });

  it("stop() waits for in-flight calls by default; unfinished items are not rejected", async () => {
    const { clock, run, service } = numberedRun(100, { latencyMs: 100 });
    const done = run.start();
    await clock.advance(150);
    const stopping = run.stop();
    expect(run.state).toBe('draining');
    await clock.advance(100);
    const summary = await stopping;
    expect(summary.state).toBe('stopped');
    expect(await done).toEqual(summary);
    expect(summary.totals).toMatchObject({ succeeded: 8, rejected: 0, exhausted: 0 });
    expect(summary.unfinished).toBe(summary.totals.read - 8);
    await clock.advance(60_000);
    expect(service.calls()).toBe(8);
  });

  it("stop({ inFlight: 'abort' }) gives up on the calls in flight at once, without tearing their requests down", async () => {
    const { clock, run, service } = numberedRun(100, { latencyMs: 100 });
    const done = run.start();
    await clock.advance(150);
    const summary = await run.stop({ inFlight: 'abort' });
    expect(summary.state).toBe('stopped');
    expect(service.inFlight()).toBe(4); // the server is still executing them: the cap holds there
    await clock.advance(50);
    expect(service.inFlight()).toBe(0);
    expect(summary.totals).toMatchObject({ succeeded: 4, rejected: 0, inFlight: 0 });
    expect(summary.unfinished).toBe(summary.totals.read - 4);
    await done;
  });

  it("stop({ inFlight: 'abort' }) aborts the signals at the calls' hard deadline, even of a call that looks at it only afterwards", async () => {
    const clock = new FakeClock();
    const calls: { context: CallContext; reject: (reason: unknown) => void }[] = [];
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: [1, 2, 3, 4],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: (_item, context) => new Promise<number>((_resolve, reject) => calls.push({ context, reject })),
      clock,
    });
    const done = run.start();
    await clock.advance(0);
    expect(calls).toHaveLength(4);
    const stopping = run.stop({ inFlight: 'abort' });
    expect((await stopping).state).toBe('stopped'); // given up on at once
    await clock.advance(4 * 30_000 - 1); // the hard deadline: 4 times the 30 s timeout
    expect(calls.map(({ context }) => context.signal.aborted)).toEqual([false, false, false, false]);
    await clock.advance(1);
    const aborted = calls.map(({ context }) => context.signal.aborted);
    for (const { context, reject } of calls) reject(context.signal.reason);
    expect(aborted).toEqual([true, true, true, true]);
    expect(calls[0]!.context.signal.reason).toMatchObject({ code: 'CALL_HARD_DEADLINE' });
    await done;
  });

  it('stop() drops items waiting for a retry and sends nothing more', async () => {
    const { clock, run, service } = numberedRun(4, {
      latencyMs: 10,
      retry: { baseDelayMs: 1_000, maxDelayMs: 1_000 },
      respond: () => {
        throw new HttpStatusError(503);
      },
    });
    const done = run.start();
    await clock.advance(20);
    expect(run.status().totals.retrying).toBe(4);
    await run.stop();
    await clock.advance(60_000);
    expect(service.calls()).toBe(4);
    expect((await done).totals.retrying).toBe(0);
  });

  it('refuses control calls that make no sense, with a typed error', async () => {
    const { clock, run } = numberedRun(5);
    expect(() => run.pause()).toThrow(RunStateError);
    expect(() => run.resume()).toThrow(RunStateError);
    await expect(run.stop()).rejects.toBeInstanceOf(RunStateError);
    const done = runToEnd(clock, run);
    await expect(run.start()).rejects.toThrow(/start\(\) called on a run that is running/);
    await done;
    expect(() => run.pause()).toThrow(/completed/);
  });

  it('announces every state change with its reason', async () => {
    const { clock, run } = numberedRun(20, { minPauseMs: 0 });
    const changes: Array<Pick<StateChange, 'from' | 'to' | 'reason'>> = [];
    run.on('state', ({ from, to, reason }) => changes.push({ from, to, reason }));
    const done = run.start();
    await clock.advance(50);
    run.pause();
    run.resume();
    await clock.runUntil(() => run.state === 'completed');
    await done;
    expect(changes).toEqual([
      { from: 'idle', to: 'running', reason: 'start' },
      { from: 'running', to: 'paused', reason: 'manual' },
      { from: 'paused', to: 'running', reason: 'resume' },
      { from: 'running', to: 'completed', reason: 'completed' },
    ]);
  });
});

describe('reject budget', () => {
  it('pauses the run when rejects exceed the budget, and says why', async () => {
    const messages: string[] = [];
    const { clock, run, service } = numberedRun(1_000, {
      rejectBudget: { maxRatio: 0.2, minSample: 50 },
      minPauseMs: 60_000,
      respond: (item) => {
        if (item % 2 === 0) throw new HttpStatusError(422);
        return item;
      },
    });
    run.on('state', (change) => change.to === 'paused' && messages.push(change.message ?? ''));
    const done = run.start();
    await clock.runUntil(() => run.state === 'paused');
    const atPause = run.status();
    expect(atPause.pauseReason).toBe('reject-budget');
    expect(atPause.totals.finished).toBeGreaterThanOrEqual(50);
    expect(atPause.totals.finished).toBeLessThan(60);
    // Judged at each reject: item 50 is the first reject once 50 items have finished.
    expect(messages[0]).toMatch(/^26 of 51 finished items were rejected \(51\.0% > 20\.0%\)/);

    await clock.advance(3_600_000);
    const callsWhilePaused = service.calls();
    expect(callsWhilePaused).toBeLessThan(60);
    run.resume();
    // The budget is judged afresh after the operator resumes: another 50 items go through.
    await clock.runUntil(() => run.state === 'paused');
    expect(run.status().totals.finished).toBeGreaterThanOrEqual(atPause.totals.finished + 50);
    const stopping = run.stop();
    await clock.runUntil(() => run.state === 'stopped');
    expect((await stopping).state).toBe('stopped');
    await done;
  });

  it('does not judge before the minimum sample', async () => {
    const { clock, run } = numberedRun(30, {
      rejectBudget: { maxRatio: 0.1, minSample: 100 },
      respond: () => {
        throw new HttpStatusError(404);
      },
    });
    const summary = await runToEnd(clock, run);
    expect(summary.state).toBe('completed');
    expect(summary.totals.rejected).toBe(30);
  });
});

describe('overload protection', () => {
  it('pauses a failing source by itself while the others go on, then probes it back', async () => {
    const clock = new FakeClock();
    let ssaDown = true;
    const service = new RecordingService<string, string>({
      clock,
      latencyMs: 100,
      respond: (item) => {
        if (item.startsWith('ssa') && ssaDown) throw new HttpStatusError(503);
        return item;
      },
    });
    const items = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? `ssa-${i}` : `rn-${i}`));
    const run = createRun<string, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: items,
      source: (item) => item.split('-')[0]!,
      sources: { rn: { kind: 'rn' }, ssa: { kind: 'authentic' } },
      call: service.call,
      clock,
      prefetch: 200,
      retry: { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 1_000 },
      overload: { windowSize: 10, minSamples: 10, failureRatio: 0.5, cooldownMs: 60_000 },
      random: () => 0.5,
    });
    const paused: number[] = [];
    const resumed: number[] = [];
    run.on('source-paused', (e) => e.source === 'ssa' && paused.push(e.until - e.at));
    run.on('source-resumed', (e) => e.source === 'ssa' && resumed.push(e.at));
    const done = run.start();

    await clock.advance(30_000);
    expect(paused[0]).toBe(60_000);
    expect(run.status().sources['ssa']!.health).toBe('cooling');
    const ssaCallsWhileCooling = service.calls('ssa');
    // The National Register source went on at full pace.
    expect(run.status().sources['rn']!.succeeded).toBe(300);
    await clock.advance(20_000);
    expect(service.calls('ssa')).toBe(ssaCallsWhileCooling);

    // First probe fails: the cooldown doubles.
    await clock.advance(15_000);
    expect(paused[1]).toBe(120_000);
    ssaDown = false;
    await clock.runUntil(() => run.state === 'completed');
    const summary = await done;
    expect(resumed).toHaveLength(1);
    expect(summary.sources['ssa']!.succeeded).toBe(100);
    expect(summary.sources['ssa']!.health).toBe('healthy');
  });
});
