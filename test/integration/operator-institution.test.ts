/**
 * The institution-wide pause through a real Redis, as the night operator meets it: three batch
 * processes on two namespaces, a loopback server recording every request, and the real
 * `bcss-bulk pause|resume|status --redis URL --namespace NS`.
 *
 * Needs `redis-server` on PATH; skipped with a message without it, except under `CI=true`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRedisServer, startTestRedis, type TestRedis } from '../support/redis-server.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';
import { bcssBulk, startBatch, type BatchChild } from '../support/operator-proc.js';

const redisBinary = findRedisServer();
const skip = redisBinary === undefined && process.env['CI'] !== 'true';
if (skip) console.warn('SKIPPED test/integration/operator-institution.test.ts: redis-server is not installed (not on PATH).');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The documented bound: every run of the namespace stops sending within 1 s of the pause. */
const BOUND_MS = 1_000;

describe.skipIf(skip)('institution-wide pause across processes and namespaces', () => {
  let redis: TestRedis;
  let server: RecordingServer;
  const dirs: string[] = [];
  const children: BatchChild[] = [];

  beforeAll(async () => {
    redis = await startTestRedis(redisBinary);
    server = await startRecordingServer();
  });

  afterAll(async () => {
    for (const child of children) child.proc.kill('SIGKILL');
    await server?.close();
    await redis?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function batch(name: string, namespace: string): Promise<BatchChild> {
    const dir = await mkdtemp(path.join(tmpdir(), `bcss-inst-${name}-`));
    dirs.push(dir);
    const child = startBatch({ name, dir, url: server.url, calls: 5_000, callMs: 100, minPauseMs: 1_500, signals: true, shared: { redis: redis.url, namespace, runName: name } });
    children.push(child);
    (child as { dir?: string }).dir = dir;
    return child;
  }

  const sentBy = (name: string, after: number) => server.since(after, name).length;

  it('pauses every run of one namespace within the bound, holds runs started meanwhile, lets the other namespace go on, and resumes them', async () => {
    const a = `inst-a-${process.pid}`;
    const b = `inst-b-${process.pid}`;
    const [a1, a2, b1] = await Promise.all([batch('a1', a), batch('a2', a), batch('b1', b)]);
    for (const name of ['a1', 'a2', 'b1']) while (sentBy(name, 0) < 5) await sleep(50);

    const paused = await bcssBulk('pause', '--redis', redis.url, '--namespace', a, '--reason', 'BCSS service desk: stop now');
    expect(paused, paused.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining(`Paused every run of namespace ${a}`) });
    await a1!.waitFor((line) => line['to'] === 'paused' && line['origin'] === 'institution', 5_000);
    await a2!.waitFor((line) => line['to'] === 'paused' && line['origin'] === 'institution', 5_000);
    await sleep(2_000);
    expect(sentBy('a1', paused.at + BOUND_MS)).toBe(0);
    expect(sentBy('a2', paused.at + BOUND_MS)).toBe(0);
    expect(sentBy('b1', paused.at + BOUND_MS)).toBeGreaterThan(5);
    expect(a1!.lines.find((line) => line['to'] === 'paused')).toMatchObject({ reason: 'institution', message: 'BCSS service desk: stop now' });

    // A run started while its namespace is paused waits.
    const a3 = await batch('a3', a);
    await a3.waitFor((line) => line['to'] === 'waiting' && line['reason'] === 'institution', 20_000);

    const listed = await bcssBulk('status', '--redis', redis.url, '--namespace', a, '--json');
    expect(listed, listed.stderr).toMatchObject({ code: 0 });
    const institution = JSON.parse(listed.stdout) as { paused: { reason: string }; runs: { runName: string; state: string; host: string; pid: number; sources: Record<string, { inFlight: number; cap: number }> }[] };
    expect(institution.paused.reason).toBe('BCSS service desk: stop now');
    expect(institution.runs.map((run) => [run.runName, run.state])).toEqual(expect.arrayContaining([['a1', 'paused'], ['a2', 'paused'], ['a3', 'waiting']]));
    expect(institution.runs.find((run) => run.runName === 'a1')!.sources['bcss']).toEqual({ inFlight: 0, cap: 2, queued: expect.any(Number) });

    // A local resume does not override the institution's pause.
    const local = await bcssBulk('resume', (a1 as { dir?: string }).dir!);
    expect(local).toMatchObject({ code: 1, stderr: expect.stringContaining('the institution is paused by') });

    const resumed = await bcssBulk('resume', '--redis', redis.url, '--namespace', a);
    expect(resumed, resumed.stderr).toMatchObject({ code: 0 });
    for (const name of ['a1', 'a2', 'a3']) while (sentBy(name, resumed.at) < 3) await sleep(50);

    // One source of the other namespace: its new calls stop, the run stays running.
    const source = await bcssBulk('pause', '--redis', redis.url, '--namespace', b, '--source', 'bcss');
    expect(source, source.stderr).toMatchObject({ code: 0 });
    await sleep(BOUND_MS + 1_000);
    expect(sentBy('b1', source.at + BOUND_MS)).toBe(0);
    expect(b1!.lines.filter((line) => line['to'] === 'paused')).toEqual([]);
    expect(sentBy('a1', source.at + BOUND_MS)).toBeGreaterThan(0);
    const sourceResumed = await bcssBulk('resume', '--redis', redis.url, '--namespace', b, '--source', 'bcss');
    expect(sourceResumed.code).toBe(0);
    while (sentBy('b1', sourceResumed.at) < 3) await sleep(50);

    for (const child of [a1!, a2!, a3, b1!]) child.proc.kill('SIGTERM');
    for (const child of [a1!, a2!, a3, b1!]) expect((await child.exited).code, child.stderr()).toBe(0);
    const after = await bcssBulk('status', '--redis', redis.url, '--namespace', a);
    expect(after.stdout).toContain('Live runs: none');
  });
});
