/**
 * Throughput of the machinery itself: calls that resolve at once, so what is measured is the
 * cost of reading, limiting, dispatching and recording. bcss-bulk (a full run: cap 4, default
 * options, the default MemoryStore) against bare p-limit and bottleneck with concurrency 4,
 * each fed lazily from the same generator with a bounded window of pending items (64, the
 * run's default prefetch), so none of them gets to hold the whole input in memory.
 */
import Bottleneck from 'bottleneck';
import pLimit from 'p-limit';
import type { CapMonitor } from './cap-monitor.js';
import { NOT_ANNOUNCED_BENCH, NOT_THE_BCSS, type BcssBulk } from './library.js';

const CAP = 4;
const WINDOW = 64;

/** The input of every contender: numbered items from a generator. */
export function* items(count: number): Generator<number> {
  for (let i = 0; i < count; i++) yield i;
}

/** Items per second of a function that processes `count` items: per second of wall-clock time, and per second of CPU time of the process. */
async function itemsPerSecond(count: number, work: (count: number) => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await work(count);
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: (count / (performance.now() - started)) * 1000, cpu: count / ((cpu.user + cpu.system) / 1e6) };
}

/** A full bcss-bulk run over `count` items whose calls resolve at once. */
export function bcssBulk(library: BcssBulk, monitor: CapMonitor): (count: number) => Promise<void> {
  const call = monitor.wrap('rn', CAP, (item: number) => Promise.resolve(item));
  return async (count) => {
    const run = library.createRun({ input: items(count), source: 'rn', sources: { rn: { kind: 'rn' } }, calendar: NOT_THE_BCSS, announcement: NOT_ANNOUNCED_BENCH, call });
    const summary = await run.start();
    if (summary.totals.succeeded !== count) throw new Error(`bcss-bulk finished ${summary.totals.succeeded} of ${count} items`);
  };
}

/** Feeds a limiter lazily: at most WINDOW items handed over and not finished. */
async function feed(count: number, submit: (item: number) => Promise<unknown>): Promise<void> {
  let pending = 0;
  let done = 0;
  let wake: (() => void) | undefined;
  const finished = () => {
    pending--;
    done++;
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  for (const item of items(count)) {
    if (pending >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
    pending++;
    submit(item).then(finished, (error: unknown) => {
      throw error;
    });
  }
  while (done < count) await new Promise<void>((resolve) => (wake = resolve));
}

/** Bare p-limit, concurrency 4. */
export function bareLimit(monitor: CapMonitor): (count: number) => Promise<void> {
  const call = monitor.wrap('p-limit', CAP, (item: number) => Promise.resolve(item));
  return (count) => {
    const limit = pLimit(CAP);
    return feed(count, (item) => limit(() => call(item)));
  };
}

/** bottleneck in local mode, maxConcurrent 4. */
export function bottleneck(monitor: CapMonitor): (count: number) => Promise<void> {
  const call = monitor.wrap('bottleneck', CAP, (item: number) => Promise.resolve(item));
  return async (count) => {
    const limiter = new Bottleneck({ maxConcurrent: CAP });
    await feed(count, (item) => limiter.schedule(() => call(item)));
    await limiter.disconnect();
  };
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Sizes of the throughput benchmark. */
export interface ThroughputSizes {
  /** Items of the bcss-bulk and p-limit runs. */
  readonly items: number;
  /** Items of the bottleneck runs (it is much slower; items per second stay comparable). */
  readonly bottleneckItems: number;
  /** Timed repetitions of each contender; the median counts. */
  readonly repeats: number;
}

/** Items per second of each contender (medians). */
export interface ThroughputResult {
  readonly bcssBulkItemsPerSecond: number;
  readonly pLimitItemsPerSecond: number;
  readonly bottleneckItemsPerSecond: number;
  /**
   * The same per second of CPU time of the process (garbage collector threads included): less
   * sensitive than wall-clock time to other processes on a busy machine. Given for context; the
   * figures of the summary use wall-clock time.
   */
  readonly perCpuSecond: { readonly bcssBulk: number; readonly pLimit: number; readonly bottleneck: number };
  readonly items: number;
  readonly bottleneckItems: number;
  readonly repeats: number;
}

/** Runs the contenders in turn, `repeats` times each after a warm-up, and keeps the medians. */
export async function measureThroughput(library: BcssBulk, sizes: ThroughputSizes, monitor: CapMonitor): Promise<ThroughputResult> {
  const contenders = { bcss: bcssBulk(library, monitor), pLimit: bareLimit(monitor), bottleneck: bottleneck(monitor) };
  const warmUp = Math.min(sizes.items, 20_000);
  await contenders.bcss(warmUp);
  await contenders.pLimit(warmUp);
  await contenders.bottleneck(Math.min(sizes.bottleneckItems, 2_000));
  const runs = { bcss: [] as Array<{ wall: number; cpu: number }>, pLimit: [] as Array<{ wall: number; cpu: number }>, bottleneck: [] as Array<{ wall: number; cpu: number }> };
  for (let i = 0; i < sizes.repeats; i++) {
    runs.bcss.push(await itemsPerSecond(sizes.items, contenders.bcss));
    runs.pLimit.push(await itemsPerSecond(sizes.items, contenders.pLimit));
    runs.bottleneck.push(await itemsPerSecond(sizes.bottleneckItems, contenders.bottleneck));
  }
  const wall = (results: ReadonlyArray<{ wall: number }>) => median(results.map((r) => r.wall));
  const cpu = (results: ReadonlyArray<{ cpu: number }>) => median(results.map((r) => r.cpu));
  return {
    bcssBulkItemsPerSecond: wall(runs.bcss),
    pLimitItemsPerSecond: wall(runs.pLimit),
    bottleneckItemsPerSecond: wall(runs.bottleneck),
    perCpuSecond: { bcssBulk: cpu(runs.bcss), pLimit: cpu(runs.pLimit), bottleneck: cpu(runs.bottleneck) },
    items: sizes.items,
    bottleneckItems: sizes.bottleneckItems,
    repeats: sizes.repeats,
  };
}
