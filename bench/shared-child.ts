/**
 * One process of the shared-cap benchmark: `calls` calls to the loopback server under a cap of 4
 * shared through Redis by every process, with one contender: bcss-bulk's shared mode,
 * bottleneck's Redis clustering, or the redis-semaphore package; or, as the ceiling, plain loops
 * with no limiter and no Redis (the cap's 4 loops split between the processes). Prints `{"ready":true}`, starts
 * on a `go` line on stdin, and prints `{"done":true}` at the end.
 *
 * Usage: node --import tsx bench/shared-child.ts '<json config>'
 */
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { loadLibrary, NOT_ANNOUNCED_BENCH, NOT_THE_BCSS, type LibraryBuild } from './library.js';

/** The contenders. */
export type SharedContender = 'bcss-bulk' | 'bottleneck' | 'redis-semaphore' | 'bare-loops';

interface Config {
  readonly contender: SharedContender;
  readonly build: LibraryBuild;
  readonly name: string;
  readonly redisUrl: string;
  readonly url: string;
  readonly calls: number;
  readonly namespace: string;
  /** This process's index, and the number of processes. */
  readonly index: number;
  readonly processes: number;
}

const CAP = 4;
const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const agent = new Agent({ keepAlive: true });

function get(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(config.url, { agent, headers: { 'x-client': config.name }, ...(signal === undefined ? {} : { signal }) }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function prepare(): Promise<() => Promise<void>> {
  switch (config.contender) {
    case 'bcss-bulk': {
      const library = await loadLibrary(config.build);
      return async () => {
        const run = library.createRun({
          input: Array.from({ length: config.calls }, (_, i) => i),
          source: 'rn',
          sources: { rn: { kind: 'rn' } },
          calendar: NOT_THE_BCSS,
          announcement: NOT_ANNOUNCED_BENCH,
          shared: { redis: config.redisUrl, namespace: config.namespace, runName: `bench-${config.name}`, recoveryMs: 300, maxReconnectDelayMs: 200 },
          call: (_item, context) => get(context.signal),
        });
        const summary = await run.start();
        if (summary.totals.succeeded !== config.calls) throw new Error(`${summary.totals.succeeded} of ${config.calls} calls succeeded`);
      };
    }
    case 'bottleneck': {
      const { default: Bottleneck } = await import('bottleneck');
      const { hostname, port } = new URL(config.redisUrl);
      const limiter = new Bottleneck({ maxConcurrent: CAP, datastore: 'ioredis', clientOptions: { host: hostname, port: Number(port) }, id: config.namespace, Redis });
      await limiter.ready();
      return async () => {
        await Promise.all(Array.from({ length: config.calls }, () => limiter.schedule(() => get())));
        await limiter.disconnect();
      };
    }
    case 'bare-loops': {
      // The ceiling: no limiter, no Redis. The cap's 4 loops split between the processes (2/1/1 for
      // 3), and the calls of all with them, so that every loop has the same work.
      const loopsOf = (index: number) => Math.floor(CAP / config.processes) + (index < CAP % config.processes ? 1 : 0);
      const total = config.calls * config.processes;
      const shareOf = (index: number) => Math.floor((total * loopsOf(index)) / CAP);
      let others = 0;
      for (let i = 0; i < config.processes - 1; i++) others += shareOf(i);
      const calls = config.index === config.processes - 1 ? total - others : shareOf(config.index);
      let next = 0;
      return async () => {
        await Promise.all(
          Array.from({ length: loopsOf(config.index) }, async () => {
            while (next++ < calls) await get();
          }),
        );
      };
    }
    case 'redis-semaphore': {
      const { Semaphore } = await import('redis-semaphore');
      const client = new Redis(config.redisUrl);
      let next = 0;
      return async () => {
        // As many workers as the cap in each process (the local cap of the other contenders), each holding one lease per call.
        await Promise.all(
          Array.from({ length: CAP }, async () => {
            while (next++ < config.calls) {
              const semaphore = new Semaphore(client, config.namespace, CAP, { acquireTimeout: 600_000, lockTimeout: 30_000 });
              await semaphore.acquire();
              try {
                await get();
              } finally {
                await semaphore.release();
              }
            }
          }),
        );
        client.disconnect();
      };
    }
  }
}

const work = await prepare();
process.stdout.write('{"ready":true}\n');
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
lines.close();
await work();
agent.destroy();
process.stdout.write('{"done":true}\n');
process.exit(0);
