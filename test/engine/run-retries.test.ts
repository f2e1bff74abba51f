import { describe, expect, it } from 'vitest';
import { createRun, HttpStatusError, MemoryStore, RunFailedError, type RetryEvent } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { numberedRun, runToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';

describe('retries', () => {
  it('retries transient failures with full-jitter backoff, then succeeds', async () => {
    const attemptsAt: number[] = [];
    const retries: RetryEvent[] = [];
    const { clock, run } = numberedRun(1, {
      latencyMs: 0,
      retry: { baseDelayMs: 1_000, maxDelayMs: 3_000, maxAttempts: 5 },
      random: () => 0.5,
      respond: (_item, attempt) => {
        attemptsAt.push(clock.now());
        if (attempt < 5) throw new HttpStatusError(503);
        return 1;
      },
    });
    run.on('retry', (event) => retries.push(event));
    const summary = await runToEnd(clock, run);

    expect(summary.totals.succeeded).toBe(1);
    // Full jitter with random 0.5: half of min(3000, 1000·2^(n-1)) → 500, 1000, 1500 (capped), 1500.
    const gaps = attemptsAt.slice(1).map((t, i) => t - attemptsAt[i]!);
    expect(gaps).toEqual([500, 1_000, 1_500, 1_500]);
    expect(retries.map((r) => [r.attempt, r.code, r.delayMs])).toEqual([
      [1, 'HTTP_503', 500],
      [2, 'HTTP_503', 1_000],
      [3, 'HTTP_503', 1_500],
      [4, 'HTTP_503', 1_500],
    ]);
  });

  it('keeps every jittered delay within [0, min(cap, base·2^(n-1)))', async () => {
    const randoms = [0, 0.999_999, 0.25, 0.75];
    let next = 0;
    const delays: number[] = [];
    const { clock, run } = numberedRun(1, {
      latencyMs: 0,
      retry: { baseDelayMs: 200, maxDelayMs: 1_000, maxAttempts: 5 },
      random: () => randoms[next++ % randoms.length]!,
      respond: (_item, attempt) => {
        if (attempt < 5) throw new HttpStatusError(502);
        return 1;
      },
    });
    run.on('retry', (event) => delays.push(event.delayMs));
    await runToEnd(clock, run);
    expect(delays).toEqual([0, 399, 200, 750]);
  });

  it('honours Retry-After in seconds and as an HTTP date, clamped to maxRetryAfterMs', async () => {
    const attemptsAt: number[] = [];
    const { clock, run } = numberedRun(1, {
      latencyMs: 0,
      retry: { maxRetryAfterMs: 60_000, maxAttempts: 4 },
      respond: (_item, attempt) => {
        attemptsAt.push(clock.now());
        if (attempt === 1) throw new HttpStatusError(429, { retryAfter: '7' });
        if (attempt === 2) throw new HttpStatusError(503, { retryAfter: new Date(clock.now() + 12_000).toUTCString() });
        if (attempt === 3) throw new HttpStatusError(503, { retryAfter: '3600' });
        return 1;
      },
    });
    await runToEnd(clock, run);
    const gaps = attemptsAt.slice(1).map((t, i) => t - attemptsAt[i]!);
    expect(gaps).toEqual([7_000, 12_000, 60_000]);
  });

  it('lets other items use the slot while an item waits for its retry', async () => {
    const clock = new FakeClock();
    const calls: Array<[number, number]> = [];
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: [0, 1, 2],
      source: 'ssa',
      sources: { ssa: { kind: 'authentic', cap: 1 } },
      retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 },
      random: () => 0.99,
      clock,
      call: async (item, context) => {
        calls.push([item, clock.now()]);
        await clock.sleep(100);
        if (item === 0 && context.attempt === 1) throw new HttpStatusError(503);
        return item;
      },
    });
    await runToEnd(clock, run);
    const start = calls[0]![1];
    expect(calls.map(([item, at]) => [item, at - start])).toEqual([
      [0, 0],
      [1, 100],
      [2, 200],
      [0, 100 + 9_900],
    ]);
  });

  it('counts a call as timed out at its timeout and retries it; its request is aborted through the AbortSignal only at the hard deadline', async () => {
    const clock = new FakeClock();
    const aborted: unknown[] = [];
    const run = createRun<number, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: [0],
      source: 'rn',
      sources: { rn: { kind: 'rn', timeoutMs: 2_000 } },
      timeoutMs: 30_000,
      retry: { baseDelayMs: 100, maxDelayMs: 100 },
      random: () => 0,
      clock,
      call: (_item, { signal, attempt }) =>
        new Promise<string>((resolve, reject) => {
          if (attempt === 2) {
            resolve('second time lucky');
            return;
          }
          signal.addEventListener('abort', () => {
            aborted.push(clock.now());
            reject(signal.reason);
          });
        }),
    });
    const start = clock.now();
    const retries: RetryEvent[] = [];
    run.on('retry', (e) => retries.push(e));
    const summary = await runToEnd(clock, run);
    expect(aborted).toEqual([]); // the run is over; the first request still runs at the server
    await clock.advance(8_000);
    expect(aborted).toEqual([start + 8_000]); // 4 times the 2 s timeout
    expect(retries[0]?.code).toBe('CALL_TIMEOUT');
    expect(summary.totals.succeeded).toBe(1);
  });

  it('records an item as exhausted when its transient failures outlast the attempts', async () => {
    const store = new MemoryStore();
    const { clock, run, service } = numberedRun(1, {
      store,
      retry: { maxAttempts: 3 },
      respond: () => {
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      },
    });
    const summary = await runToEnd(clock, run);
    expect(service.callsFor(0)).toBe(3);
    expect(summary.totals.exhausted).toBe(1);
    expect(store.rejects()).toMatchObject([{ position: 0, outcome: 'exhausted', code: 'NET_ECONNRESET', attempts: 3 }]);
    expect(store.rejects()[0]!.reason).toContain('after 3 attempts');
  });
});

describe('rejects and fatal outcomes', () => {
  it('records a business reject once, with its code, and never retries it', async () => {
    const store = new MemoryStore();
    const { clock, run, service } = numberedRun(10, {
      store,
      respond: (item) => {
        if (item === 3) throw new HttpStatusError(404, { message: 'person unknown' });
        return item;
      },
    });
    const summary = await runToEnd(clock, run);
    expect(service.callsFor(3)).toBe(1);
    expect(summary.totals).toMatchObject({ succeeded: 9, rejected: 1, retries: 0 });
    expect(store.rejects()).toMatchObject([{ key: '#3', position: 3, source: 'rn', outcome: 'reject', code: 'HTTP_404', attempts: 1 }]);
  });

  it('never retries a programmer error: the run fails at once', async () => {
    const { clock, run, service } = numberedRun(20, {
      respond: (item) => {
        if (item === 2) throw new TypeError("Cannot read properties of undefined (reading 'ssin')");
        return item;
      },
    });
    const outcome = runToEnd(clock, run);
    await expect(outcome).rejects.toMatchObject({ name: 'RunFailedError', outcomeCode: 'PROGRAMMER_ERROR' });
    expect(service.callsFor(2)).toBe(1);
    expect(run.state).toBe('failed');
  });

  it('stops the run on a fatal outcome: in-flight calls are given up on (not torn down) and nothing more is sent', async () => {
    const clock = new FakeClock();
    const started: number[] = [];
    const abortedItems: number[] = [];
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: Array.from({ length: 100 }, (_, i) => i),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      clock,
      call: (item, { signal }) =>
        new Promise<number>((resolve, reject) => {
          started.push(item);
          const timer = clock.setTimeout(() => (item === 5 ? reject(new HttpStatusError(401)) : resolve(item)), item === 5 ? 50 : 100);
          signal.addEventListener('abort', () => {
            clock.clearTimeout(timer);
            abortedItems.push(item);
            reject(signal.reason);
          });
        }),
    });
    const outcome = runToEnd(clock, run);
    const error = await outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    expect((error as RunFailedError).outcomeCode).toBe('HTTP_401');
    // Items 0-3 ran first; 4-7 were in flight when item 5 was refused at 150 ms.
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(abortedItems).toEqual([]); // their requests end at the server, within the hard deadline
    await clock.advance(60_000);
    expect(started).toHaveLength(8);
  });

  it('fails with a clear error when an item maps to a source that is not configured', async () => {
    const clock = new FakeClock();
    const run = createRun<string, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: ['a', 'b'],
      source: (item) => (item === 'b' ? 'sigedis' : 'rn'),
      sources: { rn: { kind: 'rn' } },
      clock,
      call: async (item) => item,
    });
    await expect(runToEnd(clock, run)).rejects.toMatchObject({ outcomeCode: 'UNKNOWN_SOURCE', message: expect.stringContaining("'sigedis'") });
  });
});
