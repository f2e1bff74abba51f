/**
 * The one way to attach an observer, for the progress tracker, the progress bar and the
 * Prometheus metrics: `attach(run, observer)` returns a Detach; after it no sample, line or
 * metric update comes, no listener is left behind, and a terminal gets its cursor back.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BcssBulkError, ConfigError, HttpStatusError } from '../../src/index.js';
import { attach } from '../../src/observe/attach.js';
import { MetricsRegistrationError, ObserverAttachedError } from '../../src/observe/errors.js';
import { progressTracker } from '../../src/observe/progress.js';
import { progressBar } from '../../src/observe/progress-bar.js';
import { runMetrics } from '../../src/observe/run-metrics.js';
import { driveToEnd, numberedRun } from '../helpers.js';
import { countingRun } from './counting-run.js';
import { fakeStream } from '../support/fake-stream.js';

const HIDE = '\u001b[?25l';
const SHOW = '\u001b[?25h';


/** The samples of a metric as `label=value,… → value`. */
async function values(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const data = await metric.get();
  return Object.fromEntries(data.values.map((sample) => [Object.entries(sample.labels).map(([k, v]) => `${k}=${String(v)}`).sort().join(','), sample.value]));
}

describe('attach(run, progressTracker(options))', () => {
  it('measures the rate and the ETA from its samples; after detaching it holds no listener and its snapshot still reads the run', async () => {
    // 400 items, 4 at a time, 100 ms per call: 40 items per second.
    const { clock, run } = numberedRun(400, { latencyMs: 100, progressIntervalMs: 1_000 });
    const counted = countingRun(run);
    const progress = progressTracker({ total: 400, windowMs: 60_000, calendar: null });
    expect(() => progress.snapshot()).toThrow(expect.objectContaining({ code: 'OBSERVER_NOT_ATTACHED' }));
    const off = attach(counted.view, progress);
    expect(counted.live()).toBe(2);
    const done = run.start();
    await clock.advance(5_000);
    const during = progress.snapshot();
    expect(during.finished).toBe(200);
    expect(during.throughputPerSecond).toBe(40);
    expect(during.eta?.getTime()).toBe(clock.now() + 5_000);
    off();
    off();
    expect(counted.live()).toBe(0);
    await driveToEnd(clock, run);
    await done;
    expect(progress.snapshot()).toMatchObject({ state: 'completed', finished: 400, remaining: 0 });
  });

  it('follows one run, and bad options are a ConfigError naming the field (the calendar under `calendar`)', () => {
    const progress = progressTracker();
    attach(numberedRun(1).run, progress);
    expect(() => attach(numberedRun(1).run, progress)).toThrow(ObserverAttachedError);
    for (const [options, path] of [
      [{ windowMs: 0 }, ['windowMs']],
      [{ total: -1 }, ['total']],
      [{ calendar: { timeZone: 'Mars/Olympus' } }, ['calendar', 'timeZone']],
    ] as const) {
      try {
        progressTracker(options);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).issues[0]?.path).toEqual(path);
      }
    }
  });
});

describe('attach(run, progressBar(options))', () => {
  it('on a terminal: detaching before the end shows the cursor again, writes nothing more and leaves no listener', async () => {
    const { clock, run } = numberedRun(400, { latencyMs: 100, progressIntervalMs: 200 });
    const counted = countingRun(run);
    const stream = fakeStream(true);
    const bar = progressBar({ stream, total: 400, color: false, calendar: null });
    const off = attach(counted.view, bar);
    const done = run.start();
    await clock.advance(2_000);
    expect(stream.chunks[0]?.startsWith(HIDE)).toBe(true);
    expect(stream.chunks.join('')).not.toContain(SHOW);
    expect(bar.snapshot().finished).toBe(80);
    off();
    expect(stream.chunks.at(-1)).toBe(SHOW);
    expect(counted.live()).toBe(0);
    const written = stream.chunks.length;
    off[Symbol.dispose]();
    await driveToEnd(clock, run);
    await done;
    expect(stream.chunks.length).toBe(written);
    expect(bar.failure).toBeUndefined();
  });

  it('into a log: after detaching, no more lines (not even the summary)', async () => {
    const { clock, run } = numberedRun(400, { latencyMs: 100, progressIntervalMs: 200 });
    const stream = fakeStream(false);
    const off = attach(run, progressBar({ stream, total: 400, plainIntervalMs: 1_000 }));
    const done = run.start();
    await clock.advance(3_000);
    const lines = stream.chunks.join('');
    expect(lines).toContain('idle → running');
    off();
    await driveToEnd(clock, run);
    await done;
    expect(stream.chunks.join('')).toBe(lines);
    expect(lines).not.toContain('completed');
  });

  it('follows one run, and bad options are a ConfigError naming the field', () => {
    const bar = progressBar({ stream: fakeStream(false) });
    attach(numberedRun(1).run, bar);
    expect(() => attach(numberedRun(1).run, bar)).toThrow(ObserverAttachedError);
    try {
      progressBar({ intervalMs: -5, stream: {} as never });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual([['stream'], ['intervalMs']]);
    }
  });
});

describe('attach(run, runMetrics(options))', () => {
  it('registers the run series; detaching removes them and the reject listener, and the registry takes another run', async () => {
    const { clock, run } = numberedRun(10, {
      respond: (item) => {
        if (item === 3) throw new HttpStatusError(404);
        return item;
      },
    });
    const counted = countingRun(run);
    const registry = new Registry();
    const off = attach(counted.view, runMetrics({ registry }));
    expect(counted.live()).toBe(1);
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    expect(await values(registry, 'bcss_bulk_outcomes_total')).toMatchObject({ 'outcome=success,source=rn': 9, 'outcome=reject,source=rn': 1 });
    expect(await values(registry, 'bcss_bulk_window_state')).toMatchObject({ 'state=completed': 1 });
    off();
    expect(counted.live()).toBe(0);
    expect(await registry.getMetricsAsJSON()).toEqual([]);
    off();
    // The same registry and prefix take a new run once the first is detached.
    const next = numberedRun(2);
    const offNext = attach(next.run, runMetrics({ registry }));
    expect(await values(registry, 'bcss_bulk_window_state')).toMatchObject({ 'state=idle': 1 });
    offNext[Symbol.dispose]();
    expect(await registry.getMetricsAsJSON()).toEqual([]);
  });

  it('two labelled runs on one registry: detaching one leaves the other series', async () => {
    const registry = new Registry();
    const a = numberedRun(2);
    const b = numberedRun(2);
    const offA = attach(a.run, runMetrics({ registry, labels: { run: 'a' } }));
    attach(b.run, runMetrics({ registry, labels: { run: 'b' } }));
    expect(Object.keys(await values(registry, 'bcss_bulk_cap'))).toEqual(['run=a,source=rn', 'run=b,source=rn']);
    offA();
    expect(Object.keys(await values(registry, 'bcss_bulk_cap'))).toEqual(['run=b,source=rn']);
  });

  it('an attach the registry refuses throws MetricsRegistrationError and leaves the observer free to attach once the name is free', async () => {
    const registry = new Registry();
    const { Gauge } = await import('prom-client');
    new Gauge({ name: 'bcss_bulk_cap', help: 'someone else', registers: [registry] });
    const metrics = runMetrics({ registry });
    const { run } = numberedRun(1);
    expect(() => attach(run, metrics)).toThrow(MetricsRegistrationError);
    registry.removeSingleMetric('bcss_bulk_cap');
    const off = attach(run, metrics);
    expect(await values(registry, 'bcss_bulk_cap')).toEqual({ 'source=rn': 4 });
    off();
  });

  it('follows one run, and bad options are a ConfigError naming the field', () => {
    const metrics = runMetrics({ registry: new Registry() });
    attach(numberedRun(1).run, metrics);
    expect(() => attach(numberedRun(1).run, metrics)).toThrow(ObserverAttachedError);
    expect(() => attach(numberedRun(1).run, metrics)).toThrow(BcssBulkError);
    try {
      runMetrics({ prefix: '1-bad', labels: { run: '', other: 'x' } as never });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual([['prefix'], ['labels', 'run'], ['labels']]);
    }
  });
});
