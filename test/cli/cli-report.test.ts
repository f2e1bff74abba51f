/**
 * `bcss-bulk report`: the verdicts as text, the figures as JSON, the page in Dutch, and the
 * errors of bad arguments and of a directory without records.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';
import { createRun, FileStore, HttpStatusError } from '../../src/index.js';
import { FakeClock, RecordingService } from '../../src/testing.js';

const work = mkdtempSync(path.join(tmpdir(), 'bcss-cli-report-'));
const dir = path.join(work, 'run');
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 20, 0, 0));
  const store = await FileStore.open(dir);
  const service = new RecordingService<number, number>({
    clock,
    respond: (item) => {
      if (item % 4 === 1) throw new HttpStatusError(404, { message: 'no such person' });
      return item;
    },
  });
  const run = createRun<number, number>({ input: Array.from({ length: 200 }, (_, i) => i), source: 'pensions', sources: { pensions: { kind: 'authentic' } }, call: service.call, clock, store, name: 'cli-report', announcement: { reference: 'SD-2026-000007', announcedOn: '2025-12-29' }, rejectBudget: { maxRatio: 0.5 } });
  const done = run.start();
  await clock.runUntil(() => run.state === 'completed');
  await done;
  await store.close();
});

describe('bcss-bulk report', () => {
  it('prints a verdict per rule', async () => {
    const result = await cli('report', dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Report for the BCSS — cli-report: 2026-01-05T20:00:00.000Z');
    expect(result.stdout).toContain('ok    announcement: announced as SD-2026-000007 on 2025-12-29, 7 days before the start (at least 7)');
    expect(result.stdout).toContain('ok    cap:pensions: pensions: peak of 2 simultaneous calls, BCSS cap 2');
    expect(result.stdout).toContain('ok    reject-ratio: 50 rejected of 200 items finished (25 %), at most 50 %');
  });

  it('prints the figures as JSON and writes the page in Dutch', async () => {
    const page = path.join(work, 'rapport.html');
    const result = await cli('report', dir, '--json', '--out', page, '--lang', 'nl');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { peakConcurrency: object; caps: object; callsStartedInOfficeHours: number; rejectsByCode: object; rules: { id: string; ok: boolean; detail: string }[] };
    expect(report.peakConcurrency).toEqual({ pensions: 2 });
    expect(report.caps).toEqual({ pensions: 2 });
    expect(report.callsStartedInOfficeHours).toBe(0);
    expect(report.rejectsByCode).toEqual({ HTTP_404: 50 });
    expect(report.rules.map((rule) => rule.id)).toEqual(['announcement', 'office-hours', 'cap:pensions', 'min-pause', 'reject-ratio']);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain('Rapport voor de KSZ');
    expect(html).toContain('pensions: piek van 2 gelijktijdige oproepen, KSZ-plafond 2');
  });

  it('names what is wrong: no directory, no records, a language it does not speak', async () => {
    expect(await cli('report')).toMatchObject({ code: 1, stderr: expect.stringContaining('DIR: give at least one run directory') });
    expect(await cli('report', work)).toMatchObject({ code: 1, stderr: expect.stringContaining('holds no compliance records') });
    expect(await cli('report', dir, '--lang', 'de')).toMatchObject({ code: 1, stderr: expect.stringContaining("lang: expected fr, nl or en, got 'de'") });
    expect((await cli('report', dir, '--bogus')).code).toBe(2);
    expect((await cli('report', '--help')).stdout).toContain('bcss-bulk report DIR... [--json] [--out FILE.html] [--lang fr|nl|en]');
  });
});
