import { describe, expect, it } from 'vitest';
import { ConfigError, PolicyError, countWindows, simulateBatch, type StateChange } from '../../src/index.js';
import { sampleLatency } from '../../src/plan/latency-model.js';
import { seededRandom } from '../../src/util/seeded-random.js';

const START = Date.UTC(2026, 0, 5, 20, 0, 0); // Monday 21:00 in Brussels

describe('simulateBatch', () => {
  it('400 calls of 100 ms at cap 4 take 10 s of virtual time, the cap fully used', async () => {
    const report = await simulateBatch({ sources: { rn: { kind: 'rn', items: 400 } }, latency: { kind: 'fixed', ms: 100 }, start: START });
    expect(report.state).toBe('completed');
    expect(report.durationMs).toBe(10_000);
    expect(report.startedAt).toEqual(new Date(START));
    expect(report.finishedAt).toEqual(new Date(START + 10_000));
    expect(report).toMatchObject({ items: 400, calls: 400, succeeded: 400, rejected: 0, exhausted: 0, unfinished: 0, retries: 0, windows: 1 });
    expect(report.sources.rn).toEqual({ cap: 4, items: 400, calls: 400, peakConcurrency: 4, callsOverCap: 0, succeeded: 400, rejected: 0, exhausted: 0 });
  });

  it('runs the sources side by side, each at its own cap, the input interleaved by volume', async () => {
    // 400 items at cap 4 and 200 at cap 2, 100 ms each: both sources need 10 s, in parallel.
    const report = await simulateBatch({
      sources: { rn: { kind: 'rn', items: 400 }, sigedis: { kind: 'authentic', items: 200 } },
      latency: { kind: 'fixed', ms: 100 },
      start: START,
    });
    expect(report.durationMs).toBe(10_000);
    expect(report.sources.rn).toMatchObject({ cap: 4, peakConcurrency: 4, calls: 400, succeeded: 400 });
    expect(report.sources.sigedis).toMatchObject({ cap: 2, peakConcurrency: 2, calls: 200, succeeded: 200 });
  });

  it('honours a lower cap and maxConcurrency across sources', async () => {
    const lowCap = await simulateBatch({ sources: { rn: { kind: 'rn', cap: 2, items: 100 } }, latency: { kind: 'fixed', ms: 100 }, start: START });
    expect(lowCap.durationMs).toBe(5_000);
    expect(lowCap.sources.rn!.peakConcurrency).toBe(2);

    const shared = await simulateBatch({
      sources: { rn: { kind: 'rn', items: 400 }, bcss: { kind: 'bcss', items: 400 } },
      maxConcurrency: 4,
      latency: { kind: 'fixed', ms: 100 },
      start: START,
    });
    expect(shared.durationMs).toBe(20_000); // 800 calls, 4 at a time in all
    expect(shared.sources.rn!.peakConcurrency + shared.sources.bcss!.peakConcurrency).toBeLessThanOrEqual(8);
  });

  it('waits the Retry-After between attempts and reports exhausted items', async () => {
    // Every attempt fails with Retry-After: 2; two attempts: 100 ms + 2 s + 100 ms.
    const report = await simulateBatch({
      sources: { rn: { kind: 'rn', items: 4 } },
      latency: { kind: 'fixed', ms: 100 },
      errors: { retryAfter: 1, retryAfterSeconds: 2 },
      retry: { maxAttempts: 2 },
      overload: false,
      rejectBudget: false,
      start: START,
    });
    expect(report.durationMs).toBe(2_200);
    expect(report).toMatchObject({ items: 4, calls: 8, retries: 4, exhausted: 4, succeeded: 0, state: 'completed' });
  });

  it('records rejects without retrying them', async () => {
    const report = await simulateBatch({
      sources: { rn: { kind: 'rn', items: 1_000 } },
      latency: { kind: 'fixed', ms: 50 },
      errors: { reject: 0.05 },
      start: START,
    });
    expect(report.calls).toBe(1_000);
    expect(report.retries).toBe(0);
    expect(report.rejected).toBeGreaterThan(25);
    expect(report.rejected).toBeLessThan(75);
    expect(report.succeeded + report.rejected).toBe(1_000);
    expect(report.state).toBe('completed');
  });

  it('times out a call slower than its timeout; its request keeps the slot until the hard deadline (4 × the timeout) plus the grace time (2 s)', async () => {
    const report = await simulateBatch({
      sources: { rn: { kind: 'rn', items: 4, timeoutMs: 1_000 } },
      latency: { kind: 'fixed', ms: 5_000 },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      overload: false,
      rejectBudget: false,
      start: START,
    });
    expect(report.exhausted).toBe(4);
    expect(report.calls).toBe(8);
    // Attempt 1 times out at 1 s, its request is aborted at 4 s and holds the slot until 6 s; the retry times out at 7 s.
    expect(report.durationMs).toBeGreaterThanOrEqual(7_000);
    expect(report.durationMs).toBeLessThanOrEqual(7_001);
    expect(report.sources.rn!.peakConcurrency).toBe(4);
  });

  it('retries transient failures and still finishes every item', async () => {
    const report = await simulateBatch({
      sources: { rn: { kind: 'rn', items: 2_000 } },
      latency: { kind: 'lognormal', medianMs: 150, sigma: 0.5 },
      errors: { transient: 0.05, retryAfter: 0.01 },
      start: START,
    });
    expect(report.state).toBe('completed');
    expect(report.retries).toBeGreaterThan(50);
    expect(report.calls).toBe(2_000 + report.retries);
    expect(report.succeeded + report.exhausted).toBe(2_000);
    expect(report.sources.rn!.peakConcurrency).toBe(4);
  });

  it('stops a batch whose rejects pass the reject budget, and says why', async () => {
    const report = await simulateBatch({
      sources: { rn: { kind: 'rn', items: 10_000 } },
      latency: { kind: 'fixed', ms: 100 },
      errors: { reject: 0.5 },
      start: START,
    });
    expect(report.state).toBe('stopped');
    expect(report.haltedBy).toBe('reject-budget');
    expect(report.items).toBeLessThan(300); // the budget is judged from 100 finished items on
    expect(report.succeeded + report.rejected + report.unfinished).toBe(report.items);
  });

  it('gives the same result for the same seed, and another for another seed', async () => {
    const plan = {
      sources: { rn: { kind: 'rn' as const, items: 500 } },
      latency: { kind: 'lognormal' as const, medianMs: 200, sigma: 0.6 },
      errors: { transient: 0.05 },
      start: START,
    };
    const a = await simulateBatch({ ...plan, seed: 7 });
    const b = await simulateBatch({ ...plan, seed: 7 });
    const c = await simulateBatch({ ...plan, seed: 8 });
    expect(b.durationMs).toBe(a.durationMs);
    expect(b.calls).toBe(a.calls);
    expect(c.durationMs).not.toBe(a.durationMs);
  });

  it('lets a source have its own latency', async () => {
    const report = await simulateBatch({
      sources: { rn: { kind: 'rn', items: 40 }, slow: { kind: 'authentic', items: 20, latency: { kind: 'fixed', ms: 1_000 } } },
      latency: { kind: 'fixed', ms: 100 },
      start: START,
    });
    expect(report.durationMs).toBe(10_000); // 20 calls of 1 s at cap 2
  });

  it('refuses a malformed plan with the path of each fault', async () => {
    const error = await simulateBatch({
      sources: { rn: { kind: 'rn', items: -1 } },
      latency: { kind: 'uniform', minMs: 200, maxMs: 100 },
      errors: { reject: 0.6, transient: 0.6 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['sources.rn.items', 'latency.minMs', 'errors']));
  });

  it('applies the BCSS cap policy as the engine does', async () => {
    await expect(simulateBatch({ sources: { rn: { kind: 'rn', cap: 8, items: 10 } } })).rejects.toBeInstanceOf(PolicyError);
  });
});

describe('countWindows', () => {
  const change = (from: StateChange['from'], to: StateChange['to'], reason: string): StateChange => ({ from, to, reason, at: 0 });

  it('counts one window for a run that starts and completes', () => {
    expect(countWindows([change('idle', 'running', 'start'), change('running', 'completed', 'completed')])).toBe(1);
  });

  it('counts every return to running after waiting for a window', () => {
    const changes = [
      change('idle', 'waiting', 'office-hours'),
      change('waiting', 'running', 'window'),
      change('running', 'draining', 'office-hours'),
      change('draining', 'waiting', 'office-hours'),
      change('waiting', 'running', 'window'),
      change('running', 'paused', 'office-hours'),
      change('paused', 'running', 'resume'),
      change('running', 'completed', 'completed'),
    ];
    expect(countWindows(changes)).toBe(3);
  });

  it('does not count a manual or reject-budget pause as a new window', () => {
    const changes = [
      change('idle', 'running', 'start'),
      change('running', 'paused', 'manual'),
      change('paused', 'running', 'resume'),
      change('running', 'paused', 'reject-budget'),
      change('paused', 'running', 'resume'),
    ];
    expect(countWindows(changes)).toBe(1);
  });
});

describe('latency models', () => {
  const random = seededRandom(3);
  const draws = (n: number, f: () => number) => Array.from({ length: n }, f);

  it('fixed: always the same', () => {
    expect(draws(5, () => sampleLatency({ kind: 'fixed', ms: 120 }, random))).toEqual([120, 120, 120, 120, 120]);
  });

  it('uniform: within its bounds, mean in the middle', () => {
    const values = draws(10_000, () => sampleLatency({ kind: 'uniform', minMs: 50, maxMs: 150 }, random));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...values)).toBeLessThan(150);
    expect(values.reduce((a, b) => a + b, 0) / values.length).toBeCloseTo(100, -0.5);
  });

  it('lognormal: half of the draws below the median, a long tail above', () => {
    const values = draws(10_000, () => sampleLatency({ kind: 'lognormal', medianMs: 200, sigma: 0.5 }, random)).sort((a, b) => a - b);
    expect(values[5_000]!).toBeGreaterThan(190);
    expect(values[5_000]!).toBeLessThan(210);
    expect(values[9_500]!).toBeGreaterThan(200 * 2); // e^(0.5 · 1.645) ≈ 2.28
    expect(values[0]!).toBeGreaterThan(0);
  });

  it('seededRandom: the same sequence for the same seed, in [0, 1)', () => {
    const a = draws(1_000, seededRandom(42));
    const b = draws(1_000, seededRandom(42));
    expect(a).toEqual(b);
    expect(a).not.toEqual(draws(1_000, seededRandom(43)));
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('simulateBatch with the office-hours calendar (the engine default)', () => {
  // At cap 4 and 10 s per call, a source makes 0.4 calls per second: 21,600 in a 15-hour night.
  const plan = { latency: { kind: 'fixed' as const, ms: 10_000 } };

  it('a batch larger than a night waits through office hours and finishes the next evening', async () => {
    const start = Date.UTC(2026, 10, 23, 16, 0, 0); // Monday 17:00 in Brussels
    const report = await simulateBatch({ ...plan, sources: { rn: { kind: 'rn', items: 30_000 } }, start });
    expect(report.state).toBe('completed');
    expect(report.windows).toBe(2);
    // 21,600 calls by Tuesday 08:00:00; the other 8,400 take 21,000 s from Tuesday 17:00 → 22:50:00.
    expect(report.finishedAt).toEqual(new Date(Date.UTC(2026, 10, 24, 21, 50, 0)));
    expect(report).toMatchObject({ calls: 30_000, succeeded: 30_000, unfinished: 0 });
    expect(report.sources.rn!.callsOverCap).toBe(0);
  });

  it('a batch started on Friday evening uses the whole weekend, then Monday night', async () => {
    const start = Date.UTC(2026, 10, 27, 16, 0, 0); // Friday 17:00 in Brussels
    const report = await simulateBatch({ ...plan, sources: { rn: { kind: 'rn', items: 100_000 } }, start });
    expect(report.windows).toBe(2);
    // Friday 17:00 → Monday 08:00 is 63 h: 90,720 calls; the other 9,280 take 23,200 s from Monday 17:00.
    expect(report.finishedAt).toEqual(new Date(Date.UTC(2026, 10, 30, 22, 26, 40)));
  });

  it('a plan started during office hours waits for 17:00', async () => {
    const start = Date.UTC(2026, 10, 24, 9, 0, 0); // Tuesday 10:00 in Brussels
    const report = await simulateBatch({ ...plan, sources: { rn: { kind: 'rn', items: 400 } }, start });
    expect(report.windows).toBe(1);
    expect(report.finishedAt).toEqual(new Date(Date.UTC(2026, 10, 24, 16, 0, 0) + 100 * 10_000));
  });
});
