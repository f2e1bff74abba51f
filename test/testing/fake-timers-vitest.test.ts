/**
 * vi.useFakeTimers() with vitest's defaults (setImmediate, setTimeout, setInterval, Date,
 * performance... faked) and real files: the FileStore still writes, still groups its fsyncs,
 * and runWithFakeTimers(vi, promise) drives a run with exact fake time.
 */
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRun, FileStore, nodeFileSystem, systemClock, type FileSystem, type OutcomeRecord } from '../../src/index.js';
import { RecordingService, runWithFakeTimers } from '../../src/testing.js';

const realSetTimeout = globalThis.setTimeout; // taken before the test fakes it
const T0 = Date.UTC(2026, 0, 5, 20, 0, 0);
const OFF = { calendar: { enforce: false, override: { reason: 'unit test of fake timers, no BCSS call' } }, announcement: { override: { reason: 'unit test of fake timers, no BCSS call' } } } as const;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-vi-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

/** Resolves with the promise's outcome, or 'timed out' after `ms` of real time. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  return Promise.race([promise, new Promise<'timed out'>((resolve) => realSetTimeout(() => resolve('timed out'), ms))]);
}

function reject(position: number): OutcomeRecord {
  return { position, key: `#${position}`, source: 'rn', outcome: 'reject', attempts: 1, code: 'X', reason: 'test', firstAttemptAt: '2026-01-05T20:00:00.000Z', lastAttemptAt: '2026-01-05T20:00:00.000Z' };
}

/** The real file system, counting fsyncs of appended files. */
function countingFs(): { fs: FileSystem; syncs: () => number } {
  let syncs = 0;
  const fs: FileSystem = {
    ...nodeFileSystem,
    openAppend: async (file, mode, exclusive) => {
      const handle = await nodeFileSystem.openAppend(file, mode, exclusive);
      return { ...handle, sync: () => (syncs++, handle.sync()) };
    },
  };
  return { fs, syncs: () => syncs };
}

describe('FileStore under vi.useFakeTimers() (defaults)', () => {
  it('stores records while no fake timer is advanced (its group commit does not wait on the faked setImmediate)', async () => {
    const store = await FileStore.open(path.join(dir, 'run'));
    vi.useFakeTimers();
    expect(await within(store.record(reject(0)).then(() => 'stored'), 5_000)).toBe('stored');
    expect(await within(store.close().then(() => 'closed'), 5_000)).toBe('closed');
  });

  it('still groups: 100 records waiting together cost one fsync of their ledger', async () => {
    const { fs, syncs } = countingFs();
    const store = await FileStore.open(path.join(dir, 'run'), { fs });
    vi.useFakeTimers();
    const before = syncs();
    await within(Promise.all(Array.from({ length: 100 }, (_, i) => store.record(reject(i)))), 5_000);
    expect(syncs() - before).toBe(1);
    await store.close();
  });
});

describe('FileStore group commit with real timers', () => {
  it('groups the records of the callbacks of one turn of the event loop: 50 immediates, one fsync', async () => {
    const { fs, syncs } = countingFs();
    const store = await FileStore.open(path.join(dir, 'run'), { fs });
    const before = syncs();
    const records = await new Promise<Array<Promise<void>>>((resolve) => {
      const made: Array<Promise<void>> = [];
      for (let i = 0; i < 50; i++) setImmediate(() => made.push(store.record(reject(i))) === 50 && resolve(made));
    });
    await Promise.all(records);
    expect(syncs() - before).toBe(1);
    await store.close();
  });
});

describe('runWithFakeTimers(vi, promise)', () => {
  it('runs a job with a FileStore and onSuccess writing a file, each call exactly 5 s of fake time', async () => {
    const store = await FileStore.open(path.join(dir, 'run'));
    vi.useFakeTimers({ now: T0 });
    const service = new RecordingService<number>({ clock: systemClock, latencyMs: 5_000 });
    const calls: Array<[number, number]> = [];
    const run = createRun<number, number>({
      ...OFF,
      input: Array.from({ length: 10 }, (_, i) => i),
      source: 'inami',
      sources: { inami: { kind: 'authentic' } },
      call: async (item, context) => {
        const started = Date.now();
        const value = await service.call(item, context);
        calls.push([started - T0, Date.now() - started]);
        return value;
      },
      onSuccess: (item) => appendFile(path.join(dir, 'out.txt'), `${item}\n`),
      store,
    });
    const summary = await runWithFakeTimers(vi, run.start());
    await store.close();
    expect(summary.totals.succeeded).toBe(10);
    expect(calls.map(([at]) => at)).toEqual([0, 0, 5_000, 5_000, 10_000, 10_000, 15_000, 15_000, 20_000, 20_000]);
    expect(calls.every(([, took]) => took === 5_000)).toBe(true);
    expect(Date.now()).toBe(T0 + 25_000);
  });

  it('returns the value, throws the error, and fails when nothing can settle the promise', async () => {
    vi.useFakeTimers({ now: T0 });
    const later = (ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(Date.now() - T0), ms));
    await expect(runWithFakeTimers(vi, later(3_600_000))).resolves.toBe(3_600_000);
    await expect(runWithFakeTimers(vi, later(10).then(() => Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
    await expect(runWithFakeTimers(vi, new Promise(() => undefined), { stuckAfterMs: 50 })).rejects.toThrow(/no fake timer is pending/);
  });

  it('refuses an object that is neither vi nor a fake-timers clock', async () => {
    await expect(runWithFakeTimers({} as never, Promise.resolve(1))).rejects.toThrow(TypeError);
  });
});
