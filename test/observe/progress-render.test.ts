/**
 * The progress renderer (pure) and the progress bar on a fake stream: redrawn in place on a
 * terminal, plain lines at most every minute into a log, the final state once, then silence.
 */
import { describe, expect, it } from 'vitest';
import { attachProgressBar, formatCount, formatRate, renderProgress, type ProgressSnapshot, type RunStatus, type SourceProgress } from '../../src/index.js';
import { numberedRun } from '../helpers.js';
import { fakeStream } from '../support/fake-stream.js';

function source(overrides: Partial<SourceProgress>): SourceProgress {
  return { succeeded: 0, rejected: 0, exhausted: 0, finished: 0, inFlight: 0, queued: 0, retrying: 0, cap: 4, total: undefined, ...overrides };
}

function snapshot(overrides: Partial<ProgressSnapshot>): ProgressSnapshot {
  return {
    at: Date.UTC(2026, 10, 24, 5, 30),
    state: 'running',
    status: {} as RunStatus,
    sources: {},
    finished: 0,
    total: undefined,
    remaining: undefined,
    throughputPerSecond: undefined,
    eta: undefined,
    windowsLeft: undefined,
    nextWindowAt: undefined,
    ...overrides,
  };
}

const running = snapshot({
  finished: 1_234,
  total: 5_000,
  remaining: 3_766,
  throughputPerSecond: 0.4,
  eta: new Date(Date.UTC(2026, 10, 24, 16, 46, 40)),
  windowsLeft: 2,
  sources: {
    rn: source({ succeeded: 1_222, rejected: 12, finished: 1_234, inFlight: 4, cap: 4, total: 4_000 }),
    pensions: source({ finished: 0, inFlight: 2, cap: 2, total: 1_000, retrying: 1 }),
  },
});

describe('renderProgress', () => {
  it('groups thousands with spaces', () => {
    expect([formatCount(0), formatCount(999), formatCount(1_234), formatCount(5_000_000)]).toEqual(['0', '999', '1 234', '5 000 000']);
  });

  it('draws a header (state, finished/total, percent, rate, ETA in Brussels time, windows) and a bar per source', () => {
    const lines = renderProgress(running, { width: 80 }).split('\n');
    expect(lines).toEqual([
      'running  1 234/5 000 (24.7%)  0.4/s  ETA Tue 2026-11-24 17:46 (2 windows)',
      `  rn        [${'#'.repeat(8)}${'.'.repeat(18)}] 1 234/4 000  4/4 in flight  12 rejects`,
      `  pensions  [${'.'.repeat(26)}]     0/1 000  2/2 in flight  1 retrying`,
    ]);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
  });

  it('says "1 reject", "2 rejects"', () => {
    const line = (rejected: number) => renderProgress(snapshot({ sources: { rn: source({ rejected, finished: rejected }) } })).split('\n')[1];
    expect(line(1)).toMatch(/ 1 reject$/);
    expect(line(2)).toMatch(/ 2 rejects$/);
  });

  it('says when the next window opens while the run waits, and "?" for a source total not known yet', () => {
    const text = renderProgress(
      snapshot({ state: 'waiting', finished: 10, nextWindowAt: Date.UTC(2026, 10, 24, 16, 0), sources: { rn: source({ finished: 10, succeeded: 10 }) } }),
    );
    expect(text.split('\n')[0]).toBe('waiting  10 finished  next window Tue 2026-11-24 17:00');
    expect(text).toMatch(/rn {2}\[\.+\] 10\/\? {2}0\/4 in flight$/);
  });

  it('shows the end instead of an ETA once the run is final, and colours only when asked', () => {
    const done = renderProgress(snapshot({ state: 'completed', finished: 5, total: 5, at: Date.UTC(2026, 10, 24, 16, 46, 40) }));
    expect(done).toBe('completed  5/5 (100.0%)  ended Tue 2026-11-24 17:46');
    expect(renderProgress(running)).not.toContain('\u001b[');
    expect(renderProgress(running, { color: true })).toContain('\u001b[32mrunning\u001b[0m');
  });
});


describe('attachProgressBar', () => {
  it('on a terminal: hides the cursor, redraws in place at each progress event, prints the final state once and shows the cursor again', async () => {
    const { clock, run } = numberedRun(200, { latencyMs: 100, progressIntervalMs: 1_000 });
    const stream = fakeStream(true);
    attachProgressBar(run, { stream, total: 200, color: false });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    await done;
    const out = stream.chunks.join('');
    expect(stream.chunks[0]?.startsWith('\u001b[?25l')).toBe(true);
    // Each redraw moves up over the 2 lines drawn (header + rn) and clears below.
    expect(stream.chunks.slice(1, -1).every((chunk) => chunk.startsWith('\u001b[2F\u001b[0J'))).toBe(true);
    expect(stream.chunks.length).toBeGreaterThanOrEqual(4); // idle, running, a few progress events, completed
    expect(stream.chunks.at(-1)).toBe('\u001b[?25h');
    expect(out.match(/completed {2}200\/200 \(100\.0%\)/g)).toHaveLength(1);
    const written = stream.chunks.length;
    run.status(); // nothing more after the end
    await clock.advance(10_000);
    expect(stream.chunks.length).toBe(written);
  });

  it('into a log: timestamped plain lines (no ANSI), a progress line at most every plainIntervalMs, every state change, the summary last', async () => {
    // 400 items at 4 per 100 ms: 10 s of run, progress events every 200 ms.
    const { clock, run } = numberedRun(400, { latencyMs: 100, progressIntervalMs: 200 });
    const stream = fakeStream(false);
    attachProgressBar(run, { stream, total: 400, plainIntervalMs: 3_000 });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    await done;
    const lines = stream.chunks.join('').split('\n').filter((line) => line !== '');
    expect(stream.chunks.join('')).not.toContain('\u001b');
    // The fake clock starts on Monday 5 January 2026, 20:00 UTC: 21:00 in Brussels.
    expect(lines.every((line) => /^2026-01-05T21:00:(0\d|10)\+01:00 /.test(line))).toBe(true);
    const texts = lines.map((line) => line.slice('2026-01-05T21:00:00+01:00 '.length));
    // idle at attach (0 s), the start, then running at 3 s, 6 s and 9 s, then the end: its state change, the final progress and the summary.
    expect(texts.map((text) => text.split('  ')[0]!.split(':')[0])).toEqual(['idle', 'idle → running (start)', 'running', 'running', 'running', 'running → completed (completed)', 'completed', 'completed']);
    expect(lines[2]).toMatch(/^2026-01-05T21:00:03\+01:00 running {2}12[0-3]\/400 \(30\.\d%\) {2}(39|40)\.\d\/s .*\| rn {2}\[#{10,11}\.+\] 12[0-3]\/400/);
    expect(lines.at(-2)).toMatch(/^2026-01-05T21:00:10\+01:00 completed {2}400\/400 \(100\.0%\).* \| rn {2}\[#+\] 400\/400 {2}0\/4 in flight$/);
    expect(lines.at(-1)).toBe(
      '2026-01-05T21:00:10+01:00 completed: 400 items finished (400 succeeded, 0 rejected, 0 exhausted), 0 unfinished; 400 calls, 0 retries; from Mon 2026-01-05 21:00 to Mon 2026-01-05 21:00 (10 s)',
    );
  });

  it('a stream that throws stops the bar, which keeps the error; the run goes on and completes as without it', async () => {
    const reference = numberedRun(200, { latencyMs: 100, progressIntervalMs: 1_000 });
    const referenceDone = reference.run.start();
    await reference.clock.runUntil(() => reference.run.state === 'completed');
    const expected = await referenceDone;

    const { clock, run } = numberedRun(200, { latencyMs: 100, progressIntervalMs: 1_000 });
    const stream = fakeStream(false);
    const broken = new Error('EPIPE: the terminal went away');
    let writes = 0;
    stream.write = (() => {
      writes++;
      if (writes >= 2) throw broken;
      return true;
    }) as typeof stream.write;
    const bar = attachProgressBar(run, { stream, total: 200, plainIntervalMs: 1_000 });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    const summary = await done;
    expect(bar.failure).toBe(broken);
    expect(writes).toBe(2); // no write after the failure
    expect(summary.totals).toEqual(expected.totals);
    expect(summary.endedAt).toBe(expected.endedAt);
  });

  it('on a terminal: redraws at most every intervalMs (default 250 ms) however often progress comes', async () => {
    // 400 items at 40/s: 10 s of run, a progress event every 100 ms (about 100 of them).
    const { clock, run } = numberedRun(400, { latencyMs: 100, progressIntervalMs: 100 });
    const byDefault = fakeStream(true);
    const everySecond = fakeStream(true);
    attachProgressBar(run, { stream: byDefault, total: 400 });
    attachProgressBar(run, { stream: everySecond, total: 400, intervalMs: 1_000 });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    await done;
    const draws = (stream: { chunks: string[] }) => stream.chunks.filter((chunk) => chunk.includes(' in flight')).length;
    // One draw at attach (idle), one at the start (a state change is drawn at once), at most one
    // per interval over 10 s (events come every 100 ms, so every 300 ms for 250 ms), then the
    // final state; not one per event (about 100).
    expect(draws(byDefault)).toBeGreaterThanOrEqual(1 + 10_000 / 300 + 1 - 1);
    expect(draws(byDefault)).toBeLessThanOrEqual(1 + 1 + 10_000 / 250 + 1);
    expect(draws(everySecond)).toBeGreaterThanOrEqual(1 + 9 + 1);
    expect(draws(everySecond)).toBeLessThanOrEqual(1 + 1 + 10 + 1);
  });

  it('stop() detaches before the end and shows the cursor again', async () => {
    const { clock, run } = numberedRun(100, { latencyMs: 100 });
    const stream = fakeStream(true);
    const bar = attachProgressBar(run, { stream, total: 100 });
    const done = run.start();
    await clock.advance(200);
    bar.stop();
    const written = stream.chunks.length;
    expect(stream.chunks.at(-1)).toBe('\u001b[?25h');
    await clock.runUntil(() => run.state === 'completed');
    await done;
    expect(stream.chunks.length).toBe(written);
    expect(bar.snapshot().state).toBe('completed'); // the tracker still answers when asked
  });
});

describe('formatRate', () => {
  it('shows a slow rate per minute or per hour rather than 0.0/s', () => {
    expect(formatRate(40)).toBe('40.0/s');
    expect(formatRate(0.1)).toBe('0.1/s');
    expect(formatRate(0.05)).toBe('3.0/min');
    expect(formatRate(4 / 5 / 3600)).toBe('0.8/h'); // 4 calls of 5 h
    expect(formatRate(0)).toBe('0.0/s');
  });
});
