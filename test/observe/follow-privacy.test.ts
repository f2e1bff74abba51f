import { afterEach, describe, expect, it } from 'vitest';
import { callbackChannel, createNotifier, createRun, HttpStatusError, startHeartbeat, webhookChannel, type Notice } from '../../src/index.js';
import { FakeClock, RecordingService } from '../../src/testing.js';
import { driveToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';
import { startHookServer, type HookServer } from '../support/hook-server.js';

const NO_CALENDAR = { enforce: false, override: { reason: 'privacy test against an in-process fake service' } } as const;
const INSZ = '85073003328';
/** What must never leave the process: the national number (bare or spaced) and the webhook's secrets. */
const FORBIDDEN = /85073003328|850730 ?333 ?28|s3cret|t0ken|token=abc|authorization/i;

const servers: HookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A run over national numbers (the key is the number itself): the one of INSZ is rejected, or fails the run, with a reason that quotes it. */
function inszRun(clock: FakeClock, outcome: 'reject' | 'fatal') {
  const items = [INSZ, '90010112345', '75121534567', '60022898765', '01010100123', '88080812345'];
  const service = new RecordingService<string, string>({
    clock,
    latencyMs: 30_000,
    respond: (item) => {
      if (item !== INSZ) return item;
      if (outcome === 'reject') throw new HttpStatusError(404, { message: `No person registered under ${INSZ}` });
      throw new HttpStatusError(401, { message: `Access refused for ${INSZ}` });
    },
  });
  return createRun<string, string>({
    input: items,
    key: (item) => item,
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    call: service.call,
    clock,
    random: () => 0.5,
    announcement: TEST_ANNOUNCEMENT,
    calendar: NO_CALENDAR,
    timeoutMs: 50_000_000,
  });
}

describe('heartbeats and notices carry no national number and no secret of their targets', () => {
  for (const outcome of ['reject', 'fatal'] as const) {
    it(`a run whose item ${outcome === 'reject' ? 'is rejected' : 'fails the run'} with a reason quoting its national number`, async () => {
      const failing = await startHookServer(500);
      const beats = await startHookServer(204);
      servers.push(failing, beats);
      const clock = new FakeClock();
      const run = inszRun(clock, outcome);
      const rejectReasons: string[] = [];
      run.on('reject', (record) => rejectReasons.push(record.key, record.reason ?? ''));

      const heartbeat = startHeartbeat(run, {
        target: { url: `${beats.origin}/beat?token=abc`, headers: { Authorization: 'Bearer t0ken' } },
        clock,
        intervalMs: 10_000,
        runName: 'insz-lookup',
      });
      const failingBeat = startHeartbeat(run, {
        target: { url: `${failing.origin.replace('http://', 'http://ops:s3cret@')}/beat?token=abc`, headers: { Authorization: 'Bearer t0ken' } },
        clock,
        intervalMs: 10_000,
      });
      const notices: Notice[] = [];
      const notifier = createNotifier({
        channels: [
          webhookChannel({ name: 'webhook', url: `${failing.origin.replace('http://', 'http://ops:s3cret@')}/notify?token=abc`, headers: { Authorization: 'Bearer t0ken' }, clock }),
          callbackChannel('log', (notice) => void notices.push(notice)),
        ],
        clock,
      });
      notifier.attach(run, { runName: 'insz-lookup' });

      const done = run.start();
      done.catch(() => undefined);
      await driveToEnd(clock, run);
      await done.catch(() => undefined);
      await heartbeat.flush();
      await failingBeat.flush();
      await notifier.flush();

      // The test sees what it means to see: the number was in the run, and every channel was used.
      expect(run.state).toBe(outcome === 'reject' ? 'completed' : 'failed');
      if (outcome === 'reject') expect(rejectReasons.join(' ')).toContain('85.07.30-***.**');
      expect(beats.requests.length).toBeGreaterThan(0);
      expect(failing.requests.length).toBeGreaterThan(0);
      expect(notices.map((n) => n.kind)).toEqual(['started', outcome === 'reject' ? 'completed' : 'failed']);
      if (outcome === 'fatal') expect(notices[1]!.message).toContain('85.07.30-***.**');
      expect(failingBeat.status().lastError?.status).toBe(500);
      expect(notifier.deliveries().filter((r) => r.status === 'failed')).toHaveLength(2);

      const everything = JSON.stringify({
        beats: beats.requests.map((r) => r.body),
        failingBodies: failing.requests.map((r) => r.body),
        notices,
        deliveries: notifier.deliveries(),
        heartbeat: heartbeat.status(),
        failingBeat: failingBeat.status(),
        lastError: { message: failingBeat.status().lastError?.message, target: failingBeat.status().lastError?.target, stack: failingBeat.status().lastError?.stack },
      });
      expect(everything).not.toMatch(FORBIDDEN);
    });
  }

  it('a heartbeat endpoint that answers 500 or hangs changes nothing in the run (real HTTP, fake clock)', async () => {
    const reference = await (async () => {
      const clock = new FakeClock();
      const run = inszRun(clock, 'reject');
      const done = run.start();
      await driveToEnd(clock, run);
      return done;
    })();
    for (const mode of [500, 'hang'] as const) {
      const hooks = await startHookServer(mode);
      servers.push(hooks);
      const clock = new FakeClock();
      const run = inszRun(clock, 'reject');
      const heartbeat = startHeartbeat(run, { target: { url: `${hooks.origin}/beat` }, clock, intervalMs: 5_000, timeoutMs: 4_000 });
      const done = run.start();
      await driveToEnd(clock, run);
      const summary = await done;
      expect(summary.state, String(mode)).toBe('completed');
      expect(summary.endedAt, String(mode)).toBe(reference.endedAt);
      expect(summary.totals, String(mode)).toEqual(reference.totals);
      await hooks.received(1);
      // A hanging final beat times out on the clock; a 500 is awaited in real time (advancing the
      // fake clock first could time the request out before the loopback answer arrives).
      if (mode === 'hang') await clock.advance(10_000);
      await heartbeat.flush();
      expect(heartbeat.status().sent, String(mode)).toBe(0);
      expect(heartbeat.status().lastError?.errorCode, String(mode)).toBe(mode === 500 ? 'HTTP_500' : 'TIMEOUT');
    }
  });
});
