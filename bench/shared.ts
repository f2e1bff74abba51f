/**
 * The shared cap side by side: 3 processes share a cap of 4 through one redis-server, with
 * bcss-bulk's shared mode, bottleneck's Redis clustering and the redis-semaphore package, against
 * a loopback server of latency L (20 ms and 200 ms); and, as the ceiling, plain loops with no
 * limiter and no Redis. Measured at the server, which counts the requests it is executing:
 * utilization is the mean number executing ÷ 4, from the first request's arrival to the last
 * reply; peak is the most executing at once. The runs are noisy (a 2-core machine shared by
 * 3 processes, the server and redis-server): each contender runs `rounds` times at each latency,
 * the rounds interleaved between contenders, and the median counts.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { LibraryBuild } from './library.js';
import type { SharedContender } from './shared-child.js';

const CAP = 4;
const PROCESSES = Number(process.env["BENCH_SHARED_PROCESSES"] ?? 3);
const child = fileURLToPath(new URL('./shared-child.ts', import.meta.url));

/** A loopback server of latency `latencyMs` that counts the requests it is executing. */
interface CountingLatencyServer {
  readonly url: string;
  /** Mean executing ÷ cap from the first arrival to the last reply, and the peak. */
  figures(): { utilization: number; peak: number; calls: number };
  close(): Promise<void>;
}

async function startServer(latencyMs: number): Promise<CountingLatencyServer> {
  let current = 0;
  let peak = 0;
  let calls = 0;
  let busy = 0;
  let lastChange = 0;
  let first: number | undefined;
  let last = 0;
  const change = (delta: number) => {
    const now = performance.now();
    if (first === undefined) first = now;
    busy += current * (now - lastChange);
    lastChange = now;
    current += delta;
    if (current > peak) peak = current;
    last = now;
  };
  const server: Server = createServer((req, res) => {
    change(+1);
    calls++;
    const due = performance.now() + latencyMs;
    req.resume();
    const reply = () => {
      if (performance.now() < due) {
        setImmediate(reply); // timers fire up to a millisecond late: spin the last 2 ms
        return;
      }
      change(-1);
      res.end('ok');
    };
    setTimeout(reply, Math.max(0, latencyMs - 2));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/person`,
    figures: () => ({ utilization: first === undefined ? 0 : busy / (CAP * (last - first)), peak, calls }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Runs one contender in 3 processes and returns what the server saw. */
async function measureOne(contender: SharedContender, build: LibraryBuild, redisUrl: string, latencyMs: number, callsPerProcess: number, namespace: string): Promise<{ utilization: number; peak: number }> {
  const server = await startServer(latencyMs);
  try {
    const children = Array.from({ length: PROCESSES }, (_, i) => {
      const config = { contender, build, name: `p${i}`, redisUrl, url: server.url, calls: callsPerProcess, namespace, index: i, processes: PROCESSES };
      const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let errors = '';
      proc.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const ready = new Promise<void>((resolve) => proc.stdout!.on('data', (chunk: Buffer) => ((out += chunk.toString()), out.includes('"ready"') && resolve())));
      const exited = new Promise<void>((resolve, reject) =>
        proc.once('exit', (code) => (code === 0 && out.includes('"done"') ? resolve() : reject(new Error(`${contender} process ${i} exited with ${code}:\n${errors}`)))),
      );
      exited.catch(() => undefined);
      return { proc, ready, exited };
    });
    await Promise.all(children.map((c) => Promise.race([c.ready, c.exited])));
    for (const c of children) c.proc.stdin!.write('go\n');
    await Promise.all(children.map((c) => c.exited));
    const { utilization, peak, calls } = server.figures();
    if (calls !== PROCESSES * callsPerProcess) throw new Error(`${contender}: the server saw ${calls} calls of ${PROCESSES * callsPerProcess}`);
    return { utilization, peak };
  } finally {
    await server.close();
  }
}

/** Utilization and peak at the server, for one contender at one latency: the median utilization of its rounds, the highest peak. */
export interface SharedFigures {
  readonly utilization: number;
  readonly peak: number;
  /** The utilization of each round. */
  readonly rounds: readonly number[];
}

/** What the shared-cap benchmark measured, per contender and latency. */
export interface SharedResult {
  readonly processes: number;
  readonly cap: number;
  /** Calls per process at 20 ms and at 200 ms. */
  readonly callsPerProcess: { readonly at20ms: number; readonly at200ms: number };
  /** Runs of each contender at each latency. */
  readonly rounds: number;
  readonly contenders: Readonly<Partial<Record<SharedContender, { readonly at20ms: SharedFigures; readonly at200ms: SharedFigures }>>>;
}

/** The contenders, in the order they run in each round. */
export const SHARED_CONTENDERS: readonly SharedContender[] = ['bcss-bulk', 'bottleneck', 'redis-semaphore', 'bare-loops'];

/** Measures the contenders at 20 ms and 200 ms on the redis-server at `redisUrl`, `rounds` times each, interleaved. */
export async function measureShared(build: LibraryBuild, redisUrl: string, callsAt20ms: number, callsAt200ms: number, rounds = 1, only: readonly SharedContender[] = SHARED_CONTENDERS): Promise<SharedResult> {
  const runs = new Map<SharedContender, { at20ms: { utilization: number; peak: number }[]; at200ms: { utilization: number; peak: number }[] }>(only.map((c) => [c, { at20ms: [], at200ms: [] }]));
  let seq = 0;
  for (let round = 0; round < rounds; round++) {
    for (const contender of only) {
      const figures = runs.get(contender)!;
      figures.at20ms.push(await measureOne(contender, build, redisUrl, 20, callsAt20ms, `bench-${process.pid}-${++seq}`));
      figures.at200ms.push(await measureOne(contender, build, redisUrl, 200, callsAt200ms, `bench-${process.pid}-${++seq}`));
    }
  }
  const summarize = (list: { utilization: number; peak: number }[]): SharedFigures => {
    const utilizations = list.map((f) => f.utilization);
    const sorted = [...utilizations].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return { utilization: median, peak: Math.max(...list.map((f) => f.peak)), rounds: utilizations };
  };
  const contenders: Partial<Record<SharedContender, { at20ms: SharedFigures; at200ms: SharedFigures }>> = {};
  for (const [contender, figures] of runs) contenders[contender] = { at20ms: summarize(figures.at20ms), at200ms: summarize(figures.at200ms) };
  return { processes: PROCESSES, cap: CAP, callsPerProcess: { at20ms: callsAt20ms, at200ms: callsAt200ms }, rounds, contenders };
}
