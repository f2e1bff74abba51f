import { describe, expect, it } from 'vitest';
import { createRun, MemoryStore } from '../../src/index.js';
import { FakeClock, RecordingService } from '../../src/testing.js';
import { numberedRun, TEST_ANNOUNCEMENT } from '../helpers.js';

describe('per-source caps', () => {
  it('never exceeds the BCSS caps and uses them fully, per source', async () => {
    const clock = new FakeClock();
    const service = new RecordingService<string, string>({ clock, latencyMs: (item) => (item.startsWith('a') ? 70 : 130) });
    const items = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `a${i}` : i % 3 === 1 ? `r${i}` : `b${i}`));
    const run = createRun<string, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: items,
      source: (item) => ({ a: 'dibiss', r: 'rn', b: 'bcss' })[item[0] as 'a' | 'r' | 'b'],
      sources: { rn: { kind: 'rn' }, bcss: { kind: 'bcss' }, dibiss: { kind: 'authentic' } },
      call: service.call,
      clock,
    });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    const summary = await done;

    expect(summary.totals.succeeded).toBe(300);
    expect(service.peak('rn')).toBe(4);
    expect(service.peak('bcss')).toBe(4);
    expect(service.peak('dibiss')).toBe(2);
    expect(summary.sources['rn']!.peakInFlight).toBe(4);
    expect(summary.sources['dibiss']!.peakInFlight).toBe(2);
    expect(service.peakTotal()).toBe(10);
  });

  it('keeps the cap fully used: 400 calls of 100 ms at cap 4 take 10 s of fake time', async () => {
    const { clock, run } = numberedRun(400, { latencyMs: 100 });
    const started = clock.now();
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    await done;
    expect(clock.now() - started).toBe(10_000);
  });

  it('honours a lower configured cap and the global cap across sources', async () => {
    const clock = new FakeClock();
    const service = new RecordingService<number, number>({ clock, latencyMs: 50 });
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: Array.from({ length: 200 }, (_, i) => i),
      source: (i) => (i % 2 === 0 ? 'rn' : 'bcss'),
      sources: { rn: { kind: 'rn', cap: 3 }, bcss: { kind: 'bcss' } },
      maxConcurrency: 5,
      call: service.call,
      clock,
    });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    await done;
    expect(service.peak('rn')).toBe(3);
    expect(service.peakTotal()).toBe(5);
  });

  it('keeps an above-policy cap and its written reason with the run records', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const service = new RecordingService<number, number>({ clock, latencyMs: 10 });
    const reason = 'Agreed with the BCSS PPKB service on 2026-11-02, ticket SD-4711';
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: Array.from({ length: 60 }, (_, i) => i),
      source: 'rn',
      sources: { rn: { kind: 'rn', cap: 6, override: { reason } } },
      call: service.call,
      clock,
      store,
    });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    await done;
    expect(service.peak('rn')).toBe(6);
    expect(store.meta()?.sources['rn']).toEqual({ kind: 'rn', cap: 6, policyCap: 4, overrideReason: reason });
  });

  it('reads the input lazily: items in memory stay within caps plus prefetch', async () => {
    const clock = new FakeClock();
    let pulled = 0;
    let maxAhead = 0;
    const service = new RecordingService<number, number>({ clock, latencyMs: 100 });
    function* items() {
      for (let i = 0; i < 1_000; i++) {
        pulled++;
        yield i;
      }
    }
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: items(),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      prefetch: 8,
      call: (item, context) => {
        maxAhead = Math.max(maxAhead, pulled - service.calls());
        return service.call(item, context);
      },
      clock,
    });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    await done;
    expect(pulled).toBe(1_000);
    // Read but not yet called: at most the prefetch, plus the calls in flight.
    expect(maxAhead).toBeLessThanOrEqual(8 + 4);
  });

  it('reads an async iterable input', async () => {
    const clock = new FakeClock();
    const service = new RecordingService<number, number>({ clock, latencyMs: 10 });
    async function* items() {
      for (let i = 0; i < 50; i++) yield i;
    }
    const run = createRun<number, number>({ announcement: TEST_ANNOUNCEMENT, input: items(), source: 'bcss', sources: { bcss: { kind: 'bcss' } }, call: service.call, clock });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    const summary = await done;
    expect(summary.totals.succeeded).toBe(50);
    expect(service.peak('bcss')).toBe(4);
  });
});
