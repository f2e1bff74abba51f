/**
 * The `logger` option: what the run logs, at which level, in pino's call shape; with a
 * recording logger, node's Console and a real pino instance writing to a stream.
 */
import { Console } from 'node:console';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, createRun, HttpStatusError, type LogFields, type RunLogger } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { runToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';

const ANNA = '85073003328';
const BERT = '85073003427';
/** Tuesday 6 January 2026, 16:00 in Brussels: office hours until 17:00. */
const TUESDAY_16H = Date.UTC(2026, 0, 6, 15, 0);

type Line = { level: string; fields: LogFields; message: string };

function recordingLogger(): { logger: RunLogger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (fields: LogFields, message: string) => void lines.push({ level, fields, message });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/** A night run of two people: Anna succeeds at her second attempt, Bert is not found (404). */
function nightRun(logger: RunLogger) {
  const clock = new FakeClock(TUESDAY_16H);
  const run = createRun<string, string>({
    name: 'pensions-monthly',
    input: [ANNA, BERT],
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    key: (ssin) => ssin,
    call: async (ssin, context) => {
      await clock.sleep(5_000);
      if (ssin === BERT) throw new HttpStatusError(404);
      if (context.attempt === 1) throw new HttpStatusError(503);
      return 'ok';
    },
    waitForWindow: true,
    clock,
    random: () => 0.5,
    announcement: TEST_ANNOUNCEMENT,
    logger,
  });
  return { clock, run };
}

describe('the logger option', () => {
  it('logs state changes, window waits, rejects (masked), retries and the end, each at its level, as logger[level](fields, message)', async () => {
    const { logger, lines } = recordingLogger();
    const { clock, run } = nightRun(logger);
    await runToEnd(clock, run);

    expect(lines.map((l) => [l.level, l.fields['event'], l.fields['to'] ?? l.fields['code']])).toEqual([
      ['info', 'state', 'waiting'],
      ['info', 'state', 'running'],
      ['debug', 'retry', 'HTTP_503'],
      ['warn', 'reject', 'HTTP_404'],
      ['info', 'state', 'completed'],
    ]);
    const [waiting, running, retry, reject, end] = lines;
    expect(waiting!.fields).toMatchObject({ event: 'state', run: 'pensions-monthly', at: '2026-01-06T15:00:00.000Z', from: 'idle', to: 'waiting', reason: 'office-hours' });
    expect(waiting!.message).toMatch(/^Run idle → waiting \(office-hours\): Waiting for the window: .*calls resume by themselves at Tue 2026-01-06 17:00/);
    expect(running!.fields).toMatchObject({ at: '2026-01-06T16:00:00.000Z', to: 'running', reason: 'window-open' });
    expect(retry!.fields).toMatchObject({ key: '85.07.30-***.**', attempt: 1, code: 'HTTP_503', delayMs: 500 });
    expect(reject!.fields).toMatchObject({ key: '85.07.30-***.**', outcome: 'reject', code: 'HTTP_404', attempts: 1 });
    expect(reject!.message).toBe('Item 85.07.30-***.** (source rn) was rejected: HTTP_404 HTTP 404');
    expect(end!.fields).toMatchObject({ to: 'completed', unfinished: 0, totals: { read: 2, succeeded: 1, rejected: 1, finished: 2, attempts: 3, retries: 1 } });
    expect(end!.message).toContain('2 items finished: 1 succeeded, 1 rejected, 0 exhausted; 0 items unfinished; 3 calls, 1 retry');
    const all = JSON.stringify(lines);
    for (const ssin of [ANNA, BERT]) expect(all).not.toContain(ssin);
  });

  it('logs a failure at error and a pause by the reject budget at warn; debug is optional', async () => {
    const { logger, lines } = recordingLogger();
    const { debug: _debug, ...noDebug } = logger;
    const clock = new FakeClock();
    const run = createRun<number, number>({
      input: Array.from({ length: 20 }, (_, i) => i),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: (i) => {
        if (i < 10) throw new HttpStatusError(404);
        if (i === 12) throw new HttpStatusError(401);
        return i;
      },
      rejectBudget: { maxRatio: 0.5, minSample: 5 },
      clock,
      announcement: TEST_ANNOUNCEMENT,
      logger: noDebug,
    });
    const done = run.start();
    done.catch(() => undefined); // awaited below, once the clock has run
    await clock.advance(0);
    expect(run.state).toBe('paused');
    const pause = lines.find((l) => l.fields['to'] === 'paused')!;
    expect(pause.level).toBe('warn');
    expect(pause.fields).toMatchObject({ reason: 'reject-budget' });
    run.resume(); // not yet: scheduled after minPauseMs
    await clock.advance(300_000);
    await expect(done).rejects.toMatchObject({ outcomeCode: 'HTTP_401' });
    expect(lines.find((l) => l.fields['event'] === 'resume-scheduled')).toMatchObject({ level: 'info', fields: { resumesAt: '2026-01-05T20:05:00.000Z' } });
    const failed = lines.at(-1)!;
    expect(failed).toMatchObject({ level: 'error', fields: { event: 'state', to: 'failed', reason: 'HTTP_401' } });
    expect(failed.message).toContain('Run running → failed (HTTP_401)');
  });

  it("works with node's Console (console.info(fields, message))", async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const { clock, run } = nightRun(new Console({ stdout: out, stderr: out }));
    await runToEnd(clock, run);
    expect(text).toContain("event: 'state'");
    expect(text).toContain('Run waiting → running (window-open)');
    expect(text).toContain('Item 85.07.30-***.** (source rn) was rejected: HTTP_404');
    expect(text).not.toContain(ANNA);
  });

  it('works with a real pino logger writing JSON lines to a stream', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const logger = pino({ level: 'debug', base: null, timestamp: false }, out);
    const { clock, run } = nightRun(logger);
    await runToEnd(clock, run);
    logger.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const records = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => [r['level'], r['event']])).toEqual([
      [30, 'state'],
      [30, 'state'],
      [20, 'retry'],
      [40, 'reject'],
      [30, 'state'],
    ]);
    expect(records[3]).toMatchObject({ key: '85.07.30-***.**', msg: 'Item 85.07.30-***.** (source rn) was rejected: HTTP_404 HTTP 404' });
    expect(text).not.toContain(ANNA);
    expect(text).not.toContain(BERT);
  });

  it('refuses a logger without info, warn and error, naming the option', () => {
    const make = (logger: unknown) => () =>
      createRun({ input: [], call: () => 1, source: 'rn', sources: { rn: { kind: 'rn' } }, logger: logger as RunLogger });
    expect(make({ info: () => undefined })).toThrow(ConfigError);
    expect(make({ info: () => undefined })).toThrow(/logger/);
    expect(make({ info() {}, warn() {}, error() {}, debug: 'no' })).toThrow(ConfigError);
  });
});
