/**
 * The operator's log (the progress bar into a file or a pipe) through a night under the fake
 * clock, and the cursor on a terminal coming back on Ctrl-C and on exit (real child processes).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { attachProgressBar, HttpStatusError } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { numberedRun } from '../helpers.js';

function logStream(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d) (.*)$/;

function parse(text: string): Array<{ at: number; stamp: string; text: string }> {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = TIMESTAMP.exec(line);
      expect(match, `every line starts with a timestamp: ${line}`).not.toBeNull();
      return { at: Date.parse(match![1]!), stamp: match![1]!, text: match![2]! };
    });
}

describe('the operator log', () => {
  it('through a night: started at 16:00 it says it waits until 17:00, at 08:00 that it drains then waits until 17:00, and ends with the summary', async () => {
    // Tuesday 24 November 2026, 16:00 in Brussels. 800 calls of 5 min at 4 at a time: 720 by 08:00, the rest from 17:00 on Wednesday.
    const clock = new FakeClock(Date.UTC(2026, 10, 24, 15, 0));
    const { run } = numberedRun(800, { clock, latencyMs: 300_000, sources: { rn: { kind: 'rn', timeoutMs: 600_000 } }, waitForWindow: true });
    const stream = logStream();
    attachProgressBar(run, { stream, total: 800 });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    await done;
    const lines = parse(stream.text());

    for (let i = 1; i < lines.length; i++) expect(lines[i]!.at).toBeGreaterThanOrEqual(lines[i - 1]!.at);
    const changes = lines.filter((line) => / → /.test(line.text)).map((line) => `${line.stamp} ${line.text.split(':')[0]}`);
    expect(changes).toEqual([
      '2026-11-24T16:00:00+01:00 idle → waiting (office-hours)',
      '2026-11-24T17:00:00+01:00 waiting → running (window-open)',
      '2026-11-25T08:00:00+01:00 running → draining (office-hours)',
      expect.stringMatching(/^2026-11-25T08:0[01]:\d\d\+01:00 draining → waiting \(office-hours\)$/),
      '2026-11-25T17:00:00+01:00 waiting → running (window-open)',
      '2026-11-25T18:40:00+01:00 running → completed (completed)',
    ]);
    const waits = lines.filter((line) => line.text.includes('→ waiting'));
    expect(waits[0]!.text).toContain('calls resume by themselves at Tue 2026-11-24 17:00');
    expect(waits[1]!.text).toContain('calls resume by themselves at Wed 2026-11-25 17:00');
    // Progress lines while the run works (calls end every 5 minutes): at most one a minute.
    const progress = lines.filter((line) => line.text.startsWith('running  '));
    expect(progress.length).toBeGreaterThan(180);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.at - progress[i - 1]!.at).toBeGreaterThanOrEqual(60_000);
    // Between the drain and the evening, nothing happens and nothing is written.
    expect(lines.filter((line) => line.at > Date.UTC(2026, 10, 25, 7, 1) && line.at < Date.UTC(2026, 10, 25, 16, 0))).toEqual([]);
    expect(lines.at(-1)!.stamp).toBe('2026-11-25T18:40:00+01:00');
    expect(lines.at(-1)!.text).toBe(
      'completed: 800 items finished (800 succeeded, 0 rejected, 0 exhausted), 0 unfinished; 800 calls, 0 retries; from Tue 2026-11-24 16:00 to Wed 2026-11-25 18:40 (26 h 40 min)',
    );
  });

  it('while only retries happen, says so at most once a minute (and at least every 90 s here)', async () => {
    const clock = new FakeClock(); // Monday 5 January 2026, 21:00 in Brussels
    const failUntil = clock.now() + 10 * 60_000;
    const { run } = numberedRun(20, {
      clock,
      latencyMs: 100,
      respond: (item) => {
        if (clock.now() < failUntil) throw new HttpStatusError(503);
        return item;
      },
      retry: { maxAttempts: 100, baseDelayMs: 1_000, maxDelayMs: 30_000 },
      overload: false,
    });
    const stream = logStream();
    attachProgressBar(run, { stream, total: 20 });
    const done = run.start();
    await clock.runUntil(() => run.state === 'completed');
    const summary = await done;
    const lines = parse(stream.text());
    const retrying = lines.filter((line) => line.text.startsWith('retrying: '));
    expect(retrying.length).toBeGreaterThanOrEqual(7);
    const during = [lines[0]!, ...retrying.filter((line) => line.at <= failUntil)];
    for (let i = 1; i < during.length; i++) {
      expect(during[i]!.at - during[i - 1]!.at).toBeGreaterThanOrEqual(60_000);
      expect(during[i]!.at - during[i - 1]!.at).toBeLessThanOrEqual(90_000);
    }
    expect(retrying[0]!.text).toMatch(/^retrying: \d+ attempts failed since 21:00:00 and will be retried \(last: source rn, HTTP_503\); 0\/20 finished, \d+ waiting for a retry$/);
    expect(lines.at(-1)!.text).toContain(`completed: 20 items finished (20 succeeded, 0 rejected, 0 exhausted), 0 unfinished; ${summary.totals.attempts} calls, ${summary.totals.retries} retries`);
  });
});

describe('the bar on a terminal while only retries happen', () => {
  it('redraws (at most every intervalMs) so that the retrying items show, though nothing finishes', async () => {
    const clock = new FakeClock();
    const failUntil = clock.now() + 60_000;
    const { run } = numberedRun(8, {
      clock,
      latencyMs: 100,
      respond: (item) => {
        if (clock.now() < failUntil) throw new HttpStatusError(503);
        return item;
      },
      retry: { maxAttempts: 100, baseDelayMs: 1_000, maxDelayMs: 5_000 },
      overload: false,
    });
    const chunks: string[] = [];
    const stream = Object.assign(
      new Writable({
        write(chunk: Buffer | string, _encoding, callback) {
          chunks.push(String(chunk));
          callback();
        },
      }),
      { isTTY: true, columns: 100 },
    );
    attachProgressBar(run, { stream, total: 8, color: false, intervalMs: 1_000 });
    const done = run.start();
    await clock.advance(failUntil - clock.now() - 1);
    const during = chunks.filter((chunk) => / 0\/8 .*retrying/s.test(chunk));
    expect(during.length).toBeGreaterThanOrEqual(15); // retries come every few seconds: a redraw for most of them, at most one a second
    expect(during.length).toBeLessThanOrEqual(61);
    await clock.runUntil(() => run.state === 'completed');
    await done;
  });
});

/** Runs the cursor child in a mode; resolves with what it wrote and how it ended. */
function cursorChild(mode: string): Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/support/cursor-child.ts'), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (mode !== 'exit' && stderr.includes('READY') && !child.killed) child.kill('SIGINT');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ stdout, stderr, code, signal }));
  });
}

const HIDE = '\u001b[?25l';
const SHOW = '\u001b[?25h';

describe('the cursor on a terminal', () => {
  it('comes back on Ctrl-C, and the signal still ends the process', async () => {
    const { stdout, code, signal } = await cursorChild('signal');
    expect(stdout.startsWith(HIDE)).toBe(true);
    expect(stdout.endsWith(SHOW)).toBe(true);
    expect(signal).toBe('SIGINT');
    expect(code).toBeNull();
  }, 30_000);

  it("lets a batch that handles SIGINT itself stop gracefully (the signal does not kill it), and comes back", async () => {
    const { stdout, stderr, code, signal } = await cursorChild('graceful');
    expect(stderr).toContain('STOPPING');
    expect(stderr).toContain('STOPPED');
    expect(stdout.startsWith(HIDE)).toBe(true);
    expect(stdout.indexOf(SHOW)).toBeGreaterThan(0);
    expect([code, signal]).toEqual([0, null]);
  }, 30_000);

  it('comes back when the process exits by itself', async () => {
    const { stdout, code } = await cursorChild('exit');
    expect(stdout.startsWith(HIDE)).toBe(true);
    expect(stdout.endsWith(SHOW)).toBe(true);
    expect(code).toBe(7);
  }, 30_000);
});
