/**
 * stopOnSignals(run) in-process: the handlers a signal reaches (emitted on `process`, the way
 * Node delivers a signal to its listeners), the graceful stop, the abort on the second signal,
 * and the handlers going away.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, type StateChange } from '../../src/index.js';
import { stopOnSignals } from '../../src/engine/control/signals.js';
import { numberedRun } from '../helpers.js';
import { attach } from '../../src/observe/attach.js';
import { progressBar } from '../../src/observe/progress-bar.js';
import { fakeStream } from '../support/fake-stream.js';

describe('stopOnSignals', () => {
  it('first SIGTERM: graceful stop (origin signal), calls in flight finish; the handlers go when the run ends', async () => {
    const before = process.listenerCount('SIGTERM');
    const beforeInt = process.listenerCount('SIGINT');
    const { clock, run, service } = numberedRun(100, { latencyMs: 100 });
    const changes: StateChange[] = [];
    run.on('state', (change) => changes.push(change));
    stopOnSignals(run);
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    const done = run.start();
    await clock.advance(150);
    process.emit('SIGTERM', 'SIGTERM');
    expect(changes.at(-1)).toMatchObject({ to: 'draining', origin: 'signal', message: 'SIGTERM received: stopping (calls in flight finish)' });
    await clock.runUntil(() => run.state === 'stopped');
    const summary = await done;
    expect(summary.totals.succeeded).toBe(service.calls());
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(process.listenerCount('SIGINT')).toBe(beforeInt);
  });

  it('a second signal aborts the calls in flight: their items stay unfinished', async () => {
    const { clock, run, service } = numberedRun(100, { latencyMs: 60_000 });
    stopOnSignals(run, { signals: ['SIGINT'] });
    const done = run.start();
    await clock.advance(10);
    expect(service.inFlight()).toBe(4);
    process.emit('SIGINT', 'SIGINT');
    expect(run.state).toBe('draining');
    process.emit('SIGINT', 'SIGINT');
    await clock.runUntil(() => run.state === 'stopped');
    const summary = await done;
    expect(summary.totals.succeeded).toBe(0);
    expect(summary.unfinished).toBeGreaterThanOrEqual(4);
  });

  it('returns a remover, and refuses a malformed option', () => {
    const before = process.listenerCount('SIGTERM');
    const { run } = numberedRun(1);
    const remove = stopOnSignals(run);
    remove();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(() => stopOnSignals(run, { signals: ['TERM' as NodeJS.Signals] })).toThrow(ConfigError);
  });
});

describe('stopOnSignals with a progress bar on a terminal', () => {
  it('the bar shows the cursor again after the first and after the second signal', async () => {
    for (const signals of [1, 2]) {
      const { clock, run } = numberedRun(400, { latencyMs: signals === 1 ? 100 : 60_000, progressIntervalMs: 200 });
      const stream = fakeStream(true);
      attach(run, progressBar({ stream, total: 400, color: false, calendar: null }));
      stopOnSignals(run);
      const done = run.start();
      await clock.advance(500);
      expect(stream.chunks[0]?.startsWith('\u001b[?25l')).toBe(true);
      for (let i = 0; i < signals; i++) process.emit('SIGTERM', 'SIGTERM');
      await clock.runUntil(() => run.state === 'stopped');
      await done;
      expect(stream.chunks.join('').endsWith('\u001b[?25h')).toBe(true);
    }
  });
});
