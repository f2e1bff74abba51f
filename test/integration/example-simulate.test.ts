import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('examples/simulate-batch.ts runs as it is', () => {
  it('simulates a million items and reports the finish, the caps held and the outcomes', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/simulate-batch.ts'], { cwd: root, timeout: 120_000 });
    expect(stdout).toContain('state: completed, 1 window(s)');
    // Deterministic (seeded, virtual time): the Sigedis share at cap 2 sets the pace.
    expect(stdout).toMatch(/from 2026-11-23T19:00:00\.000Z to 2026-11-24T04:\d\d:\d\d\.\d{3}Z \(9\.2 h of virtual time\)/);
    expect(stdout).toMatch(/items 1000000: succeeded \d+, rejected \d+, exhausted \d+; calls \d+, retries \d+/);
    expect(stdout).toMatch(/rn: cap 4, peak 4 simultaneous calls, \d+ calls, 0 over the cap/);
    expect(stdout).toMatch(/sigedis: cap 2, peak 2 simultaneous calls, \d+ calls, 0 over the cap/);
  }, 120_000);
});
