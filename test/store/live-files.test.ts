/**
 * The run directory's live files as the CLI and the run share them: the snapshot written
 * atomically and read back, a damaged one a typed error, staleness, commands and their acks.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiveStatusDamagedError } from '../../src/store/errors.js';
import { acknowledge, appendControlLog, newCommandId, pendingCommands, readLiveSnapshot, staleAfterMs, staleness, takeAck, withdrawCommand, writeCommand, writeLiveSnapshot, type LiveSnapshot } from '../../src/store/live/live-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-live-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const status = { state: 'running', at: 1_000, totals: { read: 10, inFlight: 2, finished: 8, succeeded: 7, rejected: 1, exhausted: 0, queued: 0, retrying: 0 }, sources: { rn: { inFlight: 2, cap: 4, queued: 0, retrying: 0 } } };
const snapshot = { host: 'host-a', pid: 4242, writtenAt: 1_000, refreshMs: 2_000, status } as const;

describe('the status snapshot', () => {
  it('is read back as written, and leaves no temp file', async () => {
    await writeLiveSnapshot(dir, snapshot);
    expect(await readLiveSnapshot(dir)).toEqual({ format: 1, ...snapshot });
    expect(await readdir(dir)).toEqual(['status.json']);
  });

  it('is undefined when there is none, and a typed error naming the file when damaged', async () => {
    expect(await readLiveSnapshot(dir)).toBeUndefined();
    await writeFile(path.join(dir, 'status.json'), '{"format":1,');
    await expect(readLiveSnapshot(dir)).rejects.toThrow(LiveStatusDamagedError);
    await expect(readLiveSnapshot(dir)).rejects.toMatchObject({ code: 'LIVE_STATUS_DAMAGED', file: path.join(dir, 'status.json'), message: expect.stringContaining('it is not JSON') });
    await writeFile(path.join(dir, 'status.json'), JSON.stringify({ format: 1, host: 'h', pid: 1, writtenAt: 1, refreshMs: 2_000, status: { state: 'running', at: 1, totals: {}, sources: {} } }));
    await expect(readLiveSnapshot(dir)).rejects.toMatchObject({ message: expect.stringContaining('status.totals.read') });
  });

  it('is stale when its process on this host is gone, or when it was not refreshed for three periods and 5 s', () => {
    const read: LiveSnapshot = { format: 1, ...snapshot };
    expect(staleness(read, 1_000, 'host-a', () => true)).toBeUndefined();
    expect(staleness(read, 1_000, 'host-a', () => false)).toBe('process 4242 on host-a is gone');
    expect(staleness(read, 1_000, 'host-b', () => false)).toBeUndefined(); // another host: its pid means nothing here
    expect(staleAfterMs(2_000)).toBe(11_000);
    expect(staleness(read, 1_000 + 11_000, 'host-b', () => false)).toBeUndefined();
    expect(staleness(read, 1_000 + 11_001, 'host-b', () => false)).toMatch(/not refreshed for 11 s/);
  });
});

describe('commands and their acknowledgements', () => {
  it('go from the CLI to the run and back: oldest first, claimed by the run, removed once acknowledged, the ack taken once', async () => {
    const first = await writeCommand(dir, { id: newCommandId(1_000), at: 1_000, command: 'pause', reason: 'desk' });
    const second = await writeCommand(dir, { id: newCommandId(2_000), at: 2_000, command: 'resume' });
    const found = await pendingCommands(dir);
    expect(found.map((f) => f.command?.command)).toEqual(['pause', 'resume']);
    expect(found[0]!.command).toMatchObject({ reason: 'desk', pid: process.pid });
    expect(await pendingCommands(dir)).toEqual([]); // claimed: never applied twice
    expect(await withdrawCommand(dir, second.id)).toBe(false); // too late: the run has it, its ack follows
    await acknowledge(dir, { id: first.id, ok: true, state: 'paused', message: 'paused', at: 1_100 });
    await acknowledge(dir, { id: second.id, ok: true, state: 'paused', message: 'resumes at', at: 1_100 });
    expect(await takeAck(dir, first.id)).toMatchObject({ ok: true, state: 'paused' });
    expect(await takeAck(dir, first.id)).toBeUndefined();
    expect(await takeAck(dir, second.id)).toMatchObject({ message: 'resumes at' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('a command withdrawn before the run claims it is never applied', async () => {
    const command = await writeCommand(dir, { id: newCommandId(1_000), at: 1_000, command: 'stop' });
    expect(await withdrawCommand(dir, command.id)).toBe(true);
    expect(await pendingCommands(dir)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports a command file that cannot be read instead of skipping it', async () => {
    await writeFile(path.join(dir, 'command-x1.json'), 'not json');
    await writeFile(path.join(dir, 'command-x2.json'), JSON.stringify({ id: 'x2', command: 'explode', at: 1, host: 'h', pid: 1 }));
    const found = await pendingCommands(dir);
    expect(found).toEqual([
      { id: 'x1', command: undefined, problem: 'it is not JSON' },
      { id: 'x2', command: undefined, problem: expect.stringContaining('command') },
    ]);
  });

  it('are logged one JSON line each, appended', async () => {
    const entry = { at: '2026-11-26T02:00:00.000Z', asked: '2026-11-26T02:00:00.000Z', id: 'a', command: 'pause', origin: 'command', from: 'h pid 1', ok: true, outcome: 'paused' } as const;
    await appendControlLog(dir, entry);
    await appendControlLog(dir, { ...entry, id: 'b', command: 'resume' });
    const lines = (await readFile(path.join(dir, 'control.log'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { id: string });
    expect(lines.map((line) => line.id)).toEqual(['a', 'b']);
  });
});
