import { afterEach, describe, expect, it } from 'vitest';
import {
  callbackChannel,
  createNotifier,
  HttpStatusError,
  webhookChannel,
  type DeliveryRecord,
  type Notice,
  type NotifierChannel,
  type ObservedRun,
  type RunEvents,
  type RunOptions,
  type RunStatus,
} from '../../src/index.js';
import { TypedEmitter } from '../../src/util/emitter.js';
import { FakeClock } from '../../src/testing.js';
import { driveToEnd, numberedRun } from '../helpers.js';
import { startHookServer, type HookServer } from '../support/hook-server.js';

const NO_CALENDAR = { enforce: false, override: { reason: 'notifier test against an in-process fake service' } } as const;
const NIGHT = Date.UTC(2026, 0, 5, 20, 0, 0); // Monday 21:00 in Brussels

/** A run over `count` numbered items on one `rn` source (cap 4), each call `latencyMs` of fake time. */
function makeRun(clock: FakeClock, count: number, latencyMs: number, extra: Omit<Partial<RunOptions<number, number>>, 'clock'> & { respond?: (item: number) => number } = {}) {
  return numberedRun(count, { clock, latencyMs, calendar: NO_CALENDAR, timeoutMs: 50_000_000, ...extra }).run;
}

/** A channel that records what it receives, and fails or takes time as told. */
function channel(name: string, behaviour: 'ok' | 'fail' | 'hang' | { sleep: number; clock: FakeClock } = 'ok') {
  const received: Notice[] = [];
  const send: NotifierChannel['send'] = async (notice) => {
    received.push(notice);
    if (behaviour === 'fail') throw new Error(`${name} is down`);
    if (behaviour === 'hang') return new Promise<void>(() => undefined);
    if (typeof behaviour === 'object') await behaviour.clock.sleep(behaviour.sleep);
  };
  return { name, send, received };
}

const draft = (kind: Notice['kind'] = 'started') => ({ kind, severity: 'info' as const, title: 't', message: 'm', at: new Date(NIGHT).toISOString(), data: {} });
const statuses = (records: readonly DeliveryRecord[]) => records.map((r) => `${r.noticeId} ${r.channel} ${r.status}`);

describe('notifier strategies and delivery records', () => {
  it("'fallback' tries the channels in order: the first that accepts ends it, the rest are skipped", async () => {
    const clock = new FakeClock(NIGHT);
    const sms = channel('govapp', 'fail');
    const mail = channel('mail');
    const chat = channel('chat');
    const notifier = createNotifier({ channels: [sms, mail, chat], clock });
    const seen: DeliveryRecord[] = [];
    notifier.on('delivery', (record) => seen.push(record));
    const notice = notifier.notify(draft(), 'nightly');
    expect(notice).toMatchObject({ id: 'nightly-1', run: 'nightly' });
    await notifier.flush();
    expect(statuses(notifier.deliveries())).toEqual(['nightly-1 govapp failed', 'nightly-1 mail delivered', 'nightly-1 chat skipped']);
    expect(notifier.deliveries()[0]).toEqual({
      noticeId: 'nightly-1',
      kind: 'started',
      channel: 'govapp',
      status: 'failed',
      at: new Date(NIGHT).toISOString(),
      durationMs: 0,
      error: 'channel govapp failed: Error: govapp is down',
    });
    expect(seen).toEqual(notifier.deliveries());
    expect([sms.received.length, mail.received.length, chat.received.length]).toEqual([1, 1, 0]); // one attempt per channel
  });

  it("'fallback' with every channel failing records each failure", async () => {
    const notifier = createNotifier({ channels: [channel('a', 'fail'), channel('b', 'fail')], clock: new FakeClock(NIGHT) });
    notifier.notify(draft());
    await notifier.flush();
    expect(statuses(notifier.deliveries())).toEqual(['run-1 a failed', 'run-1 b failed']);
  });

  it("'all' sends to every channel; a failing one does not keep the others from delivering", async () => {
    const a = channel('a');
    const b = channel('b', 'fail');
    const c = channel('c');
    const notifier = createNotifier({ channels: [a, b, c], strategy: 'all', clock: new FakeClock(NIGHT) });
    notifier.notify(draft());
    await notifier.flush();
    expect(statuses(notifier.deliveries())).toEqual(['run-1 a delivered', 'run-1 b failed', 'run-1 c delivered']);
    expect(c.received).toHaveLength(1);
  });

  it('a hanging channel fails at the timeout (by the clock), then the next channel is tried', async () => {
    const clock = new FakeClock(NIGHT);
    const notifier = createNotifier({ channels: [channel('slow', 'hang'), channel('mail')], clock, timeoutMs: 3000 });
    notifier.notify(draft());
    let flushed = false;
    void notifier.flush().then(() => (flushed = true));
    await clock.advance(2999);
    expect(flushed).toBe(false);
    expect(notifier.deliveries()).toEqual([]);
    await clock.advance(1);
    await notifier.flush();
    expect(notifier.deliveries().map((r) => [r.channel, r.status, r.durationMs, r.error])).toEqual([
      ['slow', 'failed', 3000, 'channel slow did not answer within 3000 ms'],
      ['mail', 'delivered', 0, undefined],
    ]);
  });

  it('delivers notices one after the other, in order; keeps the last maxDeliveries records', async () => {
    const clock = new FakeClock(NIGHT);
    const log: string[] = [];
    const slow: NotifierChannel = {
      name: 'slow',
      send: async (notice) => {
        log.push(`begin ${notice.kind}`);
        await clock.sleep(notice.kind === 'started' ? 2000 : 10);
        log.push(`end ${notice.kind}`);
      },
    };
    const notifier = createNotifier({ channels: [slow], clock, maxDeliveries: 2 });
    notifier.notify(draft('started'));
    notifier.notify(draft('paused'));
    notifier.notify(draft('completed'));
    await clock.advance(5000);
    await notifier.flush();
    expect(log).toEqual(['begin started', 'end started', 'begin paused', 'end paused', 'begin completed', 'end completed']);
    expect(notifier.deliveries().map((r) => r.noticeId)).toEqual(['run-2', 'run-3']);
  });

  it('callbackChannel and webhookChannel refuse malformed settings with the path of the field', () => {
    expect(() => callbackChannel('', () => undefined)).toThrow(/name/);
    expect(() => webhookChannel({ url: 'not a url' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', issues: [expect.objectContaining({ path: ['url'] })] }));
    expect(() => createNotifier({ channels: [] })).toThrow(/channels/);
    const notifier = createNotifier({ channels: [channel('a')] });
    expect(() => notifier.attach(makeRun(new FakeClock(NIGHT), 1, 10), { events: ['finished' as never] })).toThrow(/events/);
  });

  it('a throwing listener of the notifier does not stop deliveries; flush() reports it', async () => {
    const notifier = createNotifier({ channels: [channel('a')], clock: new FakeClock(NIGHT) });
    notifier.on('delivery', () => {
      throw new Error('listener bug');
    });
    notifier.notify(draft());
    await expect(notifier.flush()).rejects.toMatchObject({ code: 'LISTENER_ERROR', message: expect.stringContaining('listener bug') });
    expect(statuses(notifier.deliveries())).toEqual(['run-1 a delivered']);
  });
});

describe('notices of a run', () => {
  it('started then completed with the summary, each delivered after the previous one', async () => {
    const clock = new FakeClock(NIGHT);
    const run = makeRun(clock, 8, 30_000, {
      respond: (item) => {
        if (item === 3) throw new HttpStatusError(404);
        return item;
      },
    });
    const mail = channel('mail', { sleep: 90_000, clock }); // slower than the whole run (60 s)
    const notifier = createNotifier({ channels: [mail], clock, timeoutMs: 100_000 });
    notifier.attach(run, { runName: 'nightly-rn' });
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    await clock.advance(200_000);
    await notifier.flush();
    expect(mail.received.map((n) => n.kind)).toEqual(['started', 'completed']);
    const [started, completed] = mail.received;
    expect(started).toMatchObject({ id: 'nightly-rn-1', run: 'nightly-rn', severity: 'info', title: 'Run started', at: new Date(NIGHT).toISOString() });
    expect(completed).toMatchObject({
      severity: 'info',
      title: 'Run completed',
      message: 'The run completed in 1 min 00 s: 8 items finished (7 succeeded, 1 rejected, 0 exhausted).',
      at: new Date(NIGHT + 60_000).toISOString(),
      data: { summary: { read: 8, finished: 8, succeeded: 7, rejected: 1, exhausted: 0, unfinished: 0, durationMs: 60_000, startedAt: new Date(NIGHT).toISOString() } },
    });
    // 'completed' was queued at +60 s and went out once 'started' was delivered, at +90 s.
    expect(notifier.deliveries().map((r) => [r.kind, r.status, r.at, r.durationMs])).toEqual([
      ['started', 'delivered', new Date(NIGHT).toISOString(), 90_000],
      ['completed', 'delivered', new Date(NIGHT + 90_000).toISOString(), 90_000],
    ]);
  });

  it('names each notice after the run option `name` when attach() gets no runName', async () => {
    const clock = new FakeClock(NIGHT);
    const run = makeRun(clock, 2, 1_000, { name: 'pensions-2026-11' });
    const log = channel('log');
    const notifier = createNotifier({ channels: [log], clock });
    notifier.attach(run);
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    await notifier.flush();
    expect(log.received.map((n) => [n.id, n.run])).toEqual([
      ['pensions-2026-11-1', 'pensions-2026-11'],
      ['pensions-2026-11-2', 'pensions-2026-11'],
    ]);
  });

  it('paused by the office hours, window open the next evening, completed; each notice says when', async () => {
    const clock = new FakeClock(NIGHT);
    // 8 items, cap 4, 6 h per call: the second wave is cut by the office hours at 08:00 and reruns the next evening.
    const run = makeRun(clock, 8, 6 * 3600_000, { calendar: {} });
    const notices: Notice[] = [];
    const notifier = createNotifier({ channels: [callbackChannel('ops', (notice) => void notices.push(notice))], clock });
    notifier.attach(run);
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    await notifier.flush();
    expect(notices.map((n) => [n.kind, n.at])).toEqual([
      ['started', '2026-01-05T20:00:00.000Z'],
      ['paused', '2026-01-06T07:00:00.000Z'], // 08:00 in Brussels
      ['window-open', '2026-01-06T16:00:00.000Z'], // 17:00 in Brussels
      ['completed', '2026-01-06T22:00:00.000Z'],
    ]);
    expect(notices[1]).toMatchObject({ severity: 'info', title: 'Run paused: office hours', data: { reason: 'office-hours', nextWindowAt: '2026-01-06T16:00:00.000Z' } });
    expect(notices[1]!.message).toMatch(/office hours/i);
    expect(notices[2]).toMatchObject({ data: { windowClosesAt: '2026-01-07T07:00:00.000Z' } });
  });

  it('started while calls are forbidden: the notice says when calls begin', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0)); // Monday 10:00 in Brussels
    const run = makeRun(clock, 1, 100, { calendar: {}, waitForWindow: true });
    const notices: Notice[] = [];
    const notifier = createNotifier({ channels: [callbackChannel('ops', (notice) => void notices.push(notice))], clock });
    notifier.attach(run, { events: ['started'] });
    const done = run.start();
    await clock.advance(1);
    await notifier.flush();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'started', data: { state: 'waiting', nextWindowAt: '2026-01-05T16:00:00.000Z' } });
    expect(notices[0]!.message).toMatch(/^The run started and waits for its window: calls begin at 2026-01-05T16:00:00.000Z\./);
    void run.stop();
    await driveToEnd(clock, run);
    await done;
  });

  it('paused by the reject budget with the run\'s message; paused and resumed by the operator; stopped with what was left', async () => {
    const clock = new FakeClock(NIGHT);
    const run = makeRun(clock, 200, 100, {
      minPauseMs: 0,
      rejectBudget: { maxRatio: 0.3, minSample: 20 },
      respond: (item) => {
        if (item < 10 || item % 10 === 0) throw new HttpStatusError(404);
        return item;
      },
    });
    const notices: Notice[] = [];
    const notifier = createNotifier({ channels: [callbackChannel('ops', (notice) => void notices.push(notice))], clock });
    notifier.attach(run);
    const done = run.start();
    await clock.runUntil(() => run.state === 'paused');
    run.resume();
    await clock.advance(50);
    run.pause();
    run.resume();
    const stopping = run.stop();
    await driveToEnd(clock, run);
    await stopping;
    await done;
    await notifier.flush();
    expect(notices.map((n) => n.kind)).toEqual(['started', 'paused', 'resumed', 'paused', 'resumed', 'stopped']);
    const budget = notices[1]!;
    expect(budget).toMatchObject({ severity: 'warning', title: 'Run paused by the reject budget', data: { reason: 'reject-budget' } });
    expect(budget.message).toMatch(/reject/i);
    expect(notices[3]).toMatchObject({ severity: 'info', title: 'Run paused by the operator', data: { reason: 'manual' } });
    const stopped = notices[5]!;
    expect(stopped.severity).toBe('warning');
    const summary = stopped.data['summary'] as { read: number; finished: number; unfinished: number };
    expect(summary.unfinished).toBe(summary.read - summary.finished);
    expect(stopped.message).toContain(`${summary.unfinished} items read were not finished`);
  });

  it('failed: critical, with the code and the message of the fatal outcome', async () => {
    const clock = new FakeClock(NIGHT);
    const run = makeRun(clock, 20, 100, {
      respond: (item) => {
        if (item === 5) throw new HttpStatusError(401, { message: 'credentials refused' });
        return item;
      },
    });
    const notices: Notice[] = [];
    const notifier = createNotifier({ channels: [callbackChannel('ops', (notice) => void notices.push(notice))], clock });
    notifier.attach(run, { events: ['failed'] });
    const done = run.start();
    done.catch(() => undefined);
    await driveToEnd(clock, run);
    await expect(done).rejects.toMatchObject({ outcomeCode: 'HTTP_401' });
    await notifier.flush();
    expect(notices).toHaveLength(1); // only the kinds asked for
    expect(notices[0]).toMatchObject({ kind: 'failed', severity: 'critical', title: 'Run failed: HTTP_401', data: { code: 'HTTP_401' } });
    expect(notices[0]!.message).toMatch(/^The run stopped on a fatal outcome \(HTTP_401\): .*credentials refused/);
  });

  it('stalled and source-paused events become critical and warning notices; detach stops following', async () => {
    const clock = new FakeClock(NIGHT);
    const emitter = new TypedEmitter<RunEvents>((error) => {
      throw error;
    });
    const fakeRun: ObservedRun = { state: 'running', status: () => ({}) as RunStatus, on: (event, listener) => emitter.on(event, listener) };
    const notices: Notice[] = [];
    const notifier = createNotifier({ channels: [callbackChannel('ops', (notice) => void notices.push(notice))], clock });
    const detach = notifier.attach(fakeRun, { runName: 'nightly' });
    emitter.emit('stalled', { at: NIGHT, idleMs: 600_000, inFlight: { rn: 4, ksz: 1 }, aborted: 5 });
    emitter.emit('stalled', { at: NIGHT + 1000, idleMs: 90_000, inFlight: { rn: 2 }, aborted: 0 });
    emitter.emit('source-paused', { source: 'rn', failureRatio: 0.625, until: NIGHT + 120_000, at: NIGHT });
    detach();
    emitter.emit('stalled', { at: NIGHT, idleMs: 1, inFlight: {}, aborted: 0 });
    await notifier.flush();
    expect(notices.map((n) => [n.kind, n.severity])).toEqual([
      ['stalled', 'critical'],
      ['stalled', 'critical'],
      ['source-paused', 'warning'],
    ]);
    expect(notices[0]).toMatchObject({
      title: 'Run stalled',
      message: 'No item finished for 10 min 00 s while 5 calls were in flight (rn: 4, ksz: 1); 5 stuck calls were aborted and their items queued again.',
      data: { idleMs: 600_000, inFlight: { rn: 4, ksz: 1 }, aborted: 5 },
      run: 'nightly',
    });
    expect(notices[1]!.message).toBe('No item finished for 1 min 30 s while 2 calls were in flight (rn: 2); the calls in flight were left running.');
    expect(notices[2]).toMatchObject({
      title: 'Source rn paused (overload protection)',
      message: '63% of the recent calls to source rn failed transiently: its calls are paused until 2026-01-05T20:02:00.000Z, when a probe call tests it again.',
      data: { source: 'rn', failureRatio: 0.625, until: '2026-01-05T20:02:00.000Z' },
    });
  });

  it('a failing or hanging channel changes nothing in the run: same end, the run completes', async () => {
    const end = async (channels: NotifierChannel[] | undefined) => {
      const clock = new FakeClock(NIGHT);
      const run = makeRun(clock, 40, 20_000);
      const notifier = channels === undefined ? undefined : createNotifier({ channels, clock });
      notifier?.attach(run);
      const done = run.start();
      await driveToEnd(clock, run);
      const summary = await done;
      await clock.advance(60_000);
      await notifier?.flush();
      return { summary, records: notifier?.deliveries() ?? [] };
    };
    const reference = await end(undefined);
    const failing = await end([channel('down', 'fail'), channel('stuck', 'hang')]);
    expect(failing.summary.state).toBe('completed');
    expect(failing.summary.endedAt).toBe(reference.summary.endedAt);
    expect(failing.summary.totals).toEqual(reference.summary.totals);
    expect(statuses(failing.records)).toEqual(['run-1 down failed', 'run-1 stuck failed', 'run-2 down failed', 'run-2 stuck failed']);
  });
});

describe('webhook channel (real HTTP on loopback)', () => {
  const servers: HookServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('posts the notice as JSON; a 500 falls back to the next channel with a scrubbed error; a hang times out', async () => {
    const clock = new FakeClock(NIGHT);
    const down = await startHookServer(500);
    const up = await startHookServer(204);
    servers.push(down, up);
    const secretUrl = `${down.origin}/notify?token=abc`;
    const received: Notice[] = [];
    const notifier = createNotifier({
      channels: [
        webhookChannel({ name: 'teams', url: secretUrl, headers: { Authorization: 'Bearer t0ken' }, clock }),
        webhookChannel({ name: 'backup', url: `${up.origin}/notify`, timeoutMs: 2000, clock }),
        callbackChannel('log', (notice) => void received.push(notice)),
      ],
      clock,
    });
    const notice = notifier.notify(draft('failed'), 'nightly');
    await notifier.flush();
    expect(down.requests[0]!.headers['authorization']).toBe('Bearer t0ken');
    expect(up.requests.map((r) => [r.method, r.path, r.body])).toEqual([['POST', '/notify', notice]]);
    expect(notifier.deliveries().map((r) => [r.channel, r.status, r.error])).toEqual([
      ['teams', 'failed', `POST ${down.origin}/notify answered HTTP 500`],
      ['backup', 'delivered', undefined],
      ['log', 'skipped', undefined],
    ]);
    expect(JSON.stringify(notifier.deliveries())).not.toMatch(/token=abc|t0ken|Authorization/);

    up.mode = 'hang';
    notifier.notify(draft('completed'), 'nightly');
    const flushed = notifier.flush();
    await up.received(2);
    await clock.advance(2000);
    await flushed;
    expect(notifier.deliveries().slice(3).map((r) => [r.channel, r.status, r.error])).toEqual([
      ['teams', 'failed', `POST ${down.origin}/notify answered HTTP 500`],
      ['backup', 'failed', `POST ${up.origin}/notify did not answer within 2000 ms`],
      ['log', 'delivered', undefined],
    ]);
    await up.requests[1]!.aborted;
  });
});
