import { describe, expect, it } from 'vitest';
import { createRun, MemoryStore, type OutcomeRecord } from '../../src/index.js';
import { inszPrecheck } from '../../src/policy/insz.js';
import { FakeClock, RecordingService } from '../../src/testing.js';
import { runToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';

const VALID = ['85073003328', '17073003384', '98472899765', '01490700185'];
const INVALID = ['85073003329', '85073000028', '8507300332', '85133003328'];
const TODAY = { today: Date.UTC(2026, 10, 23) };

function setUp(input: string[], extra: { store?: MemoryStore | { open(): void; record(r: OutcomeRecord): Promise<void> }; precheck?: (ssin: string) => { code: string; reason: string } | undefined } = {}) {
  const clock = new FakeClock();
  const service = new RecordingService<string>({ clock, latencyMs: 50 });
  const store = extra.store ?? new MemoryStore();
  const run = createRun<string, string>({
    announcement: TEST_ANNOUNCEMENT,
    input,
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    key: (ssin) => ssin,
    call: service.call,
    clock,
    store,
    rejectBudget: false,
    precheck: extra.precheck ?? inszPrecheck((ssin: string) => ssin, TODAY),
  });
  const rejects: OutcomeRecord[] = [];
  run.on('reject', (r) => rejects.push(r));
  return { clock, service, run, store, rejects };
}

describe('precheck: invalid items are rejected before any call', () => {
  it('never calls the service for an invalid national number, and records it with 0 attempts, its code and a masked reason', async () => {
    const input = [VALID[0]!, INVALID[0]!, VALID[1]!, INVALID[1]!, VALID[2]!, INVALID[2]!, VALID[3]!, INVALID[3]!];
    const { clock, service, run, store, rejects } = setUp(input);
    const summary = await runToEnd(clock, run);
    expect(summary.state).toBe('completed');
    expect(summary.totals).toMatchObject({ read: 8, succeeded: 4, rejected: 4, finished: 8, attempts: 4 });
    expect(service.calls()).toBe(4);
    for (const position of [1, 3, 5, 7]) expect(service.callsFor(position)).toBe(0);
    const records = (store as MemoryStore).rejects();
    expect(records.map((r) => [r.position, r.code, r.attempts])).toEqual([
      [1, 'INSZ_CHECK_DIGITS', 0],
      [3, 'INSZ_COUNTER', 0],
      [5, 'INSZ_FORMAT', 0],
      [7, 'INSZ_MONTH', 0],
    ]);
    expect(records[0]).toMatchObject({ outcome: 'reject', key: '85.07.30-***.**', source: 'rn', reason: 'invalid national number 85.07.30-***.**: the check digits match neither a birth in 19xx nor one from 2000 on' });
    // Refused as soon as read: the instant of the check, no call time.
    expect(records[0]!.firstAttemptAt).toBe(new Date(summary.startedAt!).toISOString());
    expect(records[0]!.lastAttemptAt).toBe(records[0]!.firstAttemptAt);
    expect(rejects).toEqual(records);
    expect(JSON.stringify(records)).not.toMatch(/\d{11}/);
  });

  it('masks a national number in a reason given by a custom precheck', async () => {
    const { clock, run, store } = setUp(['85073003328'], { precheck: (ssin) => ({ code: 'NOT_OURS', reason: `person ${ssin} is not our client` }) });
    await runToEnd(clock, run);
    expect((store as MemoryStore).rejects()[0]).toMatchObject({ code: 'NOT_OURS', reason: 'person 85.07.30-***.** is not our client', attempts: 0 });
  });

  it('waits for an asynchronous store before counting the reject', async () => {
    const stored: OutcomeRecord[] = [];
    const store = { open: () => undefined, record: async (r: OutcomeRecord) => void stored.push(r) };
    const { clock, run, service } = setUp(INVALID, { store });
    const summary = await runToEnd(clock, run);
    expect(summary.totals).toMatchObject({ read: 4, rejected: 4, finished: 4 });
    expect(stored).toHaveLength(4);
    expect(service.calls()).toBe(0);
  });

  it('a precheck that throws fails the run as a programmer error, before any further call', async () => {
    const { clock, run, service } = setUp(['85073003328', 'boom', '17073003384'], {
      precheck: (ssin) => {
        if (ssin === 'boom') throw new TypeError('bad item');
        return undefined;
      },
    });
    await expect(runToEnd(clock, run)).rejects.toMatchObject({ code: 'RUN_FAILED', outcomeCode: 'PROGRAMMER_ERROR' });
    expect(service.callsFor(2)).toBe(0);
  });

  it('counts prechecked rejects in the reject budget', async () => {
    const clock = new FakeClock();
    const service = new RecordingService<string>({ clock, latencyMs: 50 });
    const run = createRun<string, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? VALID[0]! : INVALID[0]!)),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: service.call,
      clock,
      rejectBudget: { maxRatio: 0.2, minSample: 10 },
      precheck: inszPrecheck((ssin: string) => ssin, TODAY),
    });
    const done = run.start();
    await clock.runUntil(() => run.state === 'paused');
    expect(run.status().pauseReason).toBe('reject-budget');
    await run.stop();
    await done;
  });

  it('rejects a precheck that is not a function in the configuration', () => {
    expect(() =>
      createRun({ announcement: TEST_ANNOUNCEMENT, input: [], source: 'rn', sources: { rn: { kind: 'rn' } }, call: () => 1, precheck: 'yes' as never }),
    ).toThrow(/precheck: expected a function/);
  });

  it('reads no further than prefetch while refused items wait for a slow store', async () => {
    const pending: (() => void)[] = [];
    const store = { open: () => undefined, record: () => new Promise<void>((resolve) => pending.push(resolve)) };
    const input = Array.from({ length: 1_000 }, () => INVALID[0]!);
    const clock = new FakeClock();
    const run = createRun<string, string>({
      announcement: TEST_ANNOUNCEMENT,
      input,
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: () => 'never',
      clock,
      store,
      prefetch: 16,
      rejectBudget: false,
      calendar: { enforce: false, override: { reason: 'unit test on a fake clock' } },
      precheck: inszPrecheck((ssin: string) => ssin, TODAY),
    });
    const done = run.start();
    await clock.advance(0);
    expect(run.status().totals.read).toBe(16);
    while (pending.length > 0) {
      for (const resolve of pending.splice(0)) resolve();
      await clock.advance(0);
      expect(run.status().totals.read - run.status().totals.finished).toBeLessThanOrEqual(16);
    }
    const summary = await done;
    expect(summary.totals).toMatchObject({ read: 1_000, rejected: 1_000, attempts: 0 });
  });
});
