import { describe, expect, it } from 'vitest';
import { createRun, HttpStatusError, MemoryStore } from '../../src/index.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { FakeClock, RecordingService } from '../../src/testing.js';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

describe('accounting under a random mix of outcomes and controls', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: caps hold, and every item read ends once or is reported unfinished`, async () => {
      const random = seededRandom(seed);
      const clock = new FakeClock();
      const store = new MemoryStore();
      const handed = new Map<number, number>();
      const service = new RecordingService<number, number>({
        clock,
        latencyMs: () => 20 + Math.floor(random() * 400),
        respond: (item) => {
          const roll = random();
          if (roll < 0.15) throw new HttpStatusError(503);
          if (roll < 0.2) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
          if (roll < 0.25) throw new HttpStatusError(404);
          return item;
        },
      });
      const run = createRun<number, number>({
        announcement: TEST_ANNOUNCEMENT,
        input: Array.from({ length: 600 }, (_, i) => i),
        source: (i) => (['rn', 'bcss', 'ssa'] as const)[i % 3]!,
        sources: { rn: { kind: 'rn' }, bcss: { kind: 'bcss', cap: 3 }, ssa: { kind: 'authentic' } },
        maxConcurrency: 8,
        timeoutMs: 300,
        retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 },
        rejectBudget: false,
        minPauseMs: 1_000,
        call: service.call,
        onSuccess: (item) => {
          handed.set(item, (handed.get(item) ?? 0) + 1);
        },
        clock,
        store,
        random,
      });
      const done = run.start();
      done.catch(() => undefined);
      const stopAfter = 5 + Math.floor(random() * 20);
      for (let step = 0; step < stopAfter && run.state !== 'completed'; step++) {
        await clock.advance(Math.floor(random() * 3_000));
        if (run.state === 'running' && random() < 0.3) run.pause();
        else if (run.state === 'paused') run.resume();
      }
      if (run.state !== 'completed') {
        const stopping = run.stop({ inFlight: random() < 0.5 ? 'wait' : 'abort' });
        await clock.runUntil(() => run.state === 'stopped');
        await stopping;
      }
      const summary = await done;

      expect(service.peak('rn')).toBeLessThanOrEqual(4);
      expect(service.peak('bcss')).toBeLessThanOrEqual(3);
      expect(service.peak('ssa')).toBeLessThanOrEqual(2);
      expect(service.peakTotal()).toBeLessThanOrEqual(8);

      const { read, succeeded, rejected, exhausted, finished, inFlight, retrying } = summary.totals;
      expect(finished).toBe(succeeded + rejected + exhausted);
      expect(summary.unfinished).toBe(read - finished);
      expect(inFlight + retrying).toBe(0);
      // Each success handed over exactly once, each reject recorded exactly once, never both.
      expect([...handed.values()].every((n) => n === 1)).toBe(true);
      expect(handed.size).toBe(succeeded);
      const rejectedPositions = store.rejects().map((r) => r.position);
      expect(new Set(rejectedPositions).size).toBe(rejectedPositions.length);
      expect(rejectedPositions.length).toBe(rejected + exhausted);
      expect(rejectedPositions.some((p) => handed.has(p))).toBe(false);
      expect(store.outcomeCounts()).toEqual({ success: succeeded, reject: rejected, exhausted });
      // No item got more calls than the attempts allow.
      for (let i = 0; i < read; i++) expect(service.callsFor(i)).toBeLessThanOrEqual(3);
    });
  }
});

describe('a call that ignores its abort signal', () => {
  it('keeps its slot until it settles: the cap is never exceeded, even after its attempt timed out', async () => {
    const clock = new FakeClock();
    const calls: Array<{ item: number; start: number; end: number | undefined }> = [];
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: [0, 1],
      source: 'ssa',
      sources: { ssa: { kind: 'authentic', cap: 1 } },
      timeoutMs: 1_000,
      random: () => 0.5,
      clock,
      call: async (item, { attempt }) => {
        const record = { item, start: clock.now(), end: undefined as number | undefined };
        calls.push(record);
        await clock.sleep(item === 0 && attempt === 1 ? 5_000 : 10); // deaf to the signal, and the server goes on
        record.end = clock.now();
        return item;
      },
    });
    const t0 = clock.now();
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    const summary = await done;
    // Item 0 timed out at 1 s, but its request held the only slot until it ended at 5 s: nothing overlapped it.
    expect(calls[0]).toEqual({ item: 0, start: t0, end: t0 + 5_000 });
    const sorted = [...calls].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end!);
    expect(calls.slice(1).every((c) => c.start >= t0 + 5_000)).toBe(true);
    // Its late reply was dropped (the attempt had counted as timed out); the retry succeeded.
    expect(summary.totals).toMatchObject({ succeeded: 2, attempts: 3 });
  });
});

describe('bounds that hold under failure', () => {
  it('counts items waiting for a retry against the prefetch, so failures do not read the whole input', async () => {
    const clock = new FakeClock();
    const service = new RecordingService<number, number>({
      clock,
      latencyMs: 10,
      respond: () => {
        throw new HttpStatusError(503);
      },
    });
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: Array.from({ length: 10_000 }, (_, i) => i),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      prefetch: 16,
      overload: false,
      rejectBudget: false,
      retry: { maxAttempts: 10, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      random: () => 0.99,
      call: service.call,
      clock,
    });
    const done = run.start();
    done.catch(() => undefined);
    let maxHeld = 0;
    for (let i = 0; i < 200; i++) {
      await clock.advance(500);
      const { read, finished } = run.status().totals;
      maxHeld = Math.max(maxHeld, read - finished);
    }
    expect(maxHeld).toBe(16 + 4);
    const stopping = run.stop({ inFlight: 'abort' });
    await clock.runUntil(() => run.state === 'stopped');
    await stopping;
  });

  it('leaves aborted calls unfinished, even on their last attempt', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const service = new RecordingService<number, number>({ clock, latencyMs: 1_000 });
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: Array.from({ length: 20 }, (_, i) => i),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      retry: { maxAttempts: 1 },
      call: service.call,
      clock,
      store,
    });
    const done = run.start();
    await clock.advance(1_500);
    const summary = await run.stop({ inFlight: 'abort' });
    await done;
    expect(summary.totals).toMatchObject({ succeeded: 4, rejected: 0, exhausted: 0 });
    expect(summary.unfinished).toBe(summary.totals.read - 4);
    expect(store.rejects()).toEqual([]);
  });
});
