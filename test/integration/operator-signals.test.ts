/**
 * SIGTERM and SIGINT to a batch process that uses `stopOnSignals(run)`, as a scheduler
 * (systemd, Kubernetes, cron's kill) sends them: the first stops gracefully (exit 0, checkpoint
 * intact, a restart finishes every item exactly once), a second abandons the calls in flight
 * (the run ends at once; the process keeps their slots while the server executes them), a
 * third has its default effect.
 */
import { describe, expect, it } from 'vitest';
import { startBatch, operatorFixture } from '../support/operator-proc.js';

const op = operatorFixture('bcss-signals-');
const runDir = op.runDir;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('stopOnSignals in a batch process', () => {
  it('SIGTERM: no new calls, calls in flight finish, exit 0; a restart finishes every item exactly once', async () => {
    const dir = await runDir();
    const config = { name: 'term', dir, url: op.server.url, calls: 200, callMs: 150, signals: true };
    const first = startBatch(config);
    await first.waitFor((line) => line['event'] === 'state' && line['to'] === 'running');
    while (op.server.since(0, 'term').length < 6) await sleep(50);
    first.proc.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit, first.stderr()).toMatchObject({ code: 0, signal: null });
    expect(first.lines.find((line) => line['to'] === 'draining')).toMatchObject({ origin: 'signal', message: expect.stringContaining('SIGTERM received') });
    expect(first.lines.find((line) => line['done'] === true)).toMatchObject({ state: 'stopped' });
    // Calls in flight finished (150 ms each); nothing new started once the signal reached the run.
    const stoppedAt = first.lines.find((line) => line['to'] === 'draining')!.t;
    expect(op.server.since(stoppedAt + 100, 'term')).toEqual([]);
    const sentBefore = op.server.since(0, 'term').length;
    expect(first.lines.find((line) => line['done'] === true)!['succeeded']).toBe(sentBefore);

    const second = startBatch({ ...config, name: 'term-2' });
    expect(await second.waitFor((line) => line['done'] === true, 45_000)).toMatchObject({ state: 'completed' });
    expect((await second.exited).code).toBe(0);
    const items = new Map<string, number>();
    for (const request of op.server.requests) if (request.client.startsWith('term')) items.set(request.item, (items.get(request.item) ?? 0) + 1);
    expect(items.size).toBe(200);
    expect([...items.values()].every((count) => count === 1)).toBe(true);
  });

  it('a second signal abandons the calls in flight: the run ends at once, the process waits for the server (a third signal ends it), and a restart calls their items again', async () => {
    const dir = await runDir();
    const config = { name: 'twice', dir, url: op.server.url, calls: 6, callMs: 20_000, signals: true };
    const first = startBatch(config);
    await first.waitFor((line) => line['event'] === 'state' && line['to'] === 'running');
    while (op.server.since(0, 'twice').length < 2) await sleep(50);
    first.proc.kill('SIGINT');
    await first.waitFor((line) => line['to'] === 'draining');
    const second = Date.now();
    first.proc.kill('SIGINT');
    const done = await first.waitFor((line) => line['done'] === true, 5_000); // not the calls' 20 s
    expect(Date.now() - second).toBeLessThan(5_000);
    expect(done).toMatchObject({ state: 'stopped', succeeded: 0, unfinished: 6 }); // read ahead, none finished
    // The requests already sent are still being executed by the server: the process keeps their
    // slots (the cap holds at the server) until the server is done or their hard deadline passes.
    await sleep(1_000);
    expect(first.proc.exitCode).toBeNull();
    // A third signal has its default effect: the handlers went away with the run.
    first.proc.kill('SIGINT');
    const exit = await first.exited;
    expect(exit).toMatchObject({ code: null, signal: 'SIGINT' });

    const again = startBatch({ ...config, name: 'twice-2', callMs: 50 });
    expect(await again.waitFor((line) => line['done'] === true, 30_000)).toMatchObject({ state: 'completed', succeeded: 6 });
    expect(op.server.since(0, 'twice-2').map((r) => r.item).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
  });
});
