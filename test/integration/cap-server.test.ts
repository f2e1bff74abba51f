/**
 * The cap holds where the BCSS counts it: at the server. A loopback server counts the requests
 * it is executing (it goes on executing a request whose client gave up or died, as a real service
 * does); real child processes share the cap through a real redis-server.
 *
 * - Calls that time out at the client (300 ms) while the server executes each for 1.5 s: the
 *   server never executes more than the cap, in-process and shared.
 * - A process stopped with SIGSTOP for longer than its leases' time-to-live while its calls are
 *   at the server: the server never executes more than the cap.
 * - A replica promoted while calls run (the clients reconnect to it through one address): the
 *   server never executes more than the cap, and nothing is lost.
 * (A SIGKILLed process's slots coming back within the lease bound, and Redis restarted empty:
 * test/integration/shared-mode.test.ts.)
 */
import { connect, createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRun, type SharedOptions } from '../../src/index.js';
import { startCountingServer, type CountingServer } from '../support/counting-server.js';
import { findRedisServer, freePort, startTestRedis, type TestRedis } from '../support/redis-server.js';
import { outcome, sleep, startTogether, until, type Child } from '../support/cap-children.js';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

const redisBinary = findRedisServer();
const skipShared = redisBinary === undefined && process.env['CI'] !== 'true';
if (skipShared) console.warn('SKIPPED the shared part of test/integration/cap-server.test.ts: redis-server is not installed (not on PATH).');

let server: CountingServer;
const children: Child[] = [];

beforeAll(async () => {
  server = await startCountingServer();
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.proc.exitCode === null && child.proc.signalCode === null) {
      child.proc.kill('SIGCONT');
      child.proc.kill('SIGKILL');
    }
  }
  await until(() => server.current === 0, 10_000, 'the server to be idle');
  server.reset();
});

afterAll(async () => {
  await server?.close();
});

describe('the cap holds at the server', () => {
  it('in-process: calls timed out at 300 ms that the server executes for 1.5 s never push it above the cap; their items are retried', async () => {
    const run = createRun<number, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: Array.from({ length: 12 }, (_, i) => i),
      source: 'rn',
      sources: { rn: { kind: 'rn', timeoutMs: 300, hardDeadlineMs: 3_000 } },
      calendar: { enforce: false, override: { reason: 'test against a loopback server, not the BCSS' } },
      retry: { baseDelayMs: 50, maxDelayMs: 200 },
      overload: false, // every first attempt times out: the overload protection would pause the source
      call: async (_item, context) => {
        const ms = context.attempt === 1 ? 1_500 : 100; // the first attempt is slow at the server, the retry is not
        const response = await fetch(`${server.url}?ms=${ms}`, { headers: { 'x-client': 'solo' }, signal: context.signal });
        return response.text();
      },
    });
    const retries: string[] = [];
    run.on('retry', (event) => retries.push(event.code));
    const summary = await run.start();
    expect(summary.totals.succeeded).toBe(12);
    expect(summary.totals.attempts).toBeGreaterThanOrEqual(24); // a loaded machine may time out a retry too
    expect(retries.filter((code) => code === 'CALL_TIMEOUT').length).toBeGreaterThanOrEqual(12);
    expect(server.total).toBe(summary.totals.attempts);
    expect(server.peak).toBe(4); // never above the cap, and the cap used
  }, 30_000);

  describe.skipIf(skipShared)('shared mode, three processes, one redis-server', () => {
    let redis: TestRedis;
    let namespaceSeq = 0;
    const shared = (extra: Partial<SharedOptions> = {}): SharedOptions => ({
      redis: redis.url,
      namespace: `cap-${process.pid}-${++namespaceSeq}`,
      runName: 'night-batch',
      recoveryMs: 500,
      maxReconnectDelayMs: 200,
      ...extra,
    });

    beforeAll(async () => {
      redis = await startTestRedis(redisBinary);
    });

    afterAll(async () => {
      await redis?.close();
    });

    it('calls timed out at 300 ms that the server executes for 1.5 s never push it above the cap', async () => {
      const common = shared();
      const started = await startTogether(
        ['a', 'b', 'c'].map((name) => ({ name, url: server.url, calls: 4, callMs: 1_500, retryCallMs: 100, timeoutMs: 300, hardDeadlineMs: 3_000, shared: { ...common, runName: `batch-${name}` } })),
        children,
      );
      const ends = await Promise.all(started.map((child) => child.exited));
      for (const lines of ends) expect(outcome(lines)).toMatchObject({ done: true, succeeded: 4, unfinished: 0 });
      const attempts = ends.reduce((sum, lines) => sum + Number(outcome(lines)!['attempts']), 0);
      expect(attempts).toBeGreaterThanOrEqual(24); // each item timed out once (a loaded machine may time out a retry too)
      expect(server.total).toBe(attempts);
      expect(server.peak).toBe(4);
    }, 60_000);

    it('a process frozen (SIGSTOP) longer than its leases while its calls are at the server: the server never executes more than the cap', async () => {
      // A call may hold its slot 2 s (hard deadline, no grace): leases live 2.5 s; the freeze lasts 4 s; the server takes 1.5 s.
      const limits = { timeoutMs: 1_800, hardDeadlineMs: 2_000, abortGraceMs: 0 };
      const common = shared({ leaseMarginMs: 500 });
      const [a, b, c] = await startTogether(
        ['a', 'b', 'c'].map((name) => ({ name, url: server.url, calls: name === 'a' ? 4 : 6, callMs: 1_500, ...limits, shared: { ...common, runName: `batch-${name}` } })),
        children,
      );
      const current = (name: string) => server.currentByClient.get(name) ?? 0;
      await until(() => current('a') >= 1 && server.current === 4, 20_000, 'process a to have calls at the server while all 4 slots are used');
      a!.proc.kill('SIGSTOP');
      const heldByA = current('a');
      await sleep(4_000);
      const peakWhileFrozen = server.peak;
      a!.proc.kill('SIGCONT');
      const ends = await Promise.all([a!.exited, b!.exited, c!.exited]);
      console.log(`cap at the server: process a frozen 4 s with ${heldByA} call(s) at the server (leases 2.5 s); peak ${server.peak}`);
      expect(peakWhileFrozen).toBeLessThanOrEqual(4);
      expect(server.peak).toBe(4);
      expect(outcome(ends[0]!)).toMatchObject({ done: true, succeeded: 4, unfinished: 0 });
      expect(outcome(ends[1]!)).toMatchObject({ done: true, succeeded: 6, unfinished: 0 });
      expect(outcome(ends[2]!)).toMatchObject({ done: true, succeeded: 6, unfinished: 0 });
    }, 60_000);

    it('a replica promoted while calls run (one address, the clients reconnect to it): never more than the cap, nothing lost', async () => {
      const replica = await startTestRedis(redisBinary);
      const admin = new Redis(replica.url);
      // One address for the clients: a TCP proxy to the primary, switched to the replica at the failover.
      let target = Number(new URL(redis.url).port);
      const sockets = new Set<Socket>();
      const proxy = createServer((client) => {
        const upstream = connect(target, '127.0.0.1');
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => (client.destroy(), upstream.destroy());
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      const port = await freePort();
      await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
      try {
        await admin.call('REPLICAOF', '127.0.0.1', String(target));
        for (let i = 0; ; i++) {
          if (/master_link_status:up/.test(await admin.info('replication'))) break;
          if (i > 1_200) throw new Error('the replica did not sync within 30 s');
          await sleep(25);
        }
        const common = shared({ redis: `redis://127.0.0.1:${port}`, recoveryMs: 1_000 });
        const started = await startTogether(
          ['a', 'b', 'c'].map((name) => ({ name, url: server.url, calls: 4, callMs: 1_500, timeoutMs: 3_000, hardDeadlineMs: 6_000, shared: { ...common, runName: `batch-${name}` } })),
          children,
        );
        await until(() => server.current === 4, 20_000, 'all 4 slots in use');
        // Failover: the replica becomes the primary; the clients' connections drop and come back to it.
        await admin.call('REPLICAOF', 'NO', 'ONE');
        target = replica.port;
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        const ends = await Promise.all(started.map((child) => child.exited));
        for (const lines of ends) {
          expect(outcome(lines)).toMatchObject({ done: true, succeeded: 4, unfinished: 0 });
          expect(lines.some((line) => line['event'] === 'shared-restored')).toBe(true);
        }
        expect(server.peak).toBe(4);
        expect(server.total).toBe(12);
      } finally {
        admin.disconnect();
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
        await replica.close();
      }
    }, 60_000);
  });
});
