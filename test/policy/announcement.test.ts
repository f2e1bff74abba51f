/**
 * The announcement rule: a run refuses to start without an announcement or sooner than its
 * lead days after the announcement date (local midnight in Brussels, across DST), stays idle
 * and may be started later; an override starts and is recorded with the name of the batch.
 */
import { describe, expect, it } from 'vitest';
import { AnnouncementError, checkAnnouncement, ConfigError, createRun, earliestStartOf, MemoryStore, type RunOptions } from '../../src/index.js';
import { FakeClock, RecordingService } from '../../src/testing.js';
import { runToEnd } from '../helpers.js';

/** A run of 3 items on a fake clock at `at` (a night, so office hours play no part). */
function announcedRun(at: string, extra: Partial<RunOptions<number, number>>) {
  const clock = new FakeClock(Date.parse(at));
  const store = new MemoryStore();
  const service = new RecordingService<number, number>({ clock, latencyMs: 100 });
  const calls: number[] = [];
  const call: RunOptions<number, number>['call'] = (item, context) => (calls.push(item), service.call(item, context));
  const run = createRun<number, number>({ input: [1, 2, 3], source: 'rn', sources: { rn: { kind: 'rn' } }, call, clock, store, ...extra });
  return { clock, store, calls, run };
}

describe('start() and the announcement', () => {
  it('refuses a run without announcement with NOT_ANNOUNCED; the run stays idle and calls nothing', async () => {
    const h = announcedRun('2026-11-24T21:00:00Z', {});
    const error = await h.run.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnnouncementError);
    expect(error).toMatchObject({ code: 'NOT_ANNOUNCED', earliestStart: undefined });
    expect((error as Error).message).toMatch(/at least 7 days ahead/);
    expect(h.run.state).toBe('idle');
    expect(h.store.meta()).toBeUndefined();
    expect(h.calls).toHaveLength(0);
  });

  it('refuses a start before local midnight 7 days after announcedOn, then starts at that midnight and records the announcement', async () => {
    const announcement = { reference: 'SD-2026-004211', announcedOn: '2026-11-16' };
    // 2026-11-23 00:00 in Brussels (CET, UTC+1) is 2026-11-22T23:00Z: one second before it.
    const h = announcedRun('2026-11-22T22:59:59Z', { announcement, name: 'pensions-monthly' });
    const error = await h.run.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnnouncementError);
    expect(error).toMatchObject({ code: 'ANNOUNCED_TOO_LATE', reference: 'SD-2026-004211', earliestStart: new Date('2026-11-22T23:00:00Z') });
    const message = (error as Error).message;
    expect(message).toContain('SD-2026-004211');
    expect(message).toContain('Mon 2026-11-23 00:00:00 Europe/Brussels (UTC+01:00)');
    expect(message).toContain('2026-11-22T23:00:00.000Z');
    expect(h.run.state).toBe('idle');
    expect(h.calls).toHaveLength(0);

    await h.clock.advance(1_000);
    const summary = await runToEnd(h.clock, h.run);
    expect(summary.state).toBe('completed');
    expect(h.store.meta()).toMatchObject({ name: 'pensions-monthly', announcement: { reference: 'SD-2026-004211', announcedOn: '2026-11-16', leadDays: 7 } });
  });

  it('honours a longer leadDays', async () => {
    const h = announcedRun('2026-11-24T23:30:00Z', { announcement: { reference: 'SD-1', announcedOn: '2026-11-16', leadDays: 10 } });
    await expect(h.run.start()).rejects.toMatchObject({ code: 'ANNOUNCED_TOO_LATE', earliestStart: new Date('2026-11-25T23:00:00Z') });
  });

  it('starts with an override and records its reason', async () => {
    const reason = 'acceptance environment, agreed with the service desk';
    const h = announcedRun('2026-11-24T21:00:00Z', { announcement: { override: { reason } } });
    const summary = await runToEnd(h.clock, h.run);
    expect(summary.state).toBe('completed');
    expect(h.store.meta()?.announcement).toEqual({ overrideReason: reason });
    expect(h.store.meta()?.name).toBeUndefined();
  });

  it('refuses an announcement with neither reference nor override at createRun, naming the paths', () => {
    const error = (() => {
      try {
        announcedRun('2026-11-24T21:00:00Z', { announcement: { leadDays: 7 } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path.join('.')).sort()).toEqual(['announcement.announcedOn', 'announcement.reference']);
  });
});

describe('checkAnnouncement and earliestStartOf', () => {
  it('counts lead days in local days across both DST switches', () => {
    expect(earliestStartOf('2026-03-22', 7, 'Europe/Brussels').toISOString()).toBe('2026-03-28T23:00:00.000Z'); // 29 March 00:00 CET
    expect(earliestStartOf('2026-03-23', 7, 'Europe/Brussels').toISOString()).toBe('2026-03-29T22:00:00.000Z'); // 30 March 00:00 CEST
    expect(earliestStartOf('2026-10-20', 7, 'Europe/Brussels').toISOString()).toBe('2026-10-26T23:00:00.000Z'); // 27 October 00:00 CET
    expect(earliestStartOf('2026-06-01', 7, 'UTC').toISOString()).toBe('2026-06-08T00:00:00.000Z');
  });

  it('is ok at and after the earliest start, with the record to keep', () => {
    const announcement = { reference: 'SD-9', announcedOn: '2026-06-01' };
    expect(checkAnnouncement(announcement, Date.parse('2026-06-07T21:59:59.999Z')).ok).toBe(false);
    expect(checkAnnouncement(announcement, Date.parse('2026-06-07T22:00:00Z'))).toEqual({ ok: true, record: { reference: 'SD-9', announcedOn: '2026-06-01', leadDays: 7 } });
  });

  it('throws a ConfigError with paths for a malformed announcement', () => {
    expect(() => checkAnnouncement({ reference: 'SD-9', announcedOn: '2026-02-30' }, 0)).toThrow(ConfigError);
    try {
      checkAnnouncement({ reference: 'SD-9', announcedOn: '2026-06-01', leadDays: 3 }, 0);
    } catch (error) {
      expect((error as ConfigError).issues[0]?.path).toEqual(['announcement', 'leadDays']);
    }
    expect.assertions(2);
  });
});
