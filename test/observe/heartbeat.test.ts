import { describe, expect, it } from 'vitest';
import { DeliveryError, startHeartbeat, type HeartbeatPayload, type ObservedRun, type RunEvents, type RunOptions, type RunState, type RunStatus, type SuccessInfo } from '../../src/index.js';
import { TypedEmitter } from '../../src/util/emitter.js';
import { FakeClock } from '../../src/testing.js';
import { driveToEnd, numberedRun } from '../helpers.js';

const NO_CALENDAR = { enforce: false, override: { reason: 'heartbeat test against an in-process fake service' } } as const;
const T0 = Date.UTC(2026, 0, 5, 20, 0, 0);

/** A run over `count` items on one `rn` source (cap 4 by policy), each call taking `latencyMs` of fake time; `finishedAt` records when each item finished. */
function makeRun(clock: FakeClock, count: number, latencyMs: number, extra: Omit<Partial<RunOptions<number, number>>, 'clock'> = {}) {
  const finishedAt: Array<[number, number]> = [];
  const onSuccess = (_item: number, _value: number, info: SuccessInfo) => void finishedAt.push([info.position, clock.now()]);
  const { run, service } = numberedRun(count, { clock, latencyMs, calendar: NO_CALENDAR, timeoutMs: 50_000_000, onSuccess, ...extra });
  return { run, service, finishedAt };
}

/** A callback target that records the beats it receives. */
function recorder() {
  const beats: HeartbeatPayload[] = [];
  return { beats, target: (payload: HeartbeatPayload) => void beats.push(payload) };
}

const offsets = (beats: readonly HeartbeatPayload[]) => beats.map((beat) => (Date.parse(beat.at) - T0) / 1000);

describe('startHeartbeat', () => {
  it('beats when the run starts, then every intervalMs by the clock, then once with the final state, then never again', async () => {
    const clock = new FakeClock(T0);
    // 8 items, cap 4, 70 s per call: two waves, the run completes at t0 + 140 s.
    const { run } = makeRun(clock, 8, 70_000);
    const { beats, target } = recorder();
    const heartbeat = startHeartbeat(run, { target, clock, runName: 'nightly-rn', host: 'batch-01' });
    const sentEvents: number[] = [];
    heartbeat.on('heartbeat-sent', (beat) => sentEvents.push(beat.seq));
    expect(beats).toHaveLength(0); // an idle run does not beat
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    await heartbeat.flush();

    expect(offsets(beats)).toEqual([0, 60, 120, 140]);
    expect(beats.map((beat) => beat.seq)).toEqual([1, 2, 3, 4]);
    expect(sentEvents).toEqual([1, 2, 3, 4]);
    expect(beats.map((beat) => beat.state)).toEqual(['running', 'running', 'running', 'completed']);
    expect(beats[0]).toMatchObject({ type: 'heartbeat', run: 'nightly-rn', host: 'batch-01', pid: process.pid, pauseReason: null, nextWindowAt: null, windowClosesAt: null });
    expect(beats[1]!.totals).toMatchObject({ inFlight: 4, finished: 0 });
    expect(beats[2]!.totals).toMatchObject({ inFlight: 4, finished: 4 });
    expect(beats[3]!.totals).toMatchObject({ inFlight: 0, finished: 8, succeeded: 8 });
    expect(heartbeat.status()).toEqual({ sent: 4, failed: 0, skipped: 0, lastSentAt: new Date(T0 + 140_000).toISOString(), active: false });

    await clock.advance(3_600_000);
    expect(beats).toHaveLength(4);
    expect(clock.pendingTimers()).toBe(0); // the heartbeat left no timer behind
  });

  it('names each beat after the run option `name` when no runName is given', async () => {
    const clock = new FakeClock(T0);
    const { run } = makeRun(clock, 2, 1_000, { name: 'pensions-2026-11' });
    const { beats, target } = recorder();
    const heartbeat = startHeartbeat(run, { target, clock });
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    await heartbeat.flush();
    expect(run.name).toBe('pensions-2026-11');
    expect(beats.map((beat) => beat.run)).toEqual(['pensions-2026-11', 'pensions-2026-11']);
  });

  it('keeps beating while the run is paused, with the pause reason', async () => {
    const clock = new FakeClock(T0);
    const { run } = makeRun(clock, 4, 1_000_000, { minPauseMs: 0 });
    const { beats, target } = recorder();
    startHeartbeat(run, { target, clock, intervalMs: 10_000 });
    const done = run.start();
    await clock.advance(5_000);
    run.pause();
    await clock.advance(20_000);
    expect(offsets(beats)).toEqual([0, 10, 20]);
    expect(beats.map((beat) => [beat.state, beat.pauseReason])).toEqual([
      ['running', null],
      ['paused', 'manual'],
      ['paused', 'manual'],
    ]);
    void run.stop({ inFlight: 'abort' });
    await driveToEnd(clock, run);
    await done;
    expect(beats.at(-1)).toMatchObject({ state: 'stopped', seq: 4 });
  });

  it('beats at once when attached to a run already started, and sends nothing after stop()', async () => {
    const clock = new FakeClock(T0);
    const { run } = makeRun(clock, 4, 1_000_000);
    const done = run.start();
    await clock.advance(30_000);
    const { beats, target } = recorder();
    const heartbeat = startHeartbeat(run, { target, clock, intervalMs: 60_000 });
    await heartbeat.flush();
    expect(offsets(beats)).toEqual([30]);
    await clock.advance(120_000);
    expect(offsets(beats)).toEqual([30, 90, 150]);
    heartbeat.stop();
    await clock.advance(600_000);
    void run.stop({ inFlight: 'abort' });
    await driveToEnd(clock, run);
    await done;
    expect(offsets(beats)).toEqual([30, 90, 150]); // not even the final beat after stop()
    expect(heartbeat.status().active).toBe(false);
  });

  it('shows the next window while the run waits for it', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0)); // Monday 10:00 in Brussels: office hours
    const { run } = makeRun(clock, 1, 100, { calendar: {}, waitForWindow: true });
    const { beats, target } = recorder();
    startHeartbeat(run, { target, clock });
    const done = run.start();
    await clock.advance(1);
    expect(beats).toHaveLength(1);
    expect(beats[0]).toMatchObject({ state: 'waiting', totals: { finished: 0 } });
    expect(beats[0]!.nextWindowAt).toMatch(/^2026-01-05T\d\d:00:00\.000Z$/);
    expect(Date.parse(beats[0]!.nextWindowAt!)).toBe(run.status().nextWindowAt);
    void run.stop();
    await driveToEnd(clock, run);
    await done;
  });

  it('keeps at most one beat in flight: ticks during a hanging beat are skipped, the hang times out as failed', async () => {
    const clock = new FakeClock(T0);
    const { run } = makeRun(clock, 4, 10_000_000);
    const calls: number[] = [];
    let signals = 0;
    const target = (_payload: HeartbeatPayload, { signal }: { signal: AbortSignal }) => {
      calls.push((clock.now() - T0) / 1000);
      signal.addEventListener('abort', () => signals++);
      return new Promise<void>(() => undefined); // never settles, ignores its signal
    };
    const heartbeat = startHeartbeat(run, { target, clock, intervalMs: 60_000, timeoutMs: 150_000 });
    const failures: DeliveryError[] = [];
    const skips: string[] = [];
    heartbeat.on('heartbeat-failed', ({ error }) => failures.push(error));
    heartbeat.on('heartbeat-skipped', ({ at }) => skips.push(at));
    const done = run.start();
    await clock.advance(300_000);
    // Beat at 0 hangs; ticks at 60 and 120 skipped; timeout at 150; beat at 180 hangs; 240 skipped; 300 skipped.
    expect(calls).toEqual([0, 180]);
    expect(heartbeat.status()).toMatchObject({ sent: 0, failed: 1, skipped: 4 });
    expect(signals).toBe(1);
    expect(skips.map((at) => (Date.parse(at) - T0) / 1000)).toEqual([60, 120, 240, 300]);
    expect(failures[0]).toBeInstanceOf(DeliveryError);
    expect(failures[0]).toMatchObject({ errorCode: 'TIMEOUT', target: 'callback' });
    heartbeat.stop();
    void run.stop({ inFlight: 'abort' });
    await driveToEnd(clock, run);
    await done;
  });

  it('sends the final beat after the beat in flight settles, never two at once', async () => {
    const clock = new FakeClock(T0);
    const { run } = makeRun(clock, 1, 1_000);
    let inFlight = 0;
    let peak = 0;
    const states: string[] = [];
    const target = async (payload: HeartbeatPayload) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      states.push(payload.state);
      await clock.sleep(3_000); // the first beat is still out when the run completes at t0 + 1 s
      inFlight--;
    };
    const heartbeat = startHeartbeat(run, { target, clock });
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    await clock.advance(10_000);
    await heartbeat.flush();
    expect(states).toEqual(['running', 'completed']);
    expect(peak).toBe(1);
    expect(heartbeat.status()).toMatchObject({ sent: 2, failed: 0, lastSentAt: new Date(T0 + 3_000).toISOString() });
  });

  it('a throwing, rejecting or hanging target changes nothing in the run: same finishing instants, the run completes', async () => {
    const baseline = async () => {
      const clock = new FakeClock(T0);
      const { run, finishedAt } = makeRun(clock, 30, 45_000);
      const summary = await (async () => {
        const done = run.start();
        await driveToEnd(clock, run);
        return done;
      })();
      return { finishedAt, summary };
    };
    const reference = await baseline();
    expect(reference.summary.state).toBe('completed');

    const targets: Record<string, (payload: HeartbeatPayload, context: { signal: AbortSignal }) => void | Promise<void>> = {
      throwing: () => {
        throw new Error('heartbeat endpoint exploded');
      },
      rejecting: () => Promise.reject(new Error('heartbeat endpoint refused')),
      hanging: () => new Promise<void>(() => undefined),
    };
    for (const [name, target] of Object.entries(targets)) {
      const clock = new FakeClock(T0);
      const { run, finishedAt } = makeRun(clock, 30, 45_000);
      const heartbeat = startHeartbeat(run, { target, clock, intervalMs: 30_000, timeoutMs: 20_000 });
      const done = run.start();
      await driveToEnd(clock, run);
      const summary = await done;
      expect(summary.state, name).toBe('completed');
      expect(finishedAt, name).toEqual(reference.finishedAt);
      expect(summary.endedAt, name).toBe(reference.summary.endedAt);
      await clock.advance(60_000);
      await heartbeat.flush();
      const status = heartbeat.status();
      expect(status.sent, name).toBe(0);
      expect(status.failed, name).toBeGreaterThan(5);
      expect(status.lastError, name).toBeInstanceOf(DeliveryError);
      expect(status.lastError!.errorCode, name).toBe(name === 'hanging' ? 'TIMEOUT' : 'CALLBACK_FAILED');
    }
  });

  it('calls the target off the run listener\'s stack (a later microtask), never inside it', async () => {
    const clock = new FakeClock(T0);
    const emitter = new TypedEmitter<RunEvents>((error) => {
      throw error;
    });
    let state: RunState = 'idle';
    const status = { state: 'running', pauseReason: undefined, totals: {}, nextWindowAt: undefined, windowClosesAt: undefined } as unknown as RunStatus;
    const fakeRun: ObservedRun = { get state() { return state; }, status: () => status, on: (event, listener) => emitter.on(event, listener) };
    const { beats, target } = recorder();
    const heartbeat = startHeartbeat(fakeRun, { target, clock });
    state = 'running';
    emitter.emit('state', { from: 'idle', to: 'running', at: T0, reason: 'start' });
    expect(beats).toHaveLength(0); // the listener returned before the target was called
    await heartbeat.flush();
    expect(beats).toHaveLength(1);
    heartbeat.stop();
  });

  it('refuses malformed options with the path of the field, without quoting the URL', () => {
    const clock = new FakeClock(T0);
    const { run } = makeRun(clock, 1, 100);
    expect(() => startHeartbeat(run, { target: () => undefined, intervalMs: 0 })).toThrow(/intervalMs/);
    let error: unknown;
    try {
      startHeartbeat(run, { target: { url: 'ftp://user:s3cret@example.org/beat' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', issues: [{ path: ['url'] }] });
    expect(String((error as Error).message)).not.toContain('s3cret');
  });
});
