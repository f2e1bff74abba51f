/**
 * Measures bottleneck 2.19.5's Redis clustering (ioredis datastore, limiters sharing one `id`)
 * against a real redis-server, with real child processes calling one loopback HTTP server that
 * counts simultaneous requests. Three scenarios:
 *   cap      3 processes x 12 calls of 200 ms, maxConcurrent 4: peak and duration;
 *   kill     3 processes x 12 calls of 1000 ms, expiration 3000 ms; one SIGKILLed while it
 *            holds slots: do the others finish, and when does the cap come back to full use?
 *   restart  3 processes x 20 calls of 300 ms; Redis stopped for 1 s and restarted (empty):
 *            do the processes finish, is the cap held, is anything lost?
 *   restart-during-calls  3 processes x 4 calls of 2000 ms; Redis stopped for 200 ms while 4
 *            calls are in flight, and restarted (empty): is the cap still held?
 *
 * Usage: node --import tsx scripts/measure-bottleneck-redis.ts
 * (needs redis-server on PATH; starts its own on a free port.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Bottleneck from 'bottleneck';
import { startCountingServer, type CountingServer } from '../test/support/counting-server.js';
import { startTestRedis } from '../test/support/redis-server.js';

const self = fileURLToPath(import.meta.url);

async function child(): Promise<void> {
  const [redisPort, url, id, name, callsText, msText, expirationText] = process.argv.slice(3);
  const limiter = new Bottleneck({
    id,
    datastore: 'ioredis',
    clearDatastore: false,
    maxConcurrent: 4,
    clientTimeout: 3_000,
    heartbeatInterval: 500,
    clientOptions: { host: '127.0.0.1', port: Number(redisPort) },
  });
  limiter.on('error', (error: unknown) => console.log(JSON.stringify({ name, error: String(error) })));
  const calls = Number(callsText);
  const expiration = Number(expirationText);
  let ok = 0;
  let failed = 0;
  const errors = new Set<string>();
  await Promise.all(
    Array.from({ length: calls }, () =>
      limiter
        .schedule(expiration > 0 ? { expiration } : {}, () => fetch(`${url}?ms=${msText}`, { headers: { 'x-client': name! } }).then((r) => r.text()))
        .then(
          () => ok++,
          (error: unknown) => {
            failed++;
            errors.add(String(error));
          },
        ),
    ),
  );
  console.log(JSON.stringify({ name, ok, failed, errors: [...errors] }));
  await limiter.disconnect(false);
  process.exit(0);
}

interface Child {
  readonly proc: ChildProcess;
  readonly done: Promise<{ code: number | null; out: string; ms: number }>;
}

function startChild(args: string[]): Child {
  const startedAt = Date.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', self, 'child', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const done = new Promise<{ code: number | null; out: string; ms: number }>((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out: out.trim(), ms: Date.now() - startedAt });
    });
  });
  return { proc, done };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function scenario(name: string, server: CountingServer, body: () => Promise<Record<string, unknown>>): Promise<void> {
  server.reset();
  const startedAt = Date.now();
  const result = await body();
  const timeline = server.timeline;
  const span = timeline.length === 0 ? 0 : timeline[timeline.length - 1]![0] - timeline[0]![0];
  console.log(JSON.stringify({ scenario: name, ms: Date.now() - startedAt, firstToLastRequestMs: span, peak: server.peak, served: server.total, ...result }, null, 1));
}

async function main(): Promise<void> {
  const redis = await startTestRedis();
  const server = await startCountingServer();
  const run = (id: string, calls: number, ms: number, expiration: number) =>
    ['a', 'b', 'c'].map((name) => startChild([String(redis.port), server.url, id, name, String(calls), String(ms), String(expiration)]));
  try {
    await scenario('cap', server, async () => {
      const children = run('measure-cap', 12, 200, 0);
      const ends = await Promise.all(children.map((c) => c.done));
      return { ideal: (36 * 200) / 4, children: ends.map((e) => `${e.code} ${e.out}`) };
    });

    await scenario('kill', server, async () => {
      const children = run('measure-kill', 12, 1_000, 3_000);
      while ((server.currentByClient.get('a') ?? 0) < 2) await sleep(20);
      const killedAt = Date.now();
      children[0]!.proc.kill('SIGKILL');
      // When does the cap come back to full use (4 simultaneous requests) after the kill?
      let fullAgainMs: number | undefined;
      const watch = (async () => {
        await sleep(1_100); // the killed process's requests finish on the server within 1 s
        while (fullAgainMs === undefined && Date.now() - killedAt < 30_000) {
          if (server.current === 4) fullAgainMs = Date.now() - killedAt;
          await sleep(10);
        }
      })();
      const ends = await Promise.all(children.map((c) => c.done));
      await watch;
      return { fullAgainMsAfterKill: fullAgainMs ?? 'never (or the others finished first)', children: ends.map((e) => `${e.code} after ${e.ms} ms ${e.out}`) };
    });

    await scenario('restart', server, async () => {
      const children = run('measure-restart', 20, 300, 0);
      await sleep(1_500);
      await redis.stop();
      await sleep(1_000);
      await redis.start();
      const ends = await Promise.all(children.map((c) => c.done));
      return { expected: 60, children: ends.map((e) => `${e.code} after ${e.ms} ms ${e.out}`) };
    });

    await scenario('restart-during-calls', server, async () => {
      const children = run('measure-restart-busy', 4, 2_000, 0);
      while (server.current < 4) await sleep(10);
      await redis.stop();
      await sleep(200);
      await redis.start();
      const ends = await Promise.all(children.map((c) => c.done));
      return { expected: 12, children: ends.map((e) => `${e.code} after ${e.ms} ms ${e.out.split('\n').at(-1)}`) };
    });
  } finally {
    await server.close();
    await redis.close();
  }
}

if (process.argv[2] === 'child') await child();
else await main();
