/**
 * The report of a live run (what happened up to the last whole minute), and of a batch run by
 * two processes at once, one run directory each (shared mode's layout), merged: calls add up
 * exactly, and the peaks per second add up to what the one service saw.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRun, FileStore, type CallContext } from '../../src/index.js';
import { FakeClock, RecordingService } from '../../src/testing.js';
import { readReport } from '../../src/report/index.js';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

const work = mkdtempSync(path.join(tmpdir(), 'bcss-report-live-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const START = Date.UTC(2026, 0, 5, 20, 0, 0);

describe('report of a live run and of several processes', () => {
  it('reports a live run up to its last whole minute, then the whole of it', { timeout: 30_000 }, async () => {
    const clock = new FakeClock(START);
    const dir = path.join(work, 'live');
    const store = await FileStore.open(dir);
    const startedAt: number[] = [];
    const service = new RecordingService<number, number>({ clock, latencyMs: 1_500 });
    const call = (item: number, context: CallContext) => {
      startedAt.push(clock.now());
      return service.call(item, context);
    };
    const run = createRun<number, number>({ input: Array.from({ length: 100_000 }, (_, i) => i), source: 'rn', sources: { rn: { kind: 'rn' } }, call, clock, store, announcement: TEST_ANNOUNCEMENT });
    const done = run.start();
    await clock.advance(10 * 60_000 + 500);

    const live = await readReport([dir]);
    expect(live.ended).toBe(false);
    const beforeMinute10 = startedAt.filter((at) => at < START + 10 * 60_000).length;
    expect(live.totalCalls).toBe(beforeMinute10);
    expect(live.peakConcurrency).toEqual({ rn: 4 });
    expect(live.timeline).toEqual([expect.objectContaining({ state: 'running', reason: 'start' })]);
    expect(live.timeline[0]!.to).toBeUndefined();

    const stopped = run.stop();
    await clock.runUntil(() => run.state === 'stopped');
    await stopped;
    await done;
    await store.close();
    const whole = await readReport([dir]);
    expect(whole.ended).toBe(true);
    expect(whole.totalCalls).toBe(startedAt.length);
    expect(whole.timeline.map((period) => period.state)).toEqual(['running', 'draining']);
  });

  it('merges the run directories of two processes calling one service at once', { timeout: 30_000 }, async () => {
    const clock = new FakeClock(START);
    const service = new RecordingService<number, number>({ clock, latencyMs: (item) => 800 + (item % 7) * 300 });
    const dirs = [path.join(work, 'process-1'), path.join(work, 'process-2')];
    const stores = await Promise.all(dirs.map((dir) => FileStore.open(dir)));
    const runs = stores.map((store, n) =>
      createRun<number, number>({ input: Array.from({ length: 300 + n * 50 }, (_, i) => i), source: 'rn', sources: { rn: { kind: 'rn', cap: 2 } }, call: service.call, clock, store, announcement: TEST_ANNOUNCEMENT }),
    );
    const done = runs.map((run) => run.start());
    await clock.runUntil(() => runs.every((run) => run.state === 'completed'));
    await Promise.all(done);
    await Promise.all(stores.map((store) => store.close()));

    const report = await readReport(dirs);
    expect(report.runs).toBe(2);
    expect(report.dirs).toEqual(dirs);
    expect(report.totalCalls).toBe(service.calls('rn'));
    expect(report.totalCalls).toBe(650);
    expect(report.peakConcurrency).toEqual({ rn: service.peak('rn') });
    expect(report.totals.succeeded).toBe(650);
    expect(report.rules.find((rule) => rule.id === 'cap:rn')).toMatchObject({ ok: true });
  });
});
