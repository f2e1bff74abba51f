import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('example follow-run', () => {
  it('a night batch shows a progress bar, beats hourly to a real monitor endpoint, and its notices fall back from a failing webhook', async () => {
    const { stdout: out } = await run(process.execPath, ['--import', 'tsx', 'examples/follow-run.ts'], { cwd: root, timeout: 60_000 });
    expect(out).toContain('[Mon 21:00] INFO Run started: The run started; calls are going out.');
    expect(out).toMatch(/\[Tue 08:00\] INFO Run paused: office hours: The window closed at Tue 2026-11-24 08:00:00/);
    expect(out).toMatch(/\[Tue 17:00\] INFO Window open: calls resume: /);
    expect(out).toContain('[Tue 22:00] INFO Run completed: The run completed in 25 h 00 min: 12 items finished (12 succeeded, 0 rejected, 0 exhausted).');
    expect(out).toContain('monitor: 26 beats (running 16, draining 1, waiting 8, completed 1), last one completed at Tue 22:00');
    expect(out).toContain('heartbeat status: sent 26, failed 0, skipped 0');
    for (const [id, kind] of [[1, 'started'], [2, 'paused'], [3, 'window-open'], [4, 'completed']] as const) {
      expect(out).toContain(`pensions-2026-11-${id} ${kind.padEnd(11)} teams failed (POST http://teams/ops answered HTTP 500)`);
      expect(out).toContain(`pensions-2026-11-${id} ${kind.padEnd(11)} log   delivered`);
    }
    expect(out).not.toContain('example-token');
    // The progress bar, as plain lines in a log: counts, the rate, the ETA past the office hours.
    expect(out).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+01:00 running {2}5\/12 \(41\.7%\) {2}\d+\.\d\/h {2}ETA \w{3} 2026-11-\d\d \d\d:\d\d .*\| rn {2}\[#+\.+\] {2}5\/12 {2}3\/4 in flight$/m);
    expect(out).toMatch(/^2026-11-24T22:00:00\+01:00 completed {2}12\/12 \(100\.0%\) .*ended Tue 2026-11-24 22:00 \| rn {2}\[#+\] 12\/12 {2}0\/4 in flight$/m);
  });
});
