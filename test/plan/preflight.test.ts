/**
 * preflight(): the plan, the announcement rule at the planned start (the same function as
 * start()), a start in office hours, a deadline the plan misses, and the mutations advice from
 * real run directories.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRun, FileStore, preflight, type PreflightInput } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { runToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';

const THURSDAY_17 = new Date('2026-11-26T16:00:00Z');
const batch: PreflightInput = {
  volumes: { rn: 5_760_000 },
  sources: { rn: { kind: 'rn' } },
  latencyMs: 250,
  start: THURSDAY_17,
  now: new Date('2026-11-16T10:00:00Z'),
  name: 'pensions-2027',
};
const codes = (report: { problems: readonly { code: string }[] }) => report.problems.map((p) => p.code);

describe('preflight', () => {
  it('is ok for a batch announced a week before its start, with the plan and its text', async () => {
    const report = await preflight({ ...batch, announcement: { reference: 'SD-2026-004211', announcedOn: '2026-11-19' } });
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.plan.end).toEqual(new Date('2026-12-01T23:00:00Z'));
    expect(report.advice).toBeUndefined();
    const text = report.text('nl', { contact: 'ICT, 02 123 45 67' });
    expect(text).toContain('Verwerking: pensions-2027');
    expect(text).toContain('Referentie: SD-2026-004211');
    expect(text).toContain('Contactpersoon: ICT, 02 123 45 67');
  });

  it('without announcement: NOT_ANNOUNCED, saying the last day to announce for this start', async () => {
    const report = await preflight(batch);
    expect(report.ok).toBe(false);
    expect(codes(report)).toEqual(['NOT_ANNOUNCED']);
    expect(report.problems[0]!.message).toContain('announce it on 2026-11-19 at the latest');
  });

  it('announced too late for the planned start: ANNOUNCED_TOO_LATE with the earliest start', async () => {
    const report = await preflight({ ...batch, announcement: { reference: 'SD-2026-004211', announcedOn: '2026-11-20' } });
    expect(codes(report)).toEqual(['ANNOUNCED_TOO_LATE']);
    expect(report.problems[0]!.message).toContain('Fri 2026-11-27 00:00:00 Europe/Brussels');
  });

  it('notes an override, a start in office hours, and a deadline the plan misses', async () => {
    const report = await preflight({
      ...batch,
      start: new Date('2026-11-26T10:00:00Z'), // 11:00 on Thursday: calls begin at 17:00
      announcement: { override: { reason: 'acceptance environment, agreed with the service desk' } },
      deadline: new Date('2026-11-30T07:00:00Z'), // Monday 08:00: 78 h of the 100 needed
    });
    expect(codes(report)).toEqual(['ANNOUNCEMENT_OVERRIDDEN', 'STARTS_IN_OFFICE_HOURS', 'DEADLINE_MISSED']);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.severity)).toEqual(['info', 'info', 'error']);
    expect(report.problems[1]!.message).toContain('calls begin at Thu 2026-11-26 17:00:00');
    expect(report.problems[2]!.message).toContain('ends Wed 2026-12-02 00:00:00');
    const blackout = await preflight({ ...batch, announcement: { reference: 'SD-1', announcedOn: '2026-11-10' }, calendar: { blackouts: [{ from: '2026-11-26T17:00', to: '2026-11-26T22:00' }] } });
    expect(codes(blackout)).toEqual(['STARTS_IN_OFFICE_HOURS']);
    expect(blackout.problems[0]!.message).toContain('calls begin at Thu 2026-11-26 22:00:00');
    const enough = await preflight({ ...batch, announcement: { override: { reason: 'acceptance environment, agreed' } }, deadline: new Date('2026-12-02T07:00:00Z') });
    expect(enough.ok).toBe(true);
  });

  it('advises mutations for a recurring batch and for a batch name found in the run directories', async () => {
    const recurring = await preflight({ ...batch, announcement: { reference: 'SD-1', announcedOn: '2026-11-10' }, recurring: true });
    expect(codes(recurring)).toEqual(['MUTATIONS_ADVISED']);
    expect(recurring.ok).toBe(true); // advice, not a refusal
    expect(recurring.advice!.message('fr')).toContain('mutations du Registre national');

    const root = await mkdtemp(path.join(tmpdir(), 'bcss-preflight-'));
    try {
      const clock = new FakeClock(Date.parse('2026-10-29T20:00:00Z'));
      const store = await FileStore.open(path.join(root, 'october'));
      await runToEnd(clock, createRun<number, number>({ input: [1], source: 'rn', sources: { rn: { kind: 'rn' } }, call: (n) => n, clock, store, name: 'pensions-2027', announcement: TEST_ANNOUNCEMENT }));
      await store.close();
      const report = await preflight({ ...batch, announcement: { reference: 'SD-1', announcedOn: '2026-11-10' }, historyDirs: root });
      expect(codes(report)).toEqual(['MUTATIONS_ADVISED']);
      expect(report.advice!.earlierRuns.map((r) => r.startedAt.toISOString())).toEqual(['2026-10-29T20:00:00.000Z']);
      expect(report.problems[0]!.message).toContain('"pensions-2027" already ran recently (2026-10-29)');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
