// The night batch's test: a whole night in about a second, against the fake BCSS, real files.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createBcssClient, readLedger, type LogFields } from 'bcss-bulk';
import { createFakeBcss, FakeClock } from 'bcss-bulk/testing';
import { runNightBatch } from './job.js';

it('runs a night: waits for 17:00, 4 calls at a time, stops sending at 08:00, ends at 17:00', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'night-'));
  const people = ['85073003328', '17073003384', '98472899765', '01490700185', '85073003427'];
  await writeFile(path.join(dir, 'in.csv'), ['ssin;name', ...people.map((p) => `${p};x`), '85073003329;typo'].join('\n'));

  const clock = new FakeClock(new Date('2026-11-24T16:00:00+01:00')); // a Tuesday, 16:00 in Brussels
  const bcss = createFakeBcss({
    clock,
    latencyMs: 5_000,
    outcomes: {
      '17073003384': 'not-found',
      '01490700185': 'unknown-ssin',
      // busy until Wednesday 10:00: retried after 08:00, so it waits for the next night
      '98472899765': [{ httpStatus: 503, retryAfter: 'Wed, 25 Nov 2026 09:00:00 GMT' }, 'found'],
    },
  });
  const client = createBcssClient({ transport: bcss.transport, customer: { cbeNumber: '0123456789' }, now: () => clock.now() });
  const states: string[] = [];
  const logger = { info: (f: LogFields) => void (f.event === 'state' && states.push(`${f.to} ${f.at}`)), warn() {}, error() {} };

  const summary = await clock.runUntilSettled(
    runNightBatch({ inputCsv: path.join(dir, 'in.csv'), runDir: path.join(dir, 'run'), outputFile: path.join(dir, 'out.csv'), client, clock, logger }),
  );

  expect(summary.totals).toMatchObject({ succeeded: 4, rejected: 2, exhausted: 0 });
  expect(states).toEqual([
    'waiting 2026-11-24T15:00:00.000Z',   // 16:00: office hours, wait
    'running 2026-11-24T16:00:00.000Z',   // 17:00
    'draining 2026-11-25T07:00:00.000Z',  // 08:00: no new call
    'waiting 2026-11-25T07:00:00.000Z',
    'running 2026-11-25T16:00:00.000Z',   // 17:00: the busy one again
    'completed 2026-11-25T16:00:05.000Z', // one call of exactly 5 s
  ]);
  expect(bcss.peak()).toBeLessThanOrEqual(4);
  expect(bcss.refusals).toEqual([]);                     // every request valid for the BCSS
  expect((await readFile(path.join(dir, 'out.csv'), 'utf8')).split('\n')).toContainEqual(expect.stringMatching(/^17073003384;MSG00100;[0-9a-f-]{36}$/));
  expect((await readLedger(path.join(dir, 'run'))).map((r) => r.code).sort()).toEqual(['INSZ_CHECK_DIGITS', 'MSG00005']);
});
