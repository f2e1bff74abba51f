/**
 * `bcss-bulk status|pause|resume|stop` in-process on real files, with the world (clock, host,
 * live pids) injected: usage errors exit 2, no live run / stale / damaged exit 1 and change
 * nothing, a status for a person and for a script, a command that no run takes is withdrawn.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';
import { controlCommand } from '../../src/cli/control-command.js';
import type { ControlWorld } from '../../src/cli/control-io.js';
import { writeLiveSnapshot } from '../../src/store/live/live-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-cli-control-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NOW = Date.UTC(2026, 10, 26, 2, 0, 0);
const world = (alive: boolean, now = NOW): ControlWorld => ({ now: () => now, host: 'night-host', isAlive: () => alive, sleep: async () => undefined });

async function cli(args: string[], w: ControlWorld = world(true)) {
  let stdout = '';
  let stderr = '';
  const code = await controlCommand(args, { out: (text) => (stdout += text), err: (text) => (stderr += text) }, w);
  return { code, stdout, stderr };
}

const status = {
  state: 'paused',
  pauseReason: 'manual',
  pausedBy: { origin: 'command', reason: 'BCSS desk', at: NOW - 60_000 },
  resumesAt: NOW + 240_000,
  at: NOW - 1_000,
  startedAt: NOW - 3_600_000,
  inputExhausted: true,
  totals: { read: 1_000, inFlight: 0, queued: 10, retrying: 2, succeeded: 900, rejected: 8, exhausted: 2, finished: 910, attempts: 950, retries: 40 },
  sources: { rn: { kind: 'rn', cap: 4, inFlight: 0, queued: 10, retrying: 2 } },
  ratePerSecond: 0,
};
const live = (extra: Record<string, unknown> = {}) => writeLiveSnapshot(dir, { host: 'night-host', pid: 4242, writtenAt: NOW - 1_000, refreshMs: 2_000, name: 'pensions', status: { ...status, ...extra } });

describe('bcss-bulk status DIR', () => {
  it('prints where the run stands for a person', async () => {
    await live();
    const result = await cli(['status', dir]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Run directory ${dir} (batch pensions)`);
    expect(result.stdout).toContain('State: paused (manual, by command at 2026-11-26T01:59:00Z)');
    expect(result.stdout).toContain('Reason: BCSS desk');
    expect(result.stdout).toContain('Resumes at 2026-11-26T02:04:00Z');
    expect(result.stdout).toContain('Process: pid 4242 on night-host; snapshot 1 s ago');
    expect(result.stdout).toContain('1000 read (all), 910 finished (900 succeeded, 8 rejected, 2 exhausted), 0 in flight, 10 queued, 2 retrying');
    expect(result.stdout).toMatch(/rn {2}in flight 0\/4, queued 10, retrying 2/);
  });

  it('--json: the shape of run.status(), plus host, pid and the snapshot time', async () => {
    await live();
    const result = await cli(['status', dir, '--json']);
    expect(JSON.parse(result.stdout)).toEqual({ dir, name: 'pensions', ...status, host: 'night-host', pid: 4242, snapshotAt: NOW - 1_000, stale: false });
  });

  it('says STALE and exits 1 when the process is gone', async () => {
    await live();
    const result = await cli(['status', dir, '--json'], world(false));
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ stale: true, staleReason: 'process 4242 on night-host is gone' });
  });

  it('an ended run is not stale: it says how it ended, exit 0', async () => {
    await live({ state: 'completed' });
    expect(await cli(['status', dir], world(false))).toMatchObject({ code: 0, stdout: expect.stringContaining('State: completed') });
  });
});

describe('bcss-bulk pause|resume|stop DIR', () => {
  it('exit 1 and nothing changed: no live run, a stale pid, a damaged snapshot, an ended run', async () => {
    expect(await cli(['pause', dir])).toMatchObject({ code: 1, stderr: expect.stringContaining('No live run in') });
    await live();
    expect(await cli(['stop', dir], world(false))).toMatchObject({ code: 1, stderr: expect.stringContaining('its status is stale (process 4242 on night-host is gone)') });
    await live({ state: 'stopped' });
    expect(await cli(['resume', dir])).toMatchObject({ code: 1, stderr: expect.stringContaining('its run ended stopped') });
    expect(await readdir(dir)).toEqual(['status.json']);
    await writeFile(path.join(dir, 'status.json'), 'garbage');
    expect(await cli(['pause', dir])).toMatchObject({ code: 1, stderr: expect.stringContaining('[LIVE_STATUS_DAMAGED]') });
    expect(await readdir(dir)).toEqual(['status.json']);
  });

  it('a command that no run takes is withdrawn: exit 1, nothing left behind', async () => {
    await live({ state: 'running' });
    let now = NOW;
    const w: ControlWorld = { now: () => now, host: 'elsewhere', isAlive: () => true, sleep: async (ms) => void (now += ms) };
    const result = await cli(['pause', dir, '--wait-ms', '500'], w);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('did not take the pause command within 0.5 s; it was withdrawn') });
    expect(await readdir(dir)).toEqual(['status.json']);
  });

  it.each([
    [['pause'], 'pause takes one run directory'],
    [['pause', 'a', 'b'], 'pause takes one run directory'],
    [['resume', 'DIR', '--abort'], '--abort goes with stop'],
    [['status', 'DIR', '--reason', 'x'], 'status takes no --reason'],
    [['pause', 'DIR', '--wait-ms', '5'], '--wait-ms must be'],
    [['pause', 'DIR', '--source', 'rn'], '--source goes with --redis'],
    [['pause', '--redis', 'redis://127.0.0.1:1'], '--redis and --namespace go together'],
    [['stop', '--redis', 'redis://127.0.0.1:1', '--namespace', 'ns'], 'stop takes a run directory'],
    [['pause', 'DIR', '--bogus'], "Unknown option '--bogus'"],
  ])('%j is a usage error: exit 2', async (args, message) => {
    const result = await cli(args);
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining(message) });
    expect(result.stderr).toContain('bcss-bulk pause DIR [--reason TEXT]');
  });

  it('is reached through bcss-bulk (runCli), with --help', async () => {
    let stdout = '';
    const code = await runCli(['pause', '--help'], { out: (text) => (stdout += text), err: () => undefined });
    expect(code).toBe(0);
    expect(stdout).toContain('bcss-bulk stop DIR [--abort] [--reason TEXT]');
  });
});
