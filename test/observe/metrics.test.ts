/**
 * Prometheus metrics of a run (bcss-bulk/metrics), read back from a prom-client registry after
 * a small run under the fake clock with rejects and retries; two runs on one registry.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HttpStatusError } from '../../src/index.js';
import { MetricsRegistrationError, registerRunMetrics } from '../../src/metrics.js';
import { numberedRun, runToEnd } from '../helpers.js';

/** Values of a metric on the registry, as `label=value,… → value` (labels sorted). */
async function values(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const data = await metric.get();
  return Object.fromEntries(
    data.values.map((sample) => [
      Object.entries(sample.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
      sample.value,
    ]),
  );
}

/**
 * 20 items on `rn`: items 3 and 7 are rejected (HTTP 404), items 5 and 11 fail once with a 503
 * and succeed when retried, item 13 fails with a 503 every time (exhausted after 3 attempts).
 */
function smallRun(label?: string) {
  const setup = numberedRun(20, {
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
    respond: (item, attempt) => {
      if (item === 3 || item === 7) throw new HttpStatusError(404);
      if ((item === 5 || item === 11) && attempt === 1) throw new HttpStatusError(503);
      if (item === 13) throw new HttpStatusError(503);
      return item;
    },
  });
  return { ...setup, label };
}

describe('registerRunMetrics', () => {
  it('counts calls, outcomes, retries and rejects by code, and reports caps, in flight, queue and state after a small run', async () => {
    const { clock, run } = smallRun();
    const registry = new Registry();
    registerRunMetrics(run, { registry });

    expect(await values(registry, 'bcss_bulk_window_state')).toMatchObject({ 'state=idle': 1, 'state=running': 0 });
    const done = run.start();
    await clock.advance(100); // the first 4 calls answered, 4 more in flight
    expect(await values(registry, 'bcss_bulk_in_flight')).toEqual({ 'source=rn': 4 });
    expect(await values(registry, 'bcss_bulk_window_state')).toMatchObject({ 'state=running': 1, 'state=idle': 0 });
    await clock.runUntil(() => run.state === 'completed');
    const summary = await done;
    expect(summary.state).toBe('completed');

    // 20 items: 15 first-time successes, 2 successes after a retry, 2 rejects, 1 exhausted.
    // Calls: 20 first attempts + 2 retries of items 5 and 11 + 2 retries of item 13 = 24.
    expect(await values(registry, 'bcss_bulk_calls_total')).toEqual({ 'source=rn': 24 });
    expect(await values(registry, 'bcss_bulk_outcomes_total')).toEqual({
      'outcome=success,source=rn': 17,
      'outcome=reject,source=rn': 2,
      'outcome=exhausted,source=rn': 1,
    });
    expect(await values(registry, 'bcss_bulk_retries_total')).toEqual({ 'source=rn': 4 });
    expect(await values(registry, 'bcss_bulk_rejects_total')).toEqual({ 'code=HTTP_404,source=rn': 2, 'code=HTTP_503,source=rn': 1 });
    expect(await values(registry, 'bcss_bulk_cap')).toEqual({ 'source=rn': 4 });
    expect(await values(registry, 'bcss_bulk_in_flight')).toEqual({ 'source=rn': 0 });
    expect(await values(registry, 'bcss_bulk_queued')).toEqual({ 'source=rn': 0 });
    const state = await values(registry, 'bcss_bulk_window_state');
    expect(Object.entries(state).filter(([, value]) => value === 1)).toEqual([['state=completed', 1]]);
    expect(Object.keys(state)).toHaveLength(8);
    expect(await values(registry, 'bcss_bulk_next_window_timestamp_seconds')).toEqual({ '': 0 });

    // The text a scrape returns, with help and type lines and no key of an item.
    const text = await registry.metrics();
    expect(text).toContain('# TYPE bcss_bulk_calls_total counter');
    expect(text).toContain('bcss_bulk_outcomes_total{source="rn",outcome="reject"} 2');
    expect(text).not.toMatch(/key=/);
  });

  it('reports when the office-hours window opens while the run waits', async () => {
    // Monday 2026-11-23 10:00 in Brussels: the run waits for 17:00.
    const { clock, run } = numberedRun(5, { waitForWindow: true });
    await clock.advanceTo(Date.UTC(2026, 10, 23, 9, 0));
    const registry = new Registry();
    registerRunMetrics(run, { registry, prefix: 'batch_' });
    const done = run.start();
    await clock.advance(1);
    expect(await values(registry, 'batch_window_state')).toMatchObject({ 'state=waiting': 1, 'state=running': 0 });
    expect(await values(registry, 'batch_next_window_timestamp_seconds')).toEqual({ '': Date.UTC(2026, 10, 23, 16, 0) / 1000 });
    await clock.runUntil(() => run.state === 'completed');
    await done;
  });

  it('two runs on one registry: each with its run label; the same label twice, or a run without one, is refused', async () => {
    const first = smallRun();
    const second = smallRun();
    const registry = new Registry();
    const a = registerRunMetrics(first.run, { registry, labels: { run: 'night-a' } });
    registerRunMetrics(second.run, { registry, labels: { run: 'night-b' } });
    expect(() => registerRunMetrics(second.run, { registry, labels: { run: 'night-a' } })).toThrow(MetricsRegistrationError);
    expect(() => registerRunMetrics(second.run, { registry })).toThrow(/give every run on it a different labels.run/);

    await runToEnd(first.clock, first.run);
    expect(await values(registry, 'bcss_bulk_calls_total')).toEqual({ 'run=night-a,source=rn': 24, 'run=night-b,source=rn': 0 });
    a.unregister();
    expect(await values(registry, 'bcss_bulk_calls_total')).toEqual({ 'run=night-b,source=rn': 0 });
  });

  it('a single run without a label, then unregistered: the metrics leave the registry, and another run may register', async () => {
    const { run } = smallRun();
    const registry = new Registry();
    const metrics = registerRunMetrics(run, { registry });
    expect(registry.getSingleMetric('bcss_bulk_cap')).toBeDefined();
    metrics.unregister();
    expect(registry.getMetricsAsArray()).toEqual([]);
    expect(() => registerRunMetrics(smallRun().run, { registry })).not.toThrow();
  });

  it('refuses a prefix whose names are taken by metrics registered outside bcss-bulk', async () => {
    const { Gauge } = await import('prom-client');
    const registry = new Registry();
    new Gauge({ name: 'bcss_bulk_cap', help: 'someone else', registers: [registry] });
    expect(() => registerRunMetrics(smallRun().run, { registry })).toThrow(/bcss_bulk_cap is already on the registry/);
    expect(registry.getMetricsAsArray().map((metric) => metric.name)).toEqual(['bcss_bulk_cap']);
  });
});


