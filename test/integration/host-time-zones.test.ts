/**
 * The calendar and the office-hours run must not depend on the host's time zone: servers run
 * in UTC or anywhere else. This runs test/calendar.test.ts and test/run-office-hours.test.ts
 * again in child processes whose `TZ` is New York, Tokyo and UTC (none of them Brussels), and
 * checks that the children really ran in that zone and that every test passed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const files = ['test/calendar/calendar.test.ts', 'test/engine/run-office-hours.test.ts'];

interface JsonReport {
  readonly numTotalTests: number;
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly testResults: readonly { readonly name: string; readonly status: string }[];
}

describe('the calendar and the run under another host time zone', () => {
  it.each(['America/New_York', 'Asia/Tokyo', 'UTC'])('TZ=%s: every calendar and office-hours test passes', async (zone) => {
    // The child's JSON report goes to a temp file of its own, leaving the parent's report alone.
    const dir = await mkdtemp(join(tmpdir(), 'bcss-bulk-tz-'));
    const outputFile = join(dir, 'report.json');
    let report: JsonReport;
    try {
      await exec(process.execPath, [vitest, 'run', '--config', 'test/integration/host-time-zones.vitest.config.ts'], {
        cwd: root,
        env: { ...process.env, TZ: zone, BCSS_EXPECT_HOST_TZ: zone, BCSS_TZ_REPORT: outputFile },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`vitest under TZ=${zone} failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
      });
      report = JSON.parse(await readFile(outputFile, 'utf8')) as JsonReport;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(report.testResults.map((r) => r.name.slice(root.length))).toEqual(expect.arrayContaining(files));
    expect(report.numFailedTests).toBe(0);
    expect(report.numTotalTests).toBeGreaterThan(50);
    expect(report.numPassedTests).toBe(report.numTotalTests);
  });
});
