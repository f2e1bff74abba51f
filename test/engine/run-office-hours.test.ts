/**
 * A run and the office-hours calendar, under the fake clock: whole weeks across both 2026 DST
 * switches, the window opening at 17:00:00 and closing at 08:00:00 Brussels time, the drain
 * deadline, waiting and resuming, pause/resume/stop around the window, holidays and blackouts,
 * and the guard that holds when timers fire late. Office hours are checked here with Intl
 * directly (not with the library's calendar). test/host-time-zones.test.ts runs this file again
 * with the host's TZ set to New York, Tokyo and UTC.
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createRun,
  MemoryStore,
  OfficeHoursError,
  type CallContext,
  type Clock,
  type RunOptions,
  type StateChange,
} from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { runToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';

const BRUSSELS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Brussels',
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Brussels wall clock of an instant, read with Intl: `Mon 2026-03-23 17:00:00`. */
function brussels(ms: number): string {
  const p = Object.fromEntries(BRUSSELS.formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  return `${p.weekday} ${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** Office hours by the BCSS rule, read with Intl: Monday to Friday, 08:00:00 to 16:59:59. */
function inOfficeHours(ms: number, holidays: readonly string[] = []): boolean {
  const text = brussels(ms);
  const [weekday, date, time] = text.split(' ') as [string, string, string];
  const hour = Number(time.slice(0, 2));
  return !['Sat', 'Sun'].includes(weekday) && !holidays.includes(date) && hour >= 8 && hour < 17;
}

interface CallRecord {
  readonly position: number;
  readonly attempt: number;
  readonly at: number;
  end: number | undefined;
  outcome: 'answered' | 'aborted' | undefined;
  abortReason: unknown;
}

/**
 * A run of `count` numbered items on one `rn` source with a fake clock starting at `start`, and
 * a service whose calls take `latencyMs` of fake time and record when they start and end.
 */
function officeRun(
  start: string,
  count: number,
  options: Partial<RunOptions<number, number>> & { latencyMs?: number | ((item: number) => number); clock?: Clock; fake?: FakeClock } = {},
) {
  const { latencyMs = 60_000, fake = new FakeClock(new Date(start)), ...rest } = options;
  const clock: Clock = rest.clock ?? fake;
  const calls: CallRecord[] = [];
  const successes = new Map<number, number>();
  const states: StateChange[] = [];
  const store = new MemoryStore();
  const call = (item: number, context: CallContext) => {
    const record: CallRecord = { position: context.position, attempt: context.attempt, at: clock.now(), end: undefined, outcome: undefined, abortReason: undefined };
    calls.push(record);
    const signal = context.signal;
    return new Promise<number>((resolve, reject) => {
      const timer = clock.setTimeout(
        () => {
          record.end = clock.now();
          record.outcome = 'answered';
          resolve(item);
        },
        typeof latencyMs === 'number' ? latencyMs : latencyMs(item),
      );
      signal.addEventListener(
        'abort',
        () => {
          clock.clearTimeout(timer);
          record.end = clock.now();
          record.outcome = 'aborted';
          record.abortReason = signal.reason;
          reject(signal.reason);
        },
        { once: true },
      );
    });
  };
  const run = createRun<number, number>({
    announcement: TEST_ANNOUNCEMENT,
    input: Array.from({ length: count }, (_, i) => i),
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    call,
    clock,
    store,
    random: () => 0.5,
    timeoutMs: 30 * 60_000,
    rejectBudget: false,
    onSuccess: (item) => {
      successes.set(item, (successes.get(item) ?? 0) + 1);
    },
    ...rest,
  });
  run.on('state', (change) => states.push(change));
  return { clock: fake, run, calls, successes, states, store };
}

const utc = (iso: string) => Date.parse(iso);

/** Every item succeeded exactly once, and the totals add up with the calls the service saw. */
function expectNothingLostOrDoubled(h: ReturnType<typeof officeRun>, count: number, summary: { totals: { succeeded: number; attempts: number; finished: number }; unfinished: number }) {
  expect(summary.totals.succeeded).toBe(count);
  expect(summary.totals.finished).toBe(count);
  expect(summary.unfinished).toBe(0);
  expect(h.successes.size).toBe(count);
  expect([...h.successes.values()].every((n) => n === 1)).toBe(true);
  expect(summary.totals.attempts).toBe(h.calls.length);
  expect(h.store.outcomeCounts()).toEqual({ success: count, reject: 0, exhausted: 0 });
}

describe('a run walked across a whole week', () => {
  // Latency 7 min at cap 4: about 34 calls an hour; 4,400 items take about 128 allowed hours, to Monday night.
  const weeks = [
    {
      name: 'spring forward, 29 March 2026',
      start: '2026-03-23T16:00:00Z', // Monday 17:00 CET
      closes: ['2026-03-24T07:00:00Z', '2026-03-25T07:00:00Z', '2026-03-26T07:00:00Z', '2026-03-27T07:00:00Z', '2026-03-30T06:00:00Z'],
      opens: ['2026-03-24T16:00:00Z', '2026-03-25T16:00:00Z', '2026-03-26T16:00:00Z', '2026-03-27T16:00:00Z', '2026-03-30T15:00:00Z'],
    },
    {
      name: 'fall back, 25 October 2026',
      start: '2026-10-19T15:00:00Z', // Monday 17:00 CEST
      closes: ['2026-10-20T06:00:00Z', '2026-10-21T06:00:00Z', '2026-10-22T06:00:00Z', '2026-10-23T06:00:00Z', '2026-10-26T07:00:00Z'],
      opens: ['2026-10-20T15:00:00Z', '2026-10-21T15:00:00Z', '2026-10-22T15:00:00Z', '2026-10-23T15:00:00Z', '2026-10-26T16:00:00Z'],
    },
  ];

  it.each(weeks)('$name: no call in office hours, the window closing at 08:00:00 and opening at 17:00:00, nothing lost', async (week) => {
    const count = 4_400;
    const h = officeRun(week.start, count, { latencyMs: 7 * 60_000 });
    const summary = await runToEnd(h.clock, h.run);

    expect(h.calls.filter((c) => inOfficeHours(c.at)).map((c) => brussels(c.at))).toEqual([]);
    // The window closes at 08:00:00 local on each weekday and opens at 17:00:00 local.
    const closing = h.states.filter((s) => s.to === 'draining');
    const opening = h.states.filter((s) => s.reason === 'window-open');
    expect(closing.map((s) => new Date(s.at).toISOString())).toEqual(week.closes.map((t) => new Date(t).toISOString()));
    expect(opening.map((s) => new Date(s.at).toISOString())).toEqual(week.opens.map((t) => new Date(t).toISOString()));
    expect(closing.every((s) => s.reason === 'office-hours' && brussels(s.at).endsWith(' 08:00:00'))).toBe(true);
    expect(opening.every((s) => brussels(s.at).endsWith(' 17:00:00'))).toBe(true);
    // Calls start at the window's first instant, and the last one before a close starts before it.
    for (const open of week.opens) expect(h.calls.filter((c) => c.at === utc(open))).toHaveLength(4);
    for (const close of week.closes) {
      const before = h.calls.filter((c) => c.at < utc(close));
      expect(Math.max(...before.map((c) => c.at))).toBeGreaterThan(utc(close) - 7 * 60_000);
      // In-flight calls are given up on at the drain deadline (60 s) and retried later, but their
      // requests are never torn down before the server is done (7 min at most): the cap holds there.
      const straddling = before.filter((c) => c.end! > utc(close));
      expect(straddling.length).toBeGreaterThan(0);
      expect(straddling.every((c) => c.outcome === 'answered' && c.end! <= utc(close) + 7 * 60_000)).toBe(true);
    }
    // The weekend is used: calls on Saturday and Sunday, including the night of the switch.
    expect(h.calls.some((c) => brussels(c.at).startsWith('Sat'))).toBe(true);
    expect(h.calls.some((c) => brussels(c.at).startsWith('Sun'))).toBe(true);
    // The state goes draining → waiting → running each time, with local times in the messages.
    expect(h.states.filter((s) => s.to === 'waiting')).toHaveLength(5);
    expect(closing[0]!.message).toContain('08:00:00 Europe/Brussels');
    expect(opening[0]!.message).toMatch(/open until Wed 20\d\d-\d\d-\d\d 08:00:00 Europe\/Brussels/);
    expect(h.run.state).toBe('completed');
    expectNothingLostOrDoubled(h, count, summary);
    // Calls given up on at the drain deadline (answered by the server after it, never torn down) were
    // made again; the items still succeeded once, on their first counted attempt.
    const cut = h.calls.filter((c) => week.closes.some((close) => c.at < utc(close) && c.end! > utc(close) + 60_000));
    expect(cut.length).toBeGreaterThan(0);
    expect(h.calls.every((c) => c.outcome === 'answered')).toBe(true);
    expect(h.calls.length).toBe(count + cut.length);
    expect(h.calls.every((c) => c.attempt === 1)).toBe(true);
  });
});

describe('starting during office hours', () => {
  it('is refused with an OfficeHoursError that says when the window opens, in local time and ISO; the run stays idle', async () => {
    const h = officeRun('2026-11-23T09:00:00Z', 10); // Monday 10:00 CET
    const error = await h.run.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfficeHoursError);
    const refusal = error as OfficeHoursError;
    expect(refusal.code).toBe('OFFICE_HOURS');
    expect(refusal.reason).toBe('office-hours');
    expect(refusal.nextWindowAt.toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(refusal.message).toContain('opens Mon 2026-11-23 17:00:00 Europe/Brussels (UTC+01:00), 2026-11-23T16:00:00.000Z');
    expect(refusal.message).toContain('not allowed now (Mon 2026-11-23 10:00:00 Europe/Brussels');
    expect(refusal.message).toContain('waitForWindow');
    expect(h.run.state).toBe('idle');
    expect(h.store.meta()).toBeUndefined();

    await h.clock.advanceTo(refusal.nextWindowAt);
    const summary = await runToEnd(h.clock, h.run);
    expect(h.calls[0]!.at).toBe(utc('2026-11-23T16:00:00Z'));
    expectNothingLostOrDoubled(h, 10, summary);
  });

  it('with waitForWindow, waits and sends the first call at 17:00:00.000 exactly', async () => {
    const h = officeRun('2026-11-23T09:00:00Z', 10, { waitForWindow: true });
    const done = h.run.start();
    await h.clock.advance(0);
    expect(h.run.state).toBe('waiting');
    expect(h.run.status().nextWindowAt).toBe(utc('2026-11-23T16:00:00Z'));
    expect(h.run.resume().toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(h.states[0]).toMatchObject({ from: 'idle', to: 'waiting', reason: 'office-hours' });
    expect(h.states[0]!.message).toContain('Mon 2026-11-23 17:00:00 Europe/Brussels');
    await h.clock.advanceTo(utc('2026-11-23T16:00:00Z') - 1);
    expect(h.calls).toHaveLength(0);
    await h.clock.advance(1);
    expect(h.run.state).toBe('running');
    expect(h.calls.map((c) => c.at)).toEqual(Array(4).fill(utc('2026-11-23T16:00:00Z')));
    expect(h.run.status().windowClosesAt).toBe(utc('2026-11-24T07:00:00Z'));
    await h.clock.runUntil(() => h.run.state === 'completed');
    expectNothingLostOrDoubled(h, 10, await done);
  });

  it('a stop() while waiting ends the run stopped, with nothing sent', async () => {
    const h = officeRun('2026-11-23T09:00:00Z', 10, { waitForWindow: true });
    const done = h.run.start();
    await h.clock.advance(60_000);
    const summary = await h.run.stop();
    expect(h.run.state).toBe('stopped');
    expect(h.states.map((s) => s.to)).toEqual(['waiting', 'draining', 'stopped']);
    expect(summary.totals.finished).toBe(0);
    expect(h.calls).toHaveLength(0);
    expect(await done).toBe(summary);
    expect(h.clock.pendingTimers()).toBe(0);
  });
});

describe('the drain when the window closes', () => {
  // Monday 07:55 CET; items 0–1 take 6 min (answered 08:01), 2–3 take 10 min (cut at the deadline), 4–5 wait.
  const latencyMs = (item: number) => (item < 2 ? 6 * 60_000 : 10 * 60_000);

  it('lets calls finish until the deadline, then queues their items again (not rejected, not an attempt) while their requests run on at the server', async () => {
    const h = officeRun('2026-11-23T06:55:00Z', 6, { latencyMs, drainDeadlineMs: 120_000, retry: { maxAttempts: 1 } });
    const done = h.run.start();
    await h.clock.advanceTo(utc('2026-11-23T07:00:00Z'));
    expect(h.run.state).toBe('draining');
    const closing = h.states.at(-1)!;
    expect(closing).toMatchObject({ from: 'running', to: 'draining', reason: 'office-hours', at: utc('2026-11-23T07:00:00Z') });
    expect(closing.message).toContain('4 call(s) in flight may finish until Mon 2026-11-23 08:02:00 Europe/Brussels');
    expect(h.run.pause === undefined).toBe(false);

    await h.clock.advanceTo(utc('2026-11-23T07:01:00Z'));
    expect(h.run.status().totals.succeeded).toBe(2); // items 0 and 1 answered during the drain
    expect(h.calls).toHaveLength(4); // nothing new sent in office hours
    expect(h.run.state).toBe('draining');

    await h.clock.advanceTo(utc('2026-11-23T07:02:00Z'));
    expect(h.run.state).toBe('waiting');
    expect(h.calls.filter((c) => c.outcome !== 'answered').map((c) => c.position)).toEqual([2, 3]); // not torn down
    const status = h.run.status();
    expect(status.totals).toMatchObject({ queued: 4, inFlight: 0, rejected: 0, exhausted: 0, succeeded: 2, attempts: 4 });
    expect(status.nextWindowAt).toBe(utc('2026-11-23T16:00:00Z'));
    await h.clock.advanceTo(utc('2026-11-23T07:05:00Z'));
    // The server finished them (their answers come too late and are dropped: the items are queued again).
    expect(h.calls.filter((c) => c.position >= 2).map((c) => [c.position, c.outcome, c.end])).toEqual([
      [2, 'answered', utc('2026-11-23T07:05:00Z')],
      [3, 'answered', utc('2026-11-23T07:05:00Z')],
    ]);

    await h.clock.runUntil(() => h.run.state === 'completed');
    const summary = await done;
    // Items 2 and 3 come first when the window reopens, and their one allowed attempt was not used up.
    expect(h.calls.slice(4, 8).map((c) => [c.position, c.at])).toEqual([
      [2, utc('2026-11-23T16:00:00Z')],
      [3, utc('2026-11-23T16:00:00Z')],
      [4, utc('2026-11-23T16:00:00Z')],
      [5, utc('2026-11-23T16:00:00Z')],
    ]);
    expect(h.store.rejects()).toEqual([]);
    expectNothingLostOrDoubled(h, 6, summary);
    expect(summary.totals.attempts).toBe(8);
  });

  it('goes waiting as soon as the last call in flight is answered, before the deadline', async () => {
    const h = officeRun('2026-11-23T06:55:00Z', 6, { latencyMs: 6 * 60_000, drainDeadlineMs: 600_000 });
    const done = h.run.start();
    await h.clock.advanceTo(utc('2026-11-23T07:01:00Z'));
    expect(h.run.state).toBe('waiting');
    expect(h.states.at(-1)).toMatchObject({ from: 'draining', to: 'waiting', reason: 'office-hours', at: utc('2026-11-23T07:01:00Z') });
    expect(h.calls.every((c) => c.outcome === 'answered')).toBe(true);
    await h.clock.runUntil(() => h.run.state === 'completed');
    expectNothingLostOrDoubled(h, 6, await done);
  });

  it('completes without waiting for the window when the last items finish during the drain', async () => {
    const h = officeRun('2026-11-23T06:55:00Z', 4, { latencyMs: 6 * 60_000 });
    const summary = await runToEnd(h.clock, h.run);
    expect(h.states.map((s) => s.to)).toEqual(['running', 'draining', 'waiting', 'completed']);
    expect(summary.endedAt).toBe(utc('2026-11-23T07:01:00Z'));
    expectNothingLostOrDoubled(h, 4, summary);
  });

  it('drainDeadlineMs: 0 gives up on the calls in flight at 08:00:00; their requests end when the server is done', async () => {
    const h = officeRun('2026-11-23T06:59:00Z', 6, { latencyMs: 5 * 60_000, drainDeadlineMs: 0 });
    const done = h.run.start();
    await h.clock.advanceTo(utc('2026-11-23T07:00:00Z'));
    expect(h.run.state).toBe('waiting');
    expect(h.run.status().totals.queued).toBe(6);
    await h.clock.advanceTo(utc('2026-11-23T07:04:00Z'));
    expect(h.calls.map((c) => [c.outcome, c.end])).toEqual(Array(4).fill(['answered', utc('2026-11-23T07:04:00Z')]));
    await h.clock.runUntil(() => h.run.state === 'completed');
    expectNothingLostOrDoubled(h, 6, await done);
  });

  it('retries that fall due in office hours wait in the queue for the window', async () => {
    let failed = false;
    const h = officeRun('2026-11-23T06:59:00Z', 1, {
      latencyMs: 40_000, // fails at 07:59:40; the retry falls due at 08:00:10 (full jitter, random 0.5 of 60 s)
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
      classify: (result) => {
        if (!failed) {
          failed = true;
          return { class: 'transient', code: 'BUSY', reason: 'busy' };
        }
        return result.ok ? { class: 'success' } : undefined;
      },
    });
    const summary = await runToEnd(h.clock, h.run);
    expect(h.calls.map((c) => c.at)).toEqual([utc('2026-11-23T06:59:00Z'), utc('2026-11-23T16:00:00Z')]);
    expect(summary.totals).toMatchObject({ succeeded: 1, retries: 1, attempts: 2 });
  });
});

describe('pause, resume and stop around the window', () => {
  it('pause() while waiting stays paused after the window opens, until resume()', async () => {
    const h = officeRun('2026-11-23T09:00:00Z', 8, { waitForWindow: true, minPauseMs: 0 });
    const done = h.run.start();
    await h.clock.advance(0);
    h.run.pause();
    expect(h.run.state).toBe('paused');
    await h.clock.advanceTo(utc('2026-11-23T18:00:00Z'));
    expect(h.run.state).toBe('paused');
    expect(h.calls).toHaveLength(0);
    h.run.resume();
    expect(h.run.state).toBe('running');
    expect(h.states.map((s) => `${s.to}:${s.reason}`)).toEqual(['waiting:office-hours', 'paused:manual', 'running:resume']);
    await h.clock.runUntil(() => h.run.state === 'completed');
    expect(h.calls[0]!.at).toBe(utc('2026-11-23T18:00:00Z'));
    expectNothingLostOrDoubled(h, 8, await done);
  });

  it('resume() during office hours goes waiting, and the run starts itself at 17:00', async () => {
    const h = officeRun('2026-11-23T06:00:00Z', 400, { minPauseMs: 0 }); // Monday 07:00
    const done = h.run.start();
    await h.clock.advanceTo(utc('2026-11-23T06:30:00Z'));
    h.run.pause();
    await h.clock.advanceTo(utc('2026-11-23T09:00:00Z'));
    expect(h.run.state).toBe('paused');
    expect(h.run.resume().toISOString()).toBe('2026-11-23T16:00:00.000Z'); // when calls resume
    expect(h.run.state).toBe('waiting');
    expect(h.states.at(-1)).toMatchObject({ from: 'paused', to: 'waiting', reason: 'office-hours' });
    await h.clock.runUntil(() => h.run.state === 'completed');
    expect(h.calls.filter((c) => inOfficeHours(c.at))).toEqual([]);
    expect(h.calls.filter((c) => c.at > utc('2026-11-23T06:30:00Z'))[0]!.at).toBe(utc('2026-11-23T16:00:00Z'));
    expectNothingLostOrDoubled(h, 400, await done);
  });

  it('a pause that spans 08:00 keeps the drain deadline for the calls in flight', async () => {
    const h = officeRun('2026-11-23T06:58:00Z', 6, { latencyMs: 10 * 60_000, minPauseMs: 0 });
    const done = h.run.start();
    await h.clock.advance(1_000);
    h.run.pause();
    await h.clock.advanceTo(utc('2026-11-23T07:01:00Z'));
    expect(h.run.status().totals.queued).toBe(6); // given up on at the deadline; the requests run on at the server
    expect(h.calls.every((c) => c.end === undefined)).toBe(true);
    expect(h.run.state).toBe('paused');
    h.run.resume();
    expect(h.run.state).toBe('waiting');
    await h.clock.runUntil(() => h.run.state === 'completed');
    expectNothingLostOrDoubled(h, 6, await done);
  });

  it('pause() during the drain: calls are still cut at the deadline, the run stays paused until resume()', async () => {
    const h = officeRun('2026-11-23T06:58:00Z', 6, { latencyMs: 10 * 60_000, minPauseMs: 0 });
    const done = h.run.start();
    await h.clock.advanceTo(utc('2026-11-23T07:00:00Z'));
    expect(h.run.state).toBe('draining');
    h.run.pause();
    expect(h.run.state).toBe('paused');
    await h.clock.advanceTo(utc('2026-11-23T07:01:00Z'));
    expect(h.calls.every((c) => c.end === undefined)).toBe(true); // given up on, not torn down
    expect(h.run.status().totals.queued).toBe(6);
    await h.clock.advanceTo(utc('2026-11-23T20:00:00Z'));
    expect(h.run.state).toBe('paused');
    expect(h.calls).toHaveLength(4);
    h.run.resume();
    await h.clock.runUntil(() => h.run.state === 'completed');
    expectNothingLostOrDoubled(h, 6, await done);
  });

  it('stop() during the drain ends stopped once the calls are answered or cut; their items stay unfinished', async () => {
    const h = officeRun('2026-11-23T06:58:00Z', 6, { latencyMs: (item) => (item === 0 ? 2 * 60_000 + 30_000 : 10 * 60_000) });
    const done = h.run.start();
    await h.clock.advanceTo(utc('2026-11-23T07:00:00Z'));
    const stopped = h.run.stop();
    expect(h.run.state).toBe('draining');
    await h.clock.advanceTo(utc('2026-11-23T07:01:00Z'));
    expect(h.run.state).toBe('stopped');
    const summary = await stopped;
    expect(await done).toBe(summary);
    expect(summary.totals.succeeded).toBe(1); // item 0, answered at 08:00:30
    expect(summary.unfinished).toBe(5);
    expect(summary.totals.rejected + summary.totals.exhausted).toBe(0);
    expect(h.store.rejects()).toEqual([]);
  });
});

describe('holidays and blackouts', () => {
  it('holidaysAreFree lets the run call on Easter Monday, and only then', async () => {
    const holidays = ['2026-04-06'];
    // Friday 3 April 17:00 CEST; 24 calls an hour: 2,400 items take about 100 allowed hours.
    const free = officeRun('2026-04-03T15:00:00Z', 2_400, { latencyMs: 10 * 60_000, calendar: { holidaysAreFree: true } });
    const summary = await runToEnd(free.clock, free.run);
    expect(free.calls.filter((c) => inOfficeHours(c.at, holidays))).toEqual([]);
    expect(free.calls.some((c) => brussels(c.at).startsWith('Mon 2026-04-06 12:'))).toBe(true);
    expect(free.states.find((s) => s.to === 'draining')?.at).toBe(utc('2026-04-07T06:00:00Z')); // Tuesday 08:00 CEST
    expectNothingLostOrDoubled(free, 2_400, summary);

    const strict = officeRun('2026-04-03T15:00:00Z', 2_400, { latencyMs: 10 * 60_000 });
    await runToEnd(strict.clock, strict.run);
    expect(strict.calls.filter((c) => inOfficeHours(c.at))).toEqual([]);
    expect(strict.states.find((s) => s.to === 'draining')?.at).toBe(utc('2026-04-06T06:00:00Z')); // Easter Monday 08:00
  });

  it('a blackout closes the window at its local start and reopens it at its local end', async () => {
    const blackouts = [{ from: '2026-11-28T22:00', to: '2026-11-29T02:00' }];
    const h = officeRun('2026-11-27T16:00:00Z', 1_500, { latencyMs: 10 * 60_000, calendar: { blackouts } });
    const summary = await runToEnd(h.clock, h.run);
    const inBlackout = (ms: number) => ms >= utc('2026-11-28T21:00:00Z') && ms < utc('2026-11-29T01:00:00Z');
    expect(h.calls.filter((c) => inBlackout(c.at) || inOfficeHours(c.at))).toEqual([]);
    const closing = h.states.find((s) => s.to === 'draining')!;
    expect(closing).toMatchObject({ reason: 'blackout', at: utc('2026-11-28T21:00:00Z') });
    expect(closing.message).toContain('a blackout');
    expect(h.states.find((s) => s.reason === 'window-open')?.at).toBe(utc('2026-11-29T01:00:00Z'));
    expect(h.calls.filter((c) => c.at === utc('2026-11-29T01:00:00Z'))).toHaveLength(4);
    expectNothingLostOrDoubled(h, 1_500, summary);
  });
});

describe('the guard', () => {
  it('holds when timers fire late: no call is dispatched in office hours even if the closing alarm rings 10 minutes late', async () => {
    const fake = new FakeClock(new Date('2026-11-23T06:30:00Z'));
    // A clock whose long timers (the window's alarms) fire 10 minutes late, as on a suspended host.
    const late: Clock = {
      now: () => fake.now(),
      setTimeout: (callback, ms) => fake.setTimeout(callback, ms >= 15 * 60_000 ? ms + 10 * 60_000 : ms),
      clearTimeout: (handle) => fake.clearTimeout(handle),
    };
    const h = officeRun('2026-11-23T06:30:00Z', 500, { fake, clock: late, latencyMs: 60_000 });
    const summary = await runToEnd(fake, h.run);
    expect(h.calls.filter((c) => inOfficeHours(c.at)).map((c) => brussels(c.at))).toEqual([]);
    // The first dispatch attempt at or after 08:00 (a call answered at 08:00:00) closed the window.
    expect(h.states.find((s) => s.to === 'draining')?.at).toBe(utc('2026-11-23T07:00:00Z'));
    expectNothingLostOrDoubled(h, 500, summary);
  });
});

describe('long waits', () => {
  it('waits out a 30-day blackout with timers no longer than Node.js allows, and starts at its end', async () => {
    const fake = new FakeClock(new Date('2026-11-23T09:00:00Z'));
    const delays: number[] = [];
    const strict: Clock = {
      now: () => fake.now(),
      setTimeout: (callback, ms) => {
        delays.push(ms);
        if (ms > 2_147_483_647) throw new RangeError(`timer of ${ms} ms: Node.js would fire it at once`);
        return fake.setTimeout(callback, ms);
      },
      clearTimeout: (handle) => fake.clearTimeout(handle),
    };
    const blackouts = [{ from: '2026-11-23T17:00', to: '2026-12-23T18:00' }];
    const h = officeRun('2026-11-23T09:00:00Z', 8, { fake, clock: strict, waitForWindow: true, calendar: { blackouts } });
    const summary = await runToEnd(fake, h.run);
    expect(h.states[0]).toMatchObject({ to: 'waiting', reason: 'office-hours' });
    expect(h.states.find((s) => s.reason === 'window-open')?.at).toBe(utc('2026-12-23T17:00:00Z'));
    expect(h.calls[0]!.at).toBe(utc('2026-12-23T17:00:00Z'));
    expect(Math.max(...delays)).toBe(2_147_483_647); // the wait was made in hops
    expectNothingLostOrDoubled(h, 8, summary);
  });
});

describe('configuration and records', () => {
  it('keeps the calendar in the run metadata', async () => {
    const h = officeRun('2026-11-23T20:00:00Z', 1);
    await runToEnd(h.clock, h.run);
    expect(h.store.meta()?.calendar).toEqual({
      enforced: true,
      timeZone: 'Europe/Brussels',
      officeHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '17:00' },
      holidaysAreFree: false,
      blackouts: [],
    });
  });

  it('turns the calendar off only with a written reason, kept in the metadata', async () => {
    const reason = 'loopback acceptance test, no BCSS involved';
    const h = officeRun('2026-11-23T09:00:00Z', 20, { calendar: { enforce: false, override: { reason } } });
    const summary = await runToEnd(h.clock, h.run);
    expect(h.calls[0]!.at).toBe(utc('2026-11-23T09:00:00Z')); // office hours: allowed by the override
    expect(summary.totals.succeeded).toBe(20);
    expect(summary.windowClosesAt).toBeUndefined();
    expect(h.store.meta()?.calendar).toEqual({ enforced: false, overrideReason: reason });
  });

  it('refuses malformed calendar settings with their paths', () => {
    const base = { input: [1], source: 'rn', sources: { rn: { kind: 'rn' as const } }, call: (n: number) => n };
    const paths = (options: object) => {
      try {
        createRun({ announcement: TEST_ANNOUNCEMENT, ...base, ...options });
      } catch (error) {
        if (error instanceof ConfigError) return error.issues.map((i) => i.path.join('.'));
        throw error;
      }
      return [];
    };
    expect(paths({ calendar: { enforce: false } })).toEqual(['calendar.override']);
    expect(paths({ calendar: { override: { reason: 'a reason long enough' } } })).toEqual(['calendar.enforce']);
    expect(paths({ calendar: { enforce: false, override: { reason: 'short' } } })).toEqual(['calendar.override.reason']);
    expect(paths({ calendar: { timeZone: 'Europe/Bruxelles' } })).toEqual(['calendar.timeZone']);
    expect(paths({ calendar: { officeHours: { days: ['mon'], from: '08:00', to: '25:00' } } })).toEqual(['calendar.officeHours.to']);
    expect(paths({ drainDeadlineMs: -1, waitForWindow: 'yes' })).toEqual(expect.arrayContaining(['drainDeadlineMs', 'waitForWindow']));
  });
});
