import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** Runs an example as a user would (`npx tsx examples/NAME.ts`) and returns what it printed. */
async function example(name: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], { cwd: root, timeout: 60_000, env: { ...process.env, ...env } });
  return stdout;
}

describe('examples run as they are', () => {
  it('demo: caps held over real HTTP, invalid numbers never sent, retries, rejects triaged into ledgers, masked', async () => {
    const out = await example('demo', { BCSS_DEMO_NOW: '2026-11-23T20:30:00Z' }); // Monday 21:30 in Brussels
    expect(out).not.toContain('start() refused');
    // The preflight and the plan announced 8 days before (Monday 15 November).
    expect(out).toContain('Preflight: ok\n');
    expect(out).toContain('The plan announced as SD-2026-004211 on 2026-11-15:');
    expect(out).toContain('  | - rn (National Register): 496 calls, at most 4 parallel calls; assumed latency 8 ms; ceiling 1,800,000 calls per hour');
    expect(out).toContain('  | Expected end: Monday 23/11/2026 21:30 (Europe/Brussels)');
    expect(out).toContain('[21:30:00] idle → running (start)');
    expect(out).toMatch(/running → completed \(completed\)/);
    expect(out).toContain('600 of 600 finished, 0 unfinished');
    expect(out).toMatch(/rn: cap 4, peak 4 simultaneous calls \(the fake BCSS saw 4\)/);
    expect(out).toMatch(/pensions: cap 2, peak 2 simultaneous calls \(the fake BCSS saw 2\)/);
    expect(out).toMatch(/rn {8}\[#{30}\] 450\/450 {2}0\/4 in flight/);
    expect(out).toMatch(/completed {2}600\/600 \(100\.0%\)/);
    expect(out).toContain('by ledger: not-integrated 7, rejects 6, ssin-replaced 7');
    expect(out).toContain('by code:   INSZ_CHECK_DIGITS 6, MSG00006 7, MSG00012 7');
    // 600 persons, 6 never sent, 58 retries: every call accounted for.
    expect(out).toContain('calls received by the fake BCSS: 652 for 600 persons');
    expect(out).not.toMatch(/\b\d{11}\b/);
  });

  it('demo during office hours: the refusal first, then the run waits for 17:00 in simulated time', async () => {
    const out = await example('demo', { BCSS_DEMO_NOW: '2026-11-24T09:15:00Z' }); // Tuesday 10:15 in Brussels
    expect(out).toContain('Preflight: ok; info STARTS_IN_OFFICE_HOURS');
    expect(out).toContain('  | Expected end: Tuesday 24/11/2026 17:00 (Europe/Brussels)');
    expect(out).toContain('start() refused: Mass calls are not allowed now');
    expect(out).toContain('The next window opens Tue 2026-11-24 17:00:00 Europe/Brussels');
    expect(out).toContain('[10:15:00] idle → waiting (office-hours)');
    expect(out).toContain('[17:00:00] waiting → running (window-open)');
    expect(out).toContain('600 of 600 finished, 0 unfinished');
  });

  it('quick start: fetch over loopback, a reject, a Retry-After, nothing lost', async () => {
    const out = await example('quick-start');
    expect(out).toContain('retry  98.47.28-***.**: HTTP_503, again in 1000 ms');
    expect(out).toContain('done: read 40, succeeded 30, rejected 10, retries 1, saved 30, peak 4 simultaneous calls');
  });

  it('bcss batch: invalid numbers never sent, the status table applied, a Retry-After, the cap at the server', async () => {
    const out = await example('bcss-batch');
    expect(out).toContain('reject   85.07.30-***.**: INSZ_CHECK_DIGITS after 0 calls');
    expect(out).toContain('retry    98.47.28-***.**: HTTP_503, again in 1000 ms');
    expect(out).toContain('business 85.07.30-***.**: NO_DATA_FOUND MSG00100');
    expect(out).toContain('business 85.07.30-***.**: NO_DATA_FOUND MSG00009');
    expect(out).toContain('reject   85.07.30-***.**: MSG00006 after 1 calls: NO_RESULT MSG00006: The ssin given in request is replaced: newSSIN=17.07.30-***.**');
    expect(out).toContain('done: read 24, succeeded 18, rejected 6, calls 22, peak 4 simultaneous calls');
    expect(out).not.toMatch(/\b\d{11}\b/);
  });
});
