/**
 * The report for the BCSS against what the test's own service saw: a two-night batch of two
 * sources on a FakeClock, recorded in a real run directory, gives exactly the peaks, the calls
 * per hour and the verdicts the service observed; a run with the calendar turned off inside
 * office hours shows its calls there, and the failed rule with the override's reason.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRun, FileStore, planBatch, type CallContext } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { readReport } from '../../src/report/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function runDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bcss-report-'));
  dirs.push(dir);
  return dir;
}

/** A service on the clock that sees, per source, the calls in flight per second and the calls per hour. */
function observingService(clock: FakeClock, latencyOf: (position: number) => number) {
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  const perHour = new Map<string, number>();
  let inOfficeHours = 0;
  const call = (item: number, context: CallContext) => {
    const source = context.source;
    const now = clock.now();
    const current = (inFlight.get(source) ?? 0) + 1;
    inFlight.set(source, current);
    peak.set(source, Math.max(peak.get(source) ?? 0, current));
    const hour = new Date(now - (now % 3_600_000)).toISOString();
    perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
    const local = new Date(now + 3_600_000); // Brussels in January: UTC+1
    if (local.getUTCDay() >= 1 && local.getUTCDay() <= 5 && local.getUTCHours() >= 8 && local.getUTCHours() < 17) inOfficeHours++;
    return new Promise<number>((resolve) =>
      clock.setTimeout(() => {
        inFlight.set(source, inFlight.get(source)! - 1);
        resolve(item);
      }, latencyOf(item)),
    );
  };
  return { call, peak, perHour, inOfficeHours: () => inOfficeHours };
}

describe('report for the BCSS', () => {
  it('gives the peaks, calls per hour and verdicts of a two-night batch of two sources as its service saw them', { timeout: 60_000 }, async () => {
    // Tue 2026-01-06 05:00Z = 06:00 in Brussels: two hours before office hours, then the next night.
    const clock = new FakeClock(Date.UTC(2026, 0, 6, 5, 0, 0));
    const dir = runDir();
    const store = await FileStore.open(dir);
    const service = observingService(clock, (item) => 30_000 + (item % 5) * 10_000);
    const items = Array.from({ length: 1050 }, (_, i) => i);
    const plan = planBatch({ volumes: { rn: 700, pensions: 350 }, sources: { rn: { kind: 'rn' }, pensions: { kind: 'authentic' } }, latencyMs: 50_000, start: new Date(clock.now()) });
    const run = createRun<number, number>({
      input: items,
      source: (item) => (item % 3 === 0 ? 'pensions' : 'rn'),
      sources: { rn: { kind: 'rn' }, pensions: { kind: 'authentic' } },
      call: service.call,
      clock,
      store,
      waitForWindow: true,
      announcement: { reference: 'SD-2026-000042', announcedOn: '2025-12-22' },
      name: 'two-nights',
      plan,
      timeoutMs: 120_000, // calls take 30–70 s here: none times out
    });
    // Night 2 (from 16:00Z): a manual pause of 6 minutes at 16:10Z.
    clock.setTimeout(() => run.pause(), Date.UTC(2026, 0, 6, 16, 10) - clock.now());
    clock.setTimeout(() => void run.resume(), Date.UTC(2026, 0, 6, 16, 16) - clock.now());
    const done = run.start();
    await clock.runUntil(() => ['completed', 'failed', 'stopped'].includes(run.state));
    const summary = await done;
    await store.close();
    expect(summary.totals.succeeded).toBe(1050);

    const report = await readReport([dir]);
    expect(report.ended).toBe(true);
    expect(report.peakConcurrency).toEqual({ rn: service.peak.get('rn'), pensions: service.peak.get('pensions') });
    expect(report.peakConcurrency).toEqual({ rn: 4, pensions: 2 });
    expect(report.caps).toEqual({ rn: 4, pensions: 2 });
    const hours = Object.fromEntries(report.callsPerHour.filter((hour) => hour.calls > 0).map((hour) => [hour.hour, hour.calls]));
    expect(hours).toEqual(Object.fromEntries(service.perHour));
    expect(new Set(report.callsPerHour.map((hour) => hour.hour.slice(0, 10)))).toEqual(new Set(['2026-01-06']));
    expect(report.callsPerHour.some((hour) => hour.officeHours)).toBe(true); // the office hours between the nights, without calls
    expect(report.callsPerHour.filter((hour) => hour.officeHours).every((hour) => hour.calls === 0)).toBe(true);
    expect(report.totalCalls).toBe(1050);
    expect(report.callsStartedInOfficeHours).toBe(service.inOfficeHours());
    expect(report.callsStartedInOfficeHours).toBe(0);
    expect(report.announcement).toMatchObject({ reference: 'SD-2026-000042', leadTimeDays: 15 });
    expect(report.pauses).toEqual([expect.objectContaining({ reason: 'manual', delayMs: 360_000, honoured: true })]);
    expect(report.timeline.map((period) => period.state)).toContain('waiting');
    expect(report.plan).toMatchObject({ plannedCalls: plan.totalCalls, plannedHours: plan.hours, actualCalls: 1050, plannedStart: plan.start.toISOString() });
    expect(report.plan!.sources).toEqual([
      { source: 'rn', plannedCalls: plan.sources[0]!.calls, actualCalls: 700, plannedCap: 4, peakConcurrency: 4 },
      { source: 'pensions', plannedCalls: plan.sources[1]!.calls, actualCalls: 350, plannedCap: 2, peakConcurrency: 2 },
    ]);
    expect(report.rules.map((rule) => [rule.id, rule.ok])).toEqual([
      ['announcement', true],
      ['office-hours', true],
      ['cap:rn', true],
      ['cap:pensions', true],
      ['min-pause', true],
      ['reject-ratio', true],
    ]);
    expect(report.rules.find((rule) => rule.id === 'cap:rn')!.detail).toBe('rn: peak of 4 simultaneous calls, BCSS cap 4');
    expect(readdirSync(dir).filter((name) => name.startsWith('records-'))).toHaveLength(1);
  });

  it('shows calls in office hours and the failed rules, with the overrides\' reasons, for a run with the calendar off and a cap raised', { timeout: 30_000 }, async () => {
    // Mon 2026-01-05 09:00Z = 10:00 in Brussels, office hours.
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    const dir = runDir();
    const store = await FileStore.open(dir);
    const service = observingService(clock, () => 1_000);
    const run = createRun<number, number>({
      input: Array.from({ length: 60 }, (_, i) => i),
      source: 'pensions',
      sources: { pensions: { kind: 'authentic', cap: 3, override: { reason: 'written agreement of the source, ticket 4711' } } },
      call: service.call,
      clock,
      store,
      calendar: { enforce: false, override: { reason: 'acceptance environment of the BCSS, agreed by mail' } },
      announcement: { override: { reason: 'acceptance test, not a mass call' } },
    });
    const done = run.start();
    await clock.runUntil(() => ['completed', 'failed', 'stopped'].includes(run.state));
    await done;
    await store.close();

    const report = await readReport([dir]);
    expect(report.callsStartedInOfficeHours).toBeGreaterThan(0);
    expect(report.callsStartedInOfficeHours).toBe(service.inOfficeHours());
    expect(report.callsStartedInOfficeHours).toBe(60);
    const officeRule = report.rules.find((rule) => rule.id === 'office-hours')!;
    expect(officeRule).toMatchObject({ ok: false, override: 'acceptance environment of the BCSS, agreed by mail' });
    expect(officeRule.detail).toContain('60 calls started in office hours');
    expect(officeRule.detail).toContain('acceptance environment of the BCSS, agreed by mail');
    expect(report.peakConcurrency).toEqual({ pensions: 3 });
    expect(report.rules.find((rule) => rule.id === 'cap:pensions')).toMatchObject({ ok: false, override: 'written agreement of the source, ticket 4711' });
    expect(report.rules.find((rule) => rule.id === 'announcement')).toMatchObject({ ok: false, override: 'acceptance test, not a mass call' });
  });
});
