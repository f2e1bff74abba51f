/**
 * The one way to attach an observer, for the two that deliver (heartbeat, notifier):
 * `attach(run, observer)` returns a Detach; after it no beat or notice comes, no timer or
 * listener is left behind, and its async dispose waits for what is in flight. On the fake clock.
 */
import { describe, expect, it } from 'vitest';
import { BcssBulkError, ConfigError, callbackChannel, type HeartbeatPayload, type Notice } from '../../src/index.js';
import { attach } from '../../src/observe/attach.js';
import { ObserverAttachedError } from '../../src/observe/errors.js';
import { heartbeat } from '../../src/observe/heartbeat.js';
import { notifier } from '../../src/observe/notifier.js';
import { FakeClock } from '../../src/testing.js';
import { driveToEnd, numberedRun } from '../helpers.js';
import { countingRun } from './counting-run.js';

const NO_CALENDAR = { enforce: false, override: { reason: 'observer test against an in-process fake service' } } as const;
const T0 = Date.UTC(2026, 0, 5, 20, 0, 0);
const offsets = (beats: readonly HeartbeatPayload[]) => beats.map((beat) => (Date.parse(beat.at) - T0) / 1000);

/** 8 items, cap 4, 70 s per call: the run completes at t0 + 140 s. */
function slowRun(clock: FakeClock, name?: string) {
  return numberedRun(8, { clock, latencyMs: 70_000, calendar: NO_CALENDAR, timeoutMs: 50_000_000, ...(name === undefined ? {} : { name }) }).run;
}

describe('attach(run, heartbeat(options))', () => {
  it('beats from the start, every intervalMs, and once with the final state; Detach is a function that is also disposable', async () => {
    const clock = new FakeClock(T0);
    const run = slowRun(clock, 'pensions-2026-11');
    const beats: HeartbeatPayload[] = [];
    const observer = heartbeat({ target: (beat) => void beats.push(beat), clock, host: 'batch-01' });
    expect(observer.status()).toEqual({ sent: 0, failed: 0, skipped: 0, active: false }); // not attached yet
    const off = attach(run, observer);
    expect(typeof off).toBe('function');
    expect(typeof off[Symbol.dispose]).toBe('function');
    expect(typeof off[Symbol.asyncDispose]).toBe('function');
    const done = run.start();
    await driveToEnd(clock, run);
    await done;
    await observer.flush();
    expect(offsets(beats)).toEqual([0, 60, 120, 140]);
    expect(beats.map((beat) => beat.state)).toEqual(['running', 'running', 'running', 'completed']);
    expect(beats[0]).toMatchObject({ run: 'pensions-2026-11', host: 'batch-01' });
    expect(observer.status()).toMatchObject({ sent: 4, failed: 0, active: false });
    off(); // after the end: nothing to undo, no throw
  });

  it('after detaching: no more beats, its timer cleared, no listener left on the run, and a second detach does nothing', async () => {
    const clock = new FakeClock(T0);
    const run = slowRun(clock);
    const counted = countingRun(run);
    const beats: HeartbeatPayload[] = [];
    const observer = heartbeat({ target: (beat) => void beats.push(beat), clock, intervalMs: 30_000 });
    const off = attach(counted.view, observer);
    expect(counted.live()).toBe(1);
    const done = run.start();
    await clock.advance(65_000);
    await observer.flush();
    expect(offsets(beats)).toEqual([0, 30, 60]);
    const timers = clock.pendingTimers();
    off();
    expect(clock.pendingTimers()).toBe(timers - 1); // the heartbeat's next tick, and nothing of the run's
    expect(counted.live()).toBe(0);
    expect(observer.status().active).toBe(false);
    off();
    off[Symbol.dispose]();
    await driveToEnd(clock, run);
    await done;
    await clock.advance(600_000);
    expect(offsets(beats)).toEqual([0, 30, 60]); // not even the final beat
  });

  it('its async dispose detaches, then waits for the beat in flight', async () => {
    const clock = new FakeClock(T0);
    const run = slowRun(clock);
    let accept: (() => void) | undefined;
    const observer = heartbeat({ target: () => new Promise<void>((resolve) => (accept = resolve)), clock, timeoutMs: 10_000 });
    const off = attach(run, observer);
    const done = run.start();
    await clock.advance(0);
    expect(accept).toBeDefined(); // the first beat is in flight
    let disposed = false;
    const disposing = off[Symbol.asyncDispose]().then(() => (disposed = true));
    await clock.advance(0);
    expect(disposed).toBe(false);
    expect(observer.status()).toMatchObject({ sent: 0, active: false });
    accept!();
    await disposing;
    expect(observer.status()).toMatchObject({ sent: 1, active: false });
    await driveToEnd(clock, run);
    await done;
    expect(observer.status().sent).toBe(1);
  });

  it('follows one run: attaching it a second time throws ObserverAttachedError, and bad options are a ConfigError naming the field', () => {
    const clock = new FakeClock(T0);
    const observer = heartbeat({ target: () => undefined, clock });
    attach(slowRun(clock), observer);
    expect(() => attach(slowRun(clock), observer)).toThrow(ObserverAttachedError);
    expect(() => attach(slowRun(clock), observer)).toThrow(expect.objectContaining({ code: 'OBSERVER_ATTACHED' }));
    try {
      heartbeat({ target: () => undefined, intervalMs: 0 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual([['intervalMs']]);
    }
  });
});

describe('attach(run, notifier(options))', () => {
  it('sends the kinds asked for, named by the runName of its options; a notifier follows several runs, each with its own Detach', async () => {
    const clock = new FakeClock(T0);
    const sent: Notice[] = [];
    const notices = notifier({ channels: [callbackChannel('log', (notice) => void sent.push(notice))], clock, events: ['started', 'completed'], runName: 'night' });
    const first = slowRun(clock);
    const second = slowRun(clock);
    const offFirst = attach(first, notices);
    const offSecond = attach(second, notices);
    const done = Promise.all([first.start(), second.start()]);
    await driveToEnd(clock, first);
    await driveToEnd(clock, second);
    await done;
    await notices.flush();
    expect(sent.map((notice) => `${notice.run} ${notice.kind}`)).toEqual(['night started', 'night started', 'night completed', 'night completed']);
    expect(notices.deliveries().every((record) => record.status === 'delivered')).toBe(true);
    offFirst();
    offSecond();
  });

  it('after detaching: no more notices of that run, no listener left, while another attached run still sends', async () => {
    const clock = new FakeClock(T0);
    const sent: Notice[] = [];
    const notices = notifier({ channels: [callbackChannel('log', (notice) => void sent.push(notice))], clock });
    const detached = slowRun(clock, 'detached');
    const kept = slowRun(clock, 'kept');
    const counted = countingRun(detached);
    const off = attach(counted.view, notices);
    attach(kept, notices);
    const done = Promise.all([detached.start(), kept.start()]);
    await clock.advance(0);
    await notices.flush();
    expect(sent.map((notice) => `${notice.run} ${notice.kind}`)).toEqual(['detached started', 'kept started']);
    off();
    expect(counted.live()).toBe(0);
    await driveToEnd(clock, detached);
    await driveToEnd(clock, kept);
    await done;
    await notices.flush();
    expect(sent.map((notice) => `${notice.run} ${notice.kind}`)).toEqual(['detached started', 'kept started', 'kept completed']);
  });

  it('its async dispose detaches, then waits for the queued notices', async () => {
    const clock = new FakeClock(T0);
    let accept: (() => void) | undefined;
    const delivered: string[] = [];
    const channel = callbackChannel('slow', (notice) => new Promise<void>((resolve) => (accept = () => (delivered.push(notice.kind), resolve()))));
    const notices = notifier({ channels: [channel], clock, timeoutMs: 60_000 });
    const run = slowRun(clock);
    const off = attach(run, notices);
    const done = run.start();
    await clock.advance(0);
    expect(accept).toBeDefined();
    let disposed = false;
    const disposing = off[Symbol.asyncDispose]().then(() => (disposed = true));
    await clock.advance(0);
    expect(disposed).toBe(false);
    accept!();
    await disposing;
    expect(delivered).toEqual(['started']);
    await driveToEnd(clock, run);
    await done;
    await notices.flush();
    expect(delivered).toEqual(['started']); // detached: not the completion
  });

  it('bad options are a ConfigError naming each field, before any run is followed', () => {
    try {
      notifier({ channels: [], events: ['nonsense' as 'started'] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toBeInstanceOf(BcssBulkError);
      expect((error as ConfigError).issues.map((issue) => issue.path[0])).toEqual(['channels', 'events']);
    }
  });
});
