/**
 * Control from outside the run's code, on the run's injected clock: who paused and why in the
 * `state` event and `status()`, the live files of a FileStore run (commands picked up by the
 * poll, the snapshot refreshed), the run's AbortSignal, and how a command is applied.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore, type StateChange } from '../../src/index.js';
import { applyCommand, type LiveControlRun } from '../../src/engine/control/live-control.js';
import { newCommandId, readLiveSnapshot, takeAck, writeCommand } from '../../src/store/live/live-files.js';
import { numberedRun } from '../helpers.js';
import type { FakeClock } from '../../src/testing.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/**
 * Moves the run's clock in steps of its poll period until `done`: a command is picked up by the
 * directory's watch or by the poll, whose file I/O is also spaced in real time (at most 10 s).
 */
async function pickedUp(clock: FakeClock, done: () => boolean | Promise<boolean>): Promise<void> {
  const until = performance.now() + 10_000;
  while (!(await done())) {
    if (performance.now() > until) throw new Error('the command was not picked up within 10 s of real time');
    await clock.advance(100); // little fake time per real step: the minimum pause (60 s) must not pass while the test waits
    await new Promise((resolve) => setTimeout(resolve, 20)); // real time for the poll's spacing
  }
}

async function fileRun(count: number, extra: Parameters<typeof numberedRun>[1] = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'bcss-control-'));
  dirs.push(dir);
  const store = await FileStore.open(dir);
  return { dir, ...numberedRun(count, { latencyMs: 100, minPauseMs: 60_000, store, control: { pollMs: 500, refreshMs: 2_000 }, ...extra }) };
}

describe('who paused, resumed or stopped, and why', () => {
  it('the state event and status() carry the origin and the reason; pause() alone is the API', async () => {
    const { clock, run } = numberedRun(200, { latencyMs: 100, minPauseMs: 1_000 });
    const changes: StateChange[] = [];
    run.on('state', (change) => changes.push(change));
    const done = run.start();
    await clock.advance(150);
    run.pause();
    expect(run.status().pausedBy).toEqual({ origin: 'api', at: clock.now() });
    run.resume({ origin: 'command' });
    await clock.advance(1_000);
    run.pause({ origin: 'command', reason: 'BCSS desk, ticket 4711' });
    expect(changes.at(-1)).toMatchObject({ to: 'paused', reason: 'manual', origin: 'command', message: 'BCSS desk, ticket 4711' });
    expect(run.status().pausedBy).toEqual({ origin: 'command', reason: 'BCSS desk, ticket 4711', at: clock.now() });
    expect(changes.find((change) => change.to === 'running' && change.reason === 'resume')).toMatchObject({ origin: 'command' }); // applied by the timer of the minimum pause
    void run.stop({ origin: 'signal', reason: 'SIGTERM received' });
    expect(changes.at(-1)).toMatchObject({ to: 'draining', origin: 'signal', message: 'SIGTERM received' });
    expect(run.status().pausedBy).toBeUndefined();
    await clock.runUntil(() => run.state === 'stopped');
    await done;
    expect(changes.find((change) => change.reason === 'start')!.origin).toBeUndefined();
  });
});

describe('the run logger', () => {
  it('logs who paused and why', async () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const keep = (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message });
    const { clock, run } = numberedRun(50, { latencyMs: 100, logger: { info: keep, warn: keep, error: keep } });
    const done = run.start();
    await clock.advance(150);
    run.pause({ origin: 'command', reason: 'BCSS desk' });
    expect(lines.at(-1)).toEqual({ fields: expect.objectContaining({ to: 'paused', reason: 'manual', origin: 'command', message: 'BCSS desk' }), message: 'Run running → paused (manual, by command): BCSS desk' });
    void run.stop();
    await clock.runUntil(() => run.state === 'stopped');
    await done;
  });
});

describe('the live files of a FileStore run', () => {
  it('a command is picked up within pollMs of the run clock, applied, acknowledged and logged; the snapshot follows', async () => {
    const { dir, clock, run, service } = await fileRun(400);
    const done = run.start();
    await clock.advance(1_000);
    const command = await writeCommand(dir, { id: newCommandId(clock.now()), at: clock.now(), command: 'pause', reason: 'night operator' });
    let ack: Awaited<ReturnType<typeof takeAck>>;
    await pickedUp(clock, async () => (ack = await takeAck(dir, command.id)) !== undefined);
    expect(run.state).toBe('paused');
    expect(ack).toMatchObject({ ok: true, state: 'paused', message: expect.stringContaining('paused') });
    const calls = service.calls();
    await clock.advance(10_000);
    expect(service.calls()).toBe(calls);
    // Refreshed every refreshMs (of the run's clock, and of real time): the calls in flight at the pause have ended.
    let snapshot: Awaited<ReturnType<typeof readLiveSnapshot>>;
    await pickedUp(clock, async () => (snapshot = await readLiveSnapshot(dir))!.status.totals.inFlight === 0);
    expect(snapshot).toMatchObject({ pid: process.pid, status: { state: 'paused', pausedBy: { origin: 'command', reason: 'night operator' } } });

    const resume = await writeCommand(dir, { id: newCommandId(clock.now()), at: clock.now(), command: 'resume' });
    let resumed: Awaited<ReturnType<typeof takeAck>>;
    await pickedUp(clock, async () => (resumed = await takeAck(dir, resume.id)) !== undefined);
    expect(resumed).toMatchObject({ ok: true, state: 'paused', resumesAt: run.status().pausedBy!.at + 60_000, message: expect.stringContaining('the minimum pause') });
    const stop = await writeCommand(dir, { id: newCommandId(clock.now()), at: clock.now(), command: 'stop' });
    let stopped: Awaited<ReturnType<typeof takeAck>>;
    await pickedUp(clock, async () => (stopped = await takeAck(dir, stop.id)) !== undefined);
    expect(stopped).toMatchObject({ ok: true });
    await clock.runUntil(() => run.state === 'stopped');
    await done;
    expect((await readLiveSnapshot(dir))!.status.state).toBe('stopped');
  });

  it('no live files with control: false', async () => {
    const { dir, clock, run } = await fileRun(5, { control: false });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    await done;
    expect(await readLiveSnapshot(dir)).toBeUndefined();
  });
});

describe('createRun({ signal })', () => {
  it('an abort stops the run gracefully, origin signal; calls in flight finish', async () => {
    const controller = new AbortController();
    const { clock, run, service } = numberedRun(100, { latencyMs: 100, signal: controller.signal });
    const changes: StateChange[] = [];
    run.on('state', (change) => changes.push(change));
    const done = run.start();
    await clock.advance(150);
    controller.abort(new Error('deploy'));
    expect(changes.at(-1)).toMatchObject({ to: 'draining', origin: 'signal', message: "the run's AbortSignal was aborted: deploy" });
    await clock.runUntil(() => run.state === 'stopped');
    const summary = await done;
    expect(summary.totals.succeeded).toBe(service.calls()); // the calls in flight finished
  });

  it('aborted before the start, the run ends stopped with nothing sent', async () => {
    const { clock, run, service } = numberedRun(10, { signal: AbortSignal.abort() });
    const done = run.start();
    await clock.runUntil(() => run.state === 'stopped');
    expect((await done).state).toBe('stopped');
    expect(service.calls()).toBe(0);
  });
});

describe('applyCommand', () => {
  const fakeRun = (state: LiveControlRun['state'], refused?: string): LiveControlRun & { asked: string[] } => {
    const asked: string[] = [];
    return {
      asked,
      state,
      name: undefined,
      status: () => { throw new Error('not read'); },
      pause: (request) => void asked.push(`pause ${request.origin} ${request.reason}`),
      resume: () => (asked.push('resume'), new Date(5_000)),
      stop: (options) => (asked.push(`stop ${options.inFlight}`), new Promise(() => undefined)),
      fail: () => undefined,
      resumeRefused: () => refused,
    };
  };

  it('refuses a command to a run that is not live, and a resume the institution holds, touching nothing', () => {
    const ended = fakeRun('completed');
    expect(applyCommand(ended, { command: 'pause' }, 1_000)).toEqual({ ok: false, message: 'the run is completed: nothing to pause' });
    const held = fakeRun('paused', 'the institution is paused by h pid 1');
    expect(applyCommand(held, { command: 'resume' }, 1_000)).toEqual({ ok: false, message: 'the institution is paused by h pid 1' });
    expect([...ended.asked, ...held.asked]).toEqual([]);
  });

  it('applies pause with the origin command, resume saying when, stop with or without abort', () => {
    const run = fakeRun('running');
    expect(applyCommand(run, { command: 'pause', reason: 'desk' }, 1_000)).toMatchObject({ ok: true });
    expect(applyCommand(run, { command: 'resume' }, 1_000)).toMatchObject({ ok: true, resumesAt: 5_000, message: expect.stringContaining('resumes at 1970-01-01T00:00:05.000Z') });
    expect(applyCommand(run, { command: 'stop', abort: true }, 1_000)).toMatchObject({ ok: true, message: expect.stringContaining('aborted') });
    expect(run.asked).toEqual(['pause command desk', 'resume', 'stop abort']);
  });
});
