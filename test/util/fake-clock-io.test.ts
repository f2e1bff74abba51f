/**
 * The FakeClock with real I/O: time moves to the next timer only once the code under test and
 * the file operations it started are idle, so fake durations stay exact whatever the disk does.
 */
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRun, FileStore } from '../../src/index.js';
import { FakeClock, RecordingService, workInFlight } from '../../src/testing.js';

const T0 = Date.UTC(2026, 0, 5, 20, 0, 0); // Monday 21:00 in Brussels: the window is open
const OFF = { calendar: { enforce: false, override: { reason: 'unit test of the fake clock, no BCSS call' } }, announcement: { override: { reason: 'unit test of the fake clock, no BCSS call' } } } as const;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-clock-io-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 40 file operations in a row: each one starts when the previous one's callback ran. */
async function diskWork(file: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await appendFile(file, `${i}\n`);
    await stat(file);
  }
}

describe('FakeClock and real I/O', () => {
  it('does not move time while file operations started by a timer are in flight', async () => {
    const clock = new FakeClock(T0);
    const log: string[] = [];
    const job = (async () => {
      await clock.sleep(1_000);
      await diskWork(path.join(dir, 'a'));
      log.push(`disk done at ${clock.now() - T0}`);
      await clock.sleep(5_000);
      log.push(`slept 5 s, at ${clock.now() - T0}`);
      return 'done';
    })();
    clock.setTimeout(() => log.push(`other timer at ${clock.now() - T0}`), 1_500);
    expect(await clock.runUntilSettled(job)).toBe('done');
    expect(log).toEqual(['disk done at 1000', 'other timer at 1500', 'slept 5 s, at 6000']);
    expect(clock.now()).toBe(T0 + 6_000);
  });

  it('advance() waits for the I/O too: the disk work of a timer ends before the next timer fires', async () => {
    const clock = new FakeClock(T0);
    const log: string[] = [];
    clock.setTimeout(() => void diskWork(path.join(dir, 'b')).then(() => log.push(`disk done at ${clock.now() - T0}`)), 100);
    clock.setTimeout(() => log.push(`next timer at ${clock.now() - T0}`), 101);
    await clock.advance(200);
    expect(log).toEqual(['disk done at 100', 'next timer at 101']);
  });

  it('keeps the old recipe working: runUntil(() => run.state === "completed") with a FileStore and onSuccess writing a file', async () => {
    const clock = new FakeClock(T0);
    const store = await FileStore.open(path.join(dir, 'run'));
    const service = new RecordingService<number>({ clock, latencyMs: 5_000 });
    const starts: number[] = [];
    const run = createRun<number, number>({
      ...OFF,
      input: Array.from({ length: 12 }, (_, i) => i),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: (item, context) => (starts.push(clock.now() - T0), service.call(item, context)),
      onSuccess: (item) => appendFile(path.join(dir, 'out.txt'), `${item}\n`),
      store,
      clock,
    });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    const summary = await done;
    await store.close();
    expect(summary.totals.succeeded).toBe(12);
    expect(starts).toEqual([0, 0, 0, 0, 5_000, 5_000, 5_000, 5_000, 10_000, 10_000, 10_000, 10_000]);
    expect(clock.now()).toBe(T0 + 15_000);
    expect((await readFile(path.join(dir, 'out.txt'), 'utf8')).trim().split('\n')).toHaveLength(12);
  });

  it('returns the value of the promise, or throws its error', async () => {
    const clock = new FakeClock(T0);
    await expect(clock.runUntilSettled(clock.sleep(10).then(() => 42))).resolves.toBe(42);
    await expect(clock.runUntilSettled(clock.sleep(10).then(() => Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
    expect(clock.now()).toBe(T0 + 20);
  });

  it('fails, naming the cause, when the promise can never settle on this clock', async () => {
    const clock = new FakeClock(T0);
    const never = new Promise<void>(() => undefined);
    await expect(clock.runUntilSettled(never, { stuckAfterMs: 50 })).rejects.toThrow(/no timer is pending on this clock and no I\/O is in flight/);
  });

  it('waits for a timer set later by I/O that ends after the clock found no timer', async () => {
    const clock = new FakeClock(T0);
    const job = (async () => {
      await diskWork(path.join(dir, 'c'));
      await clock.sleep(3_000);
      return clock.now() - T0;
    })();
    expect(await clock.runUntilSettled(job)).toBe(3_000);
  });

  it('is not fooled nor blocked by real timers of other code', async () => {
    const clock = new FakeClock(T0);
    let ticks = 0;
    const interval = setInterval(() => ticks++, 1);
    try {
      const at = await clock.runUntilSettled(clock.sleep(7_200_000).then(() => clock.now()));
      expect(at).toBe(T0 + 7_200_000);
    } finally {
      clearInterval(interval);
    }
    expect(ticks).toBeGreaterThanOrEqual(0);
  });

  it('is not blocked by an open server and a connection waiting for its reply (handles, not work in flight)', async () => {
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const hanging = request({ host: '127.0.0.1', port });
    hanging.on('error', () => undefined);
    hanging.end();
    try {
      const clock = new FakeClock(T0);
      expect(await clock.runUntilSettled(clock.sleep(3_600_000).then(() => clock.now() - T0))).toBe(3_600_000);
    } finally {
      hanging.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sees file requests in flight, and nothing once they are done', async () => {
    const pending = stat(dir);
    expect(workInFlight()).toContain('FSReqPromise');
    await pending;
    await new Promise((resolve) => setImmediate(resolve));
    expect(workInFlight()).toEqual([]);
  });

  it('throws after maxTimers timers', async () => {
    const clock = new FakeClock(T0);
    const tick = (): void => void clock.setTimeout(tick, 1_000);
    tick();
    await expect(clock.runUntilSettled(new Promise(() => undefined), { maxTimers: 30 })).rejects.toThrow('still running after 30 timers');
  });
});
