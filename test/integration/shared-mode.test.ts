/**
 * Shared mode against a real redis-server, with real child processes: caps held across
 * processes, slots of a SIGKILLed process coming back within the lease, a Redis restart pausing
 * and resuming the runs with nothing lost, and the run lock.
 *
 * Needs `redis-server` on PATH (`.ci/run` installs it). Without it these tests are skipped with
 * a message, except under `CI=true`, where a missing redis-server fails them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRun, HttpStatusError, RunFailedError, type SharedOptions } from '../../src/index.js';
import { freePort } from '../support/redis-server.js';
import { startCountingServer, type CountingServer } from '../support/counting-server.js';
import { findRedisServer, startTestRedis, type TestRedis } from '../support/redis-server.js';
import { TEST_ANNOUNCEMENT } from '../helpers.js';
import { watchJsonLines } from '../support/json-lines.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const redisBinary = findRedisServer();
const skip = redisBinary === undefined && process.env['CI'] !== 'true';
if (skip) console.warn('SKIPPED test/shared-mode.test.ts: redis-server is not installed (not on PATH); install it (apt-get install redis-server) to run the shared-mode tests. Under CI=true a missing redis-server fails them.');

interface Line {
  readonly name: string;
  readonly t: number;
  readonly [field: string]: unknown;
}

/** A child process running test/support/shared-child.ts, with its JSON lines. */
interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly lines: Line[];
  /** Resolves with every line once the process exited. */
  readonly exited: Promise<Line[]>;
  /** Resolves once a line matches; rejects (with the lines seen) after `timeoutMs`. */
  waitFor(match: (line: Line) => boolean, timeoutMs?: number): Promise<Line>;
  go(): void;
}

const children: Child[] = [];

function startChild(config: { name: string; url: string; calls: number; callMs: number; waitForGo?: boolean; timeoutMs?: number; hardDeadlineMs?: number; abortGraceMs?: number; shared: SharedOptions }): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/support/shared-child.ts', JSON.stringify(config)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const { lines, stderr, waitFor } = watchJsonLines<Line>(proc, `child ${config.name}`);
  const exited = new Promise<Line[]>((resolve, reject) => {
    proc.once('exit', (code, signal) => {
      if (code === 0 || signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`child ${config.name} exited with ${code ?? signal}:\n${stderr()}`));
    });
  });
  exited.catch(() => undefined);
  const child: Child = {
    name: config.name,
    proc,
    lines,
    exited,
    waitFor: (match, timeoutMs = 20_000) => waitFor(match, timeoutMs),
    go: () => proc.stdin!.write('go\n'),
  };
  children.push(child);
  return child;
}

/** Starts children that wait, then lets them all go at once. */
async function startTogether(configs: Parameters<typeof startChild>[0][]): Promise<Child[]> {
  const started = configs.map((config) => startChild({ ...config, waitForGo: true }));
  await Promise.all(started.map((child) => child.waitFor((line) => line['ready'] === true)));
  for (const child of started) child.go();
  return started;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, polling every 5 ms; fails after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const outcome = (lines: readonly Line[]) => lines.find((line) => line['done'] !== undefined);

describe.skipIf(skip)('shared mode: caps across processes through a real Redis', () => {
  let redis: TestRedis;
  let server: CountingServer;
  let namespaceSeq = 0;
  const shared = (extra: Partial<SharedOptions> = {}): SharedOptions => ({
    redis: redis.url,
    namespace: `test-${process.pid}-${++namespaceSeq}`,
    runName: 'night-batch',
    recoveryMs: 500,
    maxReconnectDelayMs: 200,
    ...extra,
  });

  beforeAll(async () => {
    // Under CI=true without redis-server, the test below fails and names the cause (and the others fail too).
    if (redisBinary !== undefined) redis = await startTestRedis(redisBinary);
    server = await startCountingServer();
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    await until(() => server.current === 0, 10_000, 'the server to be idle');
    server.reset();
  });

  afterAll(async () => {
    await server?.close();
    await redis?.close();
  });

  it('finds redis-server on PATH (required under CI=true: .ci/run installs it)', () => {
    expect(redisBinary, 'redis-server is not installed (not on PATH)').toBeDefined();
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
  });

  it('three processes with 4 calls each on one bcss source: never more than 4 together, and all 4 slots used', async () => {
    const callMs = 1_000;
    const common = shared();
    const started = await startTogether(
      ['a', 'b', 'c'].map((name) => ({ name, url: server.url, calls: 4, callMs, shared: { ...common, runName: `batch-${name}` } })),
    );
    const ends = await Promise.all(started.map((child) => child.exited));

    for (const lines of ends) expect(outcome(lines)).toMatchObject({ done: true, succeeded: 4, unfinished: 0, attempts: 4 });
    expect(server.total).toBe(12);
    expect(server.peak).toBe(4);
    // Full use: from the first request until the last one started, items were always waiting,
    // so the 4 slots should have been busy but for the hand-offs between processes.
    const timeline = server.timeline;
    const starts = timeline.filter(([, current], i) => i === 0 || current > timeline[i - 1]![1]);
    const from = starts[0]![0];
    const to = starts.at(-1)![0];
    let busy = 0;
    for (let i = 0; i < timeline.length - 1 && timeline[i]![0] < to; i++) busy += timeline[i]![1] * (Math.min(timeline[i + 1]![0], to) - timeline[i]![0]);
    const average = busy / (to - from);
    const span = timeline.at(-1)![0] - from;
    console.log(`shared cap: 12 calls of ${callMs} ms by 3 processes, peak ${server.peak}, ${average.toFixed(2)} calls on average while items waited, first request to last answer ${span} ms (ideal ${3 * callMs} ms)`);
    // 4 would be perfect; measured 3.1 to 3.4 on 2 cores at load 7 to 10 (the processes start their calls late, not the semaphore).
    expect(average).toBeGreaterThan(2.8);
    expect(span).toBeGreaterThanOrEqual(3 * callMs);
    for (const name of ['a', 'b', 'c']) expect(server.byClient.get(name)).toBe(4);
  });

  it.each([
    { keepSlotMs: 100, work: 1, maxIdleMs: 1_000 },
    { keepSlotMs: undefined, work: 4, maxIdleMs: 2_000 },
  ])('processes of unequal speed each get a fair share: a process keeps a freed slot for its next item only within the fairness bound (keepSlotMs $keepSlotMs)', async ({ keepSlotMs, work, maxIdleMs }) => {
    // a: 10 ms calls, b: 30 ms, c: 90 ms; each with about 2.5 s (× work) of work for one slot. A
    // process that kept its slots for ever would starve the others; with the fairness bound
    // (keepSlotMs: 100 ms, and the default 500 ms over a run long enough for many rounds) every
    // slot goes back to the first-come queue at most the bound plus one call after its grant.
    const common = shared(keepSlotMs === undefined ? {} : { keepSlotMs });
    const configs = [
      { name: 'a', callMs: 10, calls: 250 * work },
      { name: 'b', callMs: 30, calls: 84 * work },
      { name: 'c', callMs: 90, calls: 28 * work },
    ];
    const started = await startTogether(configs.map((c) => ({ ...c, url: server.url, shared: { ...common, runName: `fair-${c.name}` } })));
    const names = configs.map((c) => c.name);
    const busy = new Map(names.map((name) => [name, 0]));
    const idleSince = new Map<string, number>();
    const longestIdle = new Map(names.map((name) => [name, 0]));
    const exitedAt = new Map<string, number>();
    for (const child of started) void child.exited.then(() => exitedAt.set(child.name, Date.now()));
    let last = Date.now();
    let firstSeen: number | undefined;
    while (exitedAt.size === 0) {
      await sleep(5);
      const now = Date.now();
      const counts = names.map((name) => server.currentByClient.get(name) ?? 0);
      if (firstSeen === undefined && counts.every((n) => n > 0)) firstSeen = now;
      if (firstSeen !== undefined) {
        names.forEach((name, i) => {
          busy.set(name, busy.get(name)! + counts[i]! * (now - last));
          if (counts[i]! > 0) idleSince.delete(name);
          else if (!idleSince.has(name)) idleSince.set(name, now);
          else longestIdle.set(name, Math.max(longestIdle.get(name)!, now - idleSince.get(name)!));
        });
      }
      last = now;
    }
    const ends = await Promise.all(started.map((child) => child.exited));
    for (const [i, lines] of ends.entries()) expect(outcome(lines)).toMatchObject({ done: true, succeeded: configs[i]!.calls, unfinished: 0 });
    expect(server.peak).toBe(4);
    const total = [...busy.values()].reduce((a, b) => a + b, 0);
    const shares = names.map((name) => busy.get(name)! / total);
    console.log(`fairness: slot-time shares while all 3 ran ${shares.map((s) => s.toFixed(2)).join(' / ')}; longest time with no call at the server ${names.map((n) => longestIdle.get(n)).join(' / ')} ms`);
    // First-come order between processes shares the grants; a slot goes back to the queue at the
    // bound plus one call, so a slower process holds each grant longer, and a fast process loses
    // part of its time to its own overhead between calls. Measured 0.22 / 0.33 / 0.46 (100 ms)
    // and 0.26 / 0.33 / 0.42 (500 ms) on 2 cores; a process that kept its slots for ever could
    // leave another at 0.
    for (const share of shares) expect(share).toBeGreaterThan(0.1);
    // The bound plus one call (at most 90 ms) per slot, up to 8 tickets of the others ahead, and a
    // loaded 2-core machine. Measured at most 138 ms (100 ms) and 571 ms (500 ms).
    for (const name of names) expect(longestIdle.get(name)!).toBeLessThan(maxIdleMs);
  });

  it('a process killed with SIGKILL gives its slots back within its lease time-to-live; the others finish', async () => {
    // A call may hold its slot up to its hard deadline (2 s) plus grace (0): the lease lives that plus the margin.
    const limits = { timeoutMs: 2_000, hardDeadlineMs: 2_000, abortGraceMs: 0 };
    const leaseMs = 2_500;
    const callMs = 1_500;
    const common = shared({ leaseMarginMs: 500 });
    // b and c have enough items to use all 4 slots once a's leases expired.
    const [a, b, c] = await startTogether(
      ['a', 'b', 'c'].map((name) => ({ name, url: server.url, calls: name === 'a' ? 4 : 8, callMs, ...limits, shared: { ...common, runName: `batch-${name}` } })),
    );
    const current = (name: string) => server.currentByClient.get(name) ?? 0;
    await until(() => current('a') >= 1 && server.current === 4, 20_000, 'process a to hold slots while all 4 are in use');
    const heldByA = current('a');
    a!.proc.kill('SIGKILL');
    const killedAt = Date.now();
    // a's requests go on on the server (as at the BCSS) but its leases are no longer renewed.
    await until(() => current('b') + current('c') === 4, leaseMs + 2_000, 'b and c to use all 4 slots again');
    const backAfterMs = Date.now() - killedAt;
    console.log(`shared cap: process a killed holding ${heldByA} slot(s); all 4 slots used again ${backAfterMs} ms later (lease ${leaseMs} ms)`);

    const [endB, endC] = await Promise.all([b!.exited, c!.exited]);
    expect(outcome(endB!)).toMatchObject({ done: true, succeeded: 8, unfinished: 0 });
    expect(outcome(endC!)).toMatchObject({ done: true, succeeded: 8, unfinished: 0 });
    expect(server.peak).toBe(4);
    // The dead process's slots stayed taken until its leases expired (renewed every third of
    // leaseMs until the kill), and came back within the lease bound (plus a poll).
    expect(backAfterMs).toBeLessThanOrEqual(leaseMs + 700);
    expect(backAfterMs).toBeGreaterThanOrEqual(leaseMs / 2);
  });

  it('Redis stopped and restarted empty mid-run: new calls wait (events say so), calls in flight finish, the runs resume and nothing is lost or doubled', async () => {
    const callMs = 1_200;
    const common = shared({ recoveryMs: 1_000 });
    const started = await startTogether(
      ['a', 'b', 'c'].map((name) => ({ name, url: server.url, calls: 4, callMs, shared: { ...common, runName: `batch-${name}` } })),
    );
    await until(() => server.current === 4, 20_000, 'all 4 slots in use');
    await redis.stop();
    const stoppedAt = Date.now();
    const sentBeforeOutage = server.total;
    await Promise.all(started.map((child) => child.waitFor((line) => line['event'] === 'shared-unavailable')));
    await sleep(600);
    // No call started while Redis was down (calls in flight go on).
    expect(server.total).toBe(sentBeforeOutage);
    await redis.start();
    const restartedAt = Date.now();
    const ends = await Promise.all(started.map((child) => child.exited));
    console.log(`shared cap: Redis down ${restartedAt - stoppedAt} ms; runs finished ${Date.now() - restartedAt} ms after the restart; peak ${server.peak}`);

    for (const lines of ends) {
      expect(lines.some((line) => line['event'] === 'shared-unavailable')).toBe(true);
      expect(lines.some((line) => line['event'] === 'shared-restored')).toBe(true);
      expect(outcome(lines)).toMatchObject({ done: true, succeeded: 4, unfinished: 0, attempts: 4 });
    }
    expect(server.total).toBe(12);
    // Redis came back empty while calls were in flight: they re-registered their leases before new ones were granted.
    expect(server.peak).toBe(4);
  });

  it('the run lock refuses a second process on the same run, and expires when its holder is killed', async () => {
    const lockMs = 1_500;
    const common = shared({ lockMs });
    const first = startChild({ name: 'first', url: server.url, calls: 8, callMs: 3_000, shared: common });
    const second = startChild({ name: 'second', url: server.url, calls: 4, callMs: 100, shared: common, waitForGo: true });
    await second.waitFor((line) => line['ready'] === true);
    await until(() => (server.currentByClient.get('first') ?? 0) > 0, 20_000, 'the first process to call');
    second.go();
    const refused = outcome(await second.exited);
    expect(refused).toMatchObject({ done: false, code: 'RUN_FAILED', outcomeCode: 'RUN_LOCKED', causeCode: 'RUN_LOCKED' });
    expect(refused?.['message']).toContain(`The run 'night-batch' is being processed by another process (`);
    expect(refused?.['message']).toContain(`:${first.proc.pid})`);
    expect(server.byClient.get('second')).toBeUndefined();

    first.proc.kill('SIGKILL');
    const killedAt = Date.now();
    let third: Line | undefined;
    while (third === undefined || third['outcomeCode'] === 'RUN_LOCKED') {
      expect(Date.now() - killedAt, 'the lock should expire within lockMs').toBeLessThan(lockMs + 3_000);
      third = outcome(await startChild({ name: 'third', url: server.url, calls: 4, callMs: 100, shared: common }).exited);
    }
    expect(third).toMatchObject({ done: true, succeeded: 4 });
  });

  describe('in one process', () => {
    let admin: Redis;
    beforeAll(() => {
      if (redisBinary !== undefined) admin = new Redis(redis.url);
    });
    afterAll(async () => {
      await admin?.quit();
    });

    const keys = (namespace: string) => ({
      slots: `bcss-bulk:{${namespace}}:slots:rn`,
      epoch: `bcss-bulk:{${namespace}}:epoch`,
      lock: `bcss-bulk:{${namespace}}:lock:night-batch`,
    });

    /** Another process's leases on all 4 slots, expiring `ms` from now (Redis time). */
    async function othersHoldAllSlots(namespace: string, ms: number): Promise<void> {
      const [seconds, micros] = await admin.time();
      const expiry = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + ms;
      await admin.set(keys(namespace).epoch, '0');
      await admin.zadd(keys(namespace).slots, expiry, 'other:1', expiry, 'other:2', expiry, 'other:3', expiry, 'other:4');
    }

    function sharedRun(options: SharedOptions, count: number, calls: number[], callMs = 20) {
      return createRun<number, number>({
        announcement: TEST_ANNOUNCEMENT,
        input: Array.from({ length: count }, (_, i) => i),
        source: 'rn',
        sources: { rn: { kind: 'rn' } },
        calendar: { enforce: false, override: { reason: 'test against a loopback server, not the BCSS' } },
        minPauseMs: 0,
        call: async (item) => {
          calls.push(Date.now());
          await sleep(callMs);
          return item;
        },
        shared: options,
      });
    }

    it('waits while other processes hold every slot, and starts once their leases expire', async () => {
      const options = shared();
      await othersHoldAllSlots(options.namespace, 400);
      const calls: number[] = [];
      const startedAt = Date.now();
      const summary = await sharedRun(options, 8, calls).start();
      expect(summary.totals.succeeded).toBe(8);
      expect(calls[0]! - startedAt).toBeGreaterThanOrEqual(350);
      // Every lease given back and the run lock released when start() settles.
      expect(await admin.zcard(keys(options.namespace).slots)).toBe(0);
      expect(await admin.exists(keys(options.namespace).lock)).toBe(0);
    });

    it('stop({ inFlight: "abort" }) while items wait for a shared slot: nothing is called, nothing is left held in Redis', async () => {
      const options = shared();
      await othersHoldAllSlots(options.namespace, 60_000);
      const calls: number[] = [];
      const run = sharedRun(options, 6, calls);
      const done = run.start();
      await until(() => run.status().totals.inFlight === 4, 5_000, 'items waiting for shared slots');
      await sleep(200);
      const summary = await run.stop({ inFlight: 'abort' });
      await done;
      expect(calls).toEqual([]);
      expect(summary.state).toBe('stopped');
      expect(summary.unfinished).toBe(summary.totals.read);
      expect(await admin.zrange(keys(options.namespace).slots, '0', '-1')).toEqual(['other:1', 'other:2', 'other:3', 'other:4']);
      expect(await admin.exists(keys(options.namespace).lock)).toBe(0);
    });

    it('a paused run holds no shared slot; after resume() every item is called once', async () => {
      const options = shared();
      await othersHoldAllSlots(options.namespace, 300);
      const calls: number[] = [];
      const run = sharedRun(options, 10, calls);
      const done = run.start();
      await until(() => run.state === 'running', 5_000, 'the run to start');
      run.pause();
      await sleep(800); // the other leases expired meanwhile; the waiting items got slots and gave them back
      expect(calls).toEqual([]);
      expect(await admin.zcard(keys(options.namespace).slots)).toBe(0);
      run.resume();
      const summary = await done;
      expect(summary.totals.succeeded).toBe(10);
      expect(calls).toHaveLength(10);
    });

    it('accepts an ioredis client (duplicated, left open) instead of a URL', async () => {
      const client = new Redis(redis.url, { lazyConnect: true });
      const calls: number[] = [];
      const summary = await sharedRun(shared({ redis: client }), 5, calls).start();
      expect(summary.totals.succeeded).toBe(5);
      expect(client.status).toBe('wait'); // the caller's client was never used
      client.disconnect();
    });

    it('fails the run at start, before any call, when Redis cannot be reached', async () => {
      const calls: number[] = [];
      const run = sharedRun(shared({ redis: `redis://127.0.0.1:${await freePort()}` }), 3, calls);
      const error = await run.start().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(RunFailedError);
      expect((error as RunFailedError).outcomeCode).toBe('SHARED_START_FAILED');
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
      expect(run.state).toBe('failed');
      expect(calls).toEqual([]);
    });

    it('the first call in a namespace of a fresh Redis waits recoveryMs (the namespace might have lost its leases)', async () => {
      const calls: number[] = [];
      const startedAt = Date.now();
      await sharedRun(shared({ recoveryMs: 400 }), 2, calls).start();
      expect(calls[0]! - startedAt).toBeGreaterThanOrEqual(390);
    });

    it('a slot freed by one process is taken by a waiting process at once (handed over by the release), not at a poll', async () => {
      const namespace = shared().namespace;
      const holderCalls: number[] = [];
      const waiterCalls: number[] = [];
      const holder = sharedRun(shared({ namespace, runName: 'holder', recoveryMs: 250 }), 4, holderCalls, 300);
      const holding = holder.start();
      await until(() => holderCalls.length === 4, 5_000, 'the holder to take all 4 slots');
      const waiter = sharedRun(shared({ namespace, runName: 'waiter', pollMs: 20_000 }), 4, waiterCalls);
      const startedAt = Date.now();
      await waiter.start();
      await holding;
      // Polling alone would wait up to 20 s; the holder's releases woke the waiter.
      expect(Date.now() - startedAt).toBeLessThan(2_000);
    });

    it('two runs contending for the cap: a slot kept for the next item costs no Redis call (tickets stay in line for the next items)', async () => {
      const namespace = shared().namespace;
      const scriptCalls = async () => {
        const stats = await admin.info('commandstats');
        return [...stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      };
      const callsA: number[] = [];
      const callsB: number[] = [];
      const a = sharedRun(shared({ namespace, runName: 'a', recoveryMs: 250 }), 200, callsA, 5);
      const b = sharedRun(shared({ namespace, runName: 'b', recoveryMs: 250 }), 200, callsB, 5);
      const before = await scriptCalls();
      const [summaryA, summaryB] = await Promise.all([a.start(), b.start()]);
      const scripts = (await scriptCalls()) - before;
      expect(summaryA.totals.succeeded + summaryB.totals.succeeded).toBe(400);
      // Both ran at once (each had items waiting for the other's slots) ...
      const overlap = Math.min(callsA.at(-1)!, callsB.at(-1)!) - Math.max(callsA[0]!, callsB[0]!);
      expect(overlap).toBeGreaterThan(0);
      // ... and most calls took a kept slot: no acquire, no withdrawal, no release. Withdrawing the
      // served item's entry and queuing the next item's costs two script calls per call: 707 were
      // measured that way, 104 with tickets (the rest: run locks, the recovery window, renewals,
      // presence refreshes, hand-offs every 500 ms).
      console.log(`Redis script calls for 400 calls of two contending runs: ${scripts}`);
      expect(scripts).toBeLessThan(200);
    });

    it('fails the run with RUN_LOCK_LOST when another process took its lock', async () => {
      const options = shared({ lockMs: 300 });
      const calls: number[] = [];
      const run = sharedRun(options, 1_000, calls, 50);
      const done = run.start();
      await until(() => calls.length > 0, 5_000, 'the run to call');
      await admin.set(keys(options.namespace).lock, 'elsewhere:42:token', 'PX', 60_000);
      const error = await done.then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(RunFailedError);
      expect((error as RunFailedError).outcomeCode).toBe('RUN_LOCK_LOST');
      expect(await admin.get(keys(options.namespace).lock)).toBe('elsewhere:42:token'); // not deleted: it is not ours
    });

    it('a source paused by its overload protection sends one probe at a time, even with items already waiting for shared slots', async () => {
      let current = 0;
      let sent = 0;
      let paused = false;
      let peakWhilePaused = 0;
      const run = createRun<number, number>({
        announcement: TEST_ANNOUNCEMENT,
        input: Array.from({ length: 30 }, (_, i) => i),
        source: 'rn',
        sources: { rn: { kind: 'rn' } },
        calendar: { enforce: false, override: { reason: 'test against a loopback server, not the BCSS' } },
        retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 5 },
        overload: { windowSize: 4, minSamples: 4, failureRatio: 0.5, cooldownMs: 200, maxCooldownMs: 400 },
        rejectBudget: false,
        call: async (item) => {
          current++;
          sent++;
          if (paused) peakWhilePaused = Math.max(peakWhilePaused, current);
          await sleep(30);
          current--;
          if (sent <= 12) throw new HttpStatusError(503);
          return item;
        },
        shared: shared(),
      });
      const changes: string[] = [];
      run.on('source-paused', () => ((paused = true), changes.push('paused')));
      run.on('source-resumed', () => ((paused = false), changes.push('resumed')));
      const summary = await run.start();
      expect(summary.totals.succeeded).toBe(30);
      expect(changes).toContain('paused');
      expect(changes.at(-1)).toBe('resumed');
      expect(peakWhilePaused).toBe(1);
    });
  });
});
