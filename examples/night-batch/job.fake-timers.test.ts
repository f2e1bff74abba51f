// The same night under vitest's own fake timers (defaults): no clock option anywhere.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { createBcssClient, systemClock } from 'bcss-bulk';
import { createFakeBcss, runWithFakeTimers } from 'bcss-bulk/testing';
import { runNightBatch } from './job.js';

afterEach(() => vi.useRealTimers());

it('runs the night under vi.useFakeTimers()', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'night-'));
  await writeFile(path.join(dir, 'in.csv'), 'ssin;name\n85073003328;x\n98472899765;x\n17073003384;x\n');
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-24T16:00:00+01:00')); // a Tuesday, 16:00 in Brussels
  const bcss = createFakeBcss({
    clock: systemClock, // vitest owns setTimeout and Date now
    latencyMs: 5_000,
    outcomes: { '98472899765': [{ httpStatus: 503, retryAfter: 'Wed, 25 Nov 2026 09:00:00 GMT' }, 'found'] },
  });
  const client = createBcssClient({ transport: bcss.transport, customer: { cbeNumber: '0123456789' } });

  const summary = await runWithFakeTimers(
    vi,
    runNightBatch({ inputCsv: path.join(dir, 'in.csv'), runDir: path.join(dir, 'run'), outputFile: path.join(dir, 'out.csv'), client }),
  );

  expect(summary.totals).toMatchObject({ succeeded: 3, rejected: 0, exhausted: 0 });
  expect(bcss.calls.map((c) => new Date(Date.parse(c.sentAt!)).toISOString())).toEqual([
    '2026-11-24T16:00:00.000Z', // 17:00 in Brussels, not before
    '2026-11-24T16:00:00.000Z',
    '2026-11-24T16:00:00.000Z',
    '2026-11-25T16:00:00.000Z', // the busy one: not at 10:00 (office hours), at 17:00
  ]);
  expect(Date.now()).toBe(Date.parse('2026-11-25T17:00:05+01:00')); // its call took exactly 5 s
  expect((await readFile(path.join(dir, 'out.csv'), 'utf8')).trim().split('\n')).toHaveLength(3);
});
