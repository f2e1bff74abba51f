import { describe, expect, it } from 'vitest';
import { createRun, HttpStatusError, MemoryStore, type OutcomeRecord, type RunMeta, type RunStore } from '../../src/index.js';
import { FakeClock, RecordingService } from '../../src/testing.js';
import { numberedRun, runToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';

const SSINS = ['85073003328', '17073003384', '98472899765', '01490700185'];

describe('records and events', () => {
  it('masks national numbers in keys, reject records, events and reasons', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const events: unknown[] = [];
    const service = new RecordingService<string, string>({
      clock,
      respond: (ssin) => {
        if (ssin === '17073003384') throw new HttpStatusError(404, { message: `no person with number ${ssin}` });
        if (ssin === '98472899765') throw Object.assign(new Error(`reset while asking for ${ssin}`), { code: 'ECONNRESET' });
        return ssin;
      },
    });
    const run = createRun<string, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: SSINS,
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      key: (ssin) => ssin,
      retry: { maxAttempts: 2 },
      call: service.call,
      clock,
      store,
    });
    run.on('reject', (e) => events.push(e));
    run.on('retry', (e) => events.push(e));
    run.on('progress', (e) => events.push(e));
    await runToEnd(clock, run);

    const everything = JSON.stringify([store.rejects(), events]);
    for (const ssin of SSINS) expect(everything).not.toContain(ssin);
    expect(store.rejects().map((r) => [r.key, r.code])).toEqual([
      ['17.07.30-***.**', 'HTTP_404'],
      ['98.47.28-***.**', 'NET_ECONNRESET'],
    ]);
    expect(store.rejects()[1]!.reason).toBe('Error: reset while asking for 98.47.28-***.** (after 2 attempts)');
  });

  it('hands each success to onSuccess once, with its value and key, before it counts as finished', async () => {
    const seen: Array<[number, number, string, number]> = [];
    const { clock, run } = numberedRun(10, {
      respond: (item) => item * 10,
      onSuccess: (item, value, info) => {
        seen.push([item, value, info.key, info.attempts]);
      },
    });
    const summary = await runToEnd(clock, run);
    expect(summary.totals.succeeded).toBe(10);
    expect(seen.sort((a, b) => a[0] - b[0])).toEqual(Array.from({ length: 10 }, (_, i) => [i, i * 10, `#${i}`, 1]));
  });

  it('fails the run when onSuccess throws, without swallowing the error', async () => {
    const { clock, run } = numberedRun(10, {
      onSuccess: (item) => {
        if (item === 6) throw new Error('database is read-only');
      },
    });
    const error = await runToEnd(clock, run).catch((e: unknown) => e);
    expect(error).toMatchObject({ outcomeCode: 'ON_SUCCESS_FAILED', message: expect.stringContaining('database is read-only') });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('waits for an asynchronous store before counting an item, and fails the run if it cannot record', async () => {
    const clock = new FakeClock();
    const recorded: OutcomeRecord[] = [];
    let opened: RunMeta | undefined;
    const store: RunStore = {
      open: async (meta) => {
        await clock.sleep(10);
        opened = meta;
      },
      record: async (record) => {
        await clock.sleep(5);
        if (record.position === 7) throw new Error('disk full');
        recorded.push(record);
      },
    };
    const service = new RecordingService<number, number>({ clock, latencyMs: 100 });
    const run = createRun<number, number>({ announcement: TEST_ANNOUNCEMENT, input: Array.from({ length: 20 }, (_, i) => i), source: 'rn', sources: { rn: { kind: 'rn' } }, call: service.call, clock, store });
    const error = await runToEnd(clock, run).catch((e: unknown) => e);
    expect(opened?.sources).toEqual({ rn: { kind: 'rn', cap: 4, policyCap: 4 } });
    expect(error).toMatchObject({ outcomeCode: 'STORE_FAILED', message: expect.stringContaining('disk full') });
    expect(recorded.map((r) => r.position).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(run.status().totals.finished).toBe(7);
  });

  it('emits progress at most once per interval, and a final snapshot', async () => {
    const { clock, run } = numberedRun(400, { latencyMs: 100, progressIntervalMs: 2_000 });
    const at: number[] = [];
    run.on('progress', (p) => at.push(p.at));
    const start = clock.now();
    await runToEnd(clock, run);
    const offsets = at.map((t) => t - start);
    expect(offsets.slice(0, -1)).toEqual([100, 2_100, 4_100, 6_100, 8_100]);
    expect(offsets.at(-1)).toBe(10_000);
  });

  it('fails the run when a listener throws, rather than hiding the error', async () => {
    const { clock, run } = numberedRun(10);
    run.on('progress', () => {
      throw new Error('dashboard down');
    });
    await expect(runToEnd(clock, run)).rejects.toMatchObject({ outcomeCode: 'LISTENER_ERROR', message: expect.stringContaining('dashboard down') });
  });

  it('reports throughput over the last minute in status()', async () => {
    const { clock, run } = numberedRun(10_000, { latencyMs: 100 });
    const done = run.start();
    await clock.advance(120_000);
    // 4 slots, 100 ms per call: 40 items per second.
    expect(run.status().ratePerSecond).toBeCloseTo(40, 0);
    await run.stop({ inFlight: 'abort' });
    await done;
  });

  it('closes the input when the run ends early', async () => {
    let closed = false;
    function* items() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const { clock, run } = numberedRun(0, { input: items() });
    const done = run.start();
    await clock.advance(1_000);
    await run.stop({ inFlight: 'abort' });
    await done;
    await clock.advance(0);
    expect(closed).toBe(true);
  });
});

describe('input and end of run', () => {
  it('completes at once on an empty input', async () => {
    const { clock, run, service } = numberedRun(0);
    const summary = await runToEnd(clock, run);
    expect(summary.state).toBe('completed');
    expect(summary.totals.read).toBe(0);
    expect(service.calls()).toBe(0);
  });

  it('fails with INPUT_ERROR when the input throws, keeping what was finished', async () => {
    function* items() {
      for (let i = 0; i < 10; i++) yield i;
      throw new Error('line 11 of ssins.txt is not readable');
    }
    const { clock, run } = numberedRun(0, { input: items(), prefetch: 4 });
    const error = await runToEnd(clock, run).catch((e: unknown) => e);
    expect(error).toMatchObject({ outcomeCode: 'INPUT_ERROR', message: expect.stringContaining('line 11') });
    expect(run.status().totals.read).toBe(10);
  });

  it('fails with INPUT_ERROR when an async input rejects', async () => {
    async function* items() {
      yield 1;
      throw new Error('connection to the file share lost');
    }
    const { clock, run } = numberedRun(0, { input: items() });
    await expect(runToEnd(clock, run)).rejects.toMatchObject({ outcomeCode: 'INPUT_ERROR' });
  });

  it('fails the run when a listener of the final state throws', async () => {
    const { clock, run } = numberedRun(3);
    run.on('state', (change) => {
      if (change.to === 'completed') throw new Error('mailer down');
    });
    await expect(runToEnd(clock, run)).rejects.toMatchObject({ outcomeCode: 'LISTENER_ERROR', message: expect.stringContaining('mailer down') });
  });

  it('stops cleanly when stop() comes while the store is still opening', async () => {
    const clock = new FakeClock();
    const service = new RecordingService<number, number>({ clock });
    const run = createRun<number, number>({
      announcement: TEST_ANNOUNCEMENT,
      input: [1, 2, 3],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: service.call,
      clock,
      store: { open: () => clock.sleep(1_000), record: () => undefined },
    });
    const done = run.start();
    const summary = await run.stop();
    expect(summary.state).toBe('stopped');
    await clock.advance(5_000);
    expect(service.calls()).toBe(0);
    expect(run.state).toBe('stopped');
    await done;
  });
});
