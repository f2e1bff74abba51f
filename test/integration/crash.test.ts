/**
 * The crash harness, smaller: a real child batch over a real FileStore and a loopback HTTP
 * service, killed with SIGKILL five times at random moments and restarted until it completes.
 * `npm run crash-test` runs the full version (20,000 items, 25 kills).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

it('loses nothing and calls again at most the calls in flight, over 3,000 items and 5 kills', async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'bcss-crash-test-'));
  try {
    const out = path.join(work, 'crash.json');
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('scripts/crash-test.ts'), '--items', '3000', '--kills', '5', '--cap', '4', '--out', out], {
      encoding: 'utf8',
      timeout: 170_000,
    });
    const lines = result.stdout.trim().split('\n');
    const report = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    expect(report).toMatchObject({ items: 3000, kills: 5, completed: 3000, lost: 0, wrongOutcomes: 0, ledgerDuplicates: 0, missingHandOffs: 0, peakConcurrency: 4, ok: true });
    expect(report['maxDuplicatesPerKill']).toBeLessThanOrEqual(4);
    expect(report['maxDuplicateHandOffsPerKill']).toBeLessThanOrEqual(4);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(report);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}, 180_000);
