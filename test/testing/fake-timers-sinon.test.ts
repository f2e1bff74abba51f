/**
 * @sinonjs/fake-timers installed directly, faking what vitest's defaults fake (every timer,
 * setImmediate, Date, hrtime, performance; not nextTick nor queueMicrotask, which Node's own I/O
 * needs), with real files: runWithFakeTimers(clock, promise) drives a run with exact fake time.
 */
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRun, FileStore, systemClock } from '../../src/index.js';
import { RecordingService, runWithFakeTimers } from '../../src/testing.js';

const T0 = Date.UTC(2026, 10, 24, 15, 0, 0); // Tuesday 16:00 in Brussels
/** vitest's defaults: everything but the microtask queues. */
const TO_FAKE: FakeTimers.FakeMethod[] = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'hrtime', 'performance'];
let dir: string;
let clock: ReturnType<typeof FakeTimers.install> | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-sinon-'));
});
afterEach(async () => {
  clock?.uninstall();
  clock = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('runWithFakeTimers with @sinonjs/fake-timers', () => {
  it('runs a job with the calendar, a FileStore and an output file: waits until 17:00, each call exactly 5 s', async () => {
    const store = await FileStore.open(path.join(dir, 'run'));
    clock = FakeTimers.install({ now: T0, toFake: TO_FAKE });
    const service = new RecordingService<number>({ clock: systemClock, latencyMs: 5_000 });
    const starts: number[] = [];
    const run = createRun<number, number>({
      input: Array.from({ length: 8 }, (_, i) => i),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: (item, context) => (starts.push(Date.now()), service.call(item, context)),
      onSuccess: (item) => appendFile(path.join(dir, 'out.txt'), `${item}\n`),
      store,
      waitForWindow: true,
      announcement: { reference: 'SD-2026-0042', announcedOn: '2026-11-10' },
    });
    const summary = await runWithFakeTimers(clock, run.start());
    await store.close();
    const at17 = T0 + 3_600_000;
    expect(summary.totals.succeeded).toBe(8);
    expect(starts).toEqual([at17, at17, at17, at17, at17 + 5_000, at17 + 5_000, at17 + 5_000, at17 + 5_000]);
    expect(Date.now()).toBe(at17 + 10_000);
    expect((await readFile(path.join(dir, 'out.txt'), 'utf8')).trim().split('\n')).toHaveLength(8);
  });

  it('refuses fake timers that fake nextTick or queueMicrotask (FakeTimers.install() defaults), saying how to install them', async () => {
    clock = FakeTimers.install({ now: T0 });
    await expect(runWithFakeTimers(clock, Promise.resolve(1))).rejects.toThrow(/nextTick and queueMicrotask are faked.*toFake/);
  });
});
