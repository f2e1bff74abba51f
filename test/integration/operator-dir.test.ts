/**
 * The night operator's commands on a live run, as the operator meets them: a batch in its own
 * process with a FileStore, a loopback server recording every request, and the real
 * `bcss-bulk status|pause|resume|stop DIR` in another process.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bcssBulk, startBatch, operatorFixture } from '../support/operator-proc.js';

const op = operatorFixture('bcss-operator-');
const runDir = op.runDir;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pause, status, resume and stop of a live run from a shell', () => {
  it('pauses within 2 s, says why, resumes no earlier than the minimum pause, stops with exit 0, and a new process finishes every item exactly once', async () => {
    const dir = await runDir();
    const calls = 300;
    const config = { name: 'night', dir, url: op.server.url, calls, callMs: 60, minPauseMs: 12_000 };
    const first = startBatch(config);
    const ready = await first.waitFor((line) => line['ready'] === true);
    await first.waitFor((line) => line['event'] === 'state' && line['to'] === 'running');
    while (op.server.since(0, 'night').length < 10) await sleep(50);

    const paused = await bcssBulk('pause', dir, '--reason', 'BCSS service desk asked, ticket 4711');
    expect(paused, paused.stderr).toMatchObject({ code: 0 });
    expect(paused.stdout).toContain('pause: acknowledged');

    const resumed = await bcssBulk('resume', dir);
    expect(resumed, resumed.stderr).toMatchObject({ code: 0 });
    expect(resumed.stdout).toMatch(/resumes at \S+ \(the minimum pause after an interruption\)/);
    const resumesAt = new Date(/resumes at (\S+)/.exec(resumed.stdout)![1]!).getTime();
    const status = await bcssBulk('status', dir, '--json');
    expect(status, status.stderr).toMatchObject({ code: 0 });
    const json = JSON.parse(status.stdout) as { pausedBy: { at: number }; sources: Record<string, unknown>; totals: { finished: number }; snapshotAt: unknown };
    expect(json).toMatchObject({ state: 'paused', resumesAt, pauseReason: 'manual', pausedBy: { origin: 'command', reason: 'BCSS service desk asked, ticket 4711' }, host: hostname(), pid: ready['pid'], stale: false, name: 'night' });
    expect(json.sources['bcss']).toMatchObject({ inFlight: 0, cap: 2 });
    expect(json.totals.finished).toBeGreaterThanOrEqual(10);
    expect(typeof json.snapshotAt).toBe('number');
    const text = await bcssBulk('status', dir);
    expect(text.stdout).toContain('State: paused (manual, by command');
    expect(text.stdout).toContain('Reason: BCSS service desk asked, ticket 4711');
    expect(text.stdout).toContain('Resumes at ');

    const pausedAt = json.pausedBy.at;
    expect(resumesAt).toBe(pausedAt + 12_000);
    await first.waitFor((line) => line['event'] === 'state' && line['to'] === 'running' && line['reason'] === 'resume', 20_000);
    while (op.server.since(resumed.at, 'night').length < 5) await sleep(50);
    // Nothing new once the pause was acknowledged (a call sent just before it may still arrive a moment later) until the minimum pause has passed.
    const afterPause = op.server.since(Math.max(paused.at, pausedAt + 1_000), 'night');
    expect(Math.min(...afterPause.map((r) => r.at))).toBeGreaterThanOrEqual(pausedAt + 12_000);

    const stopped = await bcssBulk('stop', dir, '--reason', 'end of the night');
    expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    const exit = await first.exited;
    expect(exit, first.stderr()).toMatchObject({ code: 0 });
    const done = await first.waitFor((line) => line['done'] === true);
    expect(done['state']).toBe('stopped');
    expect(first.lines.find((line) => line['to'] === 'draining')).toMatchObject({ origin: 'command', message: 'end of the night' });
    expect(op.server.since(exit.at, 'night')).toEqual([]);

    const log = (await readFile(path.join(dir, 'control.log'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(log.map((entry) => [entry['command'], entry['origin'], entry['ok']])).toEqual([['pause', 'command', true], ['resume', 'command', true], ['stop', 'command', true]]);
    expect(log[0]).toMatchObject({ reason: 'BCSS service desk asked, ticket 4711' });
    for (const entry of log) expect(Date.parse(entry['at'] as string) - Date.parse(entry['asked'] as string)).toBeLessThan(2_000); // picked up within 2 s

    const after = await bcssBulk('pause', dir);
    expect(after).toMatchObject({ code: 1, stderr: expect.stringContaining('its run ended stopped') });

    const second = startBatch({ ...config, name: 'night-2' });
    const finished = await second.waitFor((line) => line['done'] === true, 45_000);
    expect(finished['state']).toBe('completed');
    expect((await second.exited).code).toBe(0);
    const counts = op.server.countsByItem();
    expect(counts.size).toBe(calls);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  it('refuses, with a clear message and exit 1, a directory with no live run, a damaged status and a stale pid, and changes nothing', async () => {
    const empty = await runDir();
    const none = await bcssBulk('pause', empty);
    expect(none).toMatchObject({ code: 1, stderr: expect.stringContaining(`No live run in ${empty}`) });
    expect(await readdir(empty)).toEqual([]);

    const damaged = await runDir();
    await writeFile(path.join(damaged, 'status.json'), '{"format":1,"host":');
    const damagedStatus = await bcssBulk('status', damaged);
    expect(damagedStatus).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot be read: it is not JSON') });
    expect(await bcssBulk('stop', damaged)).toMatchObject({ code: 1, stderr: expect.stringContaining('LIVE_STATUS_DAMAGED') });
    expect(await readdir(damaged)).toEqual(['status.json']);

    const stale = await runDir();
    const dead = startBatch({ name: 'gone', dir: stale, url: op.server.url, calls: 10_000, callMs: 200 });
    await dead.waitFor((line) => line['event'] === 'state' && line['to'] === 'running');
    await sleep(300);
    dead.proc.kill('SIGKILL');
    await dead.exited;
    const before = (await readdir(stale)).sort();
    const staleStatus = await bcssBulk('status', stale);
    expect(staleStatus).toMatchObject({ code: 1, stdout: expect.stringContaining('STALE: process'), stderr: expect.stringContaining('is gone') });
    expect(await bcssBulk('resume', stale)).toMatchObject({ code: 1, stderr: expect.stringContaining('its status is stale') });
    expect((await readdir(stale)).sort()).toEqual(before);
  });
});
