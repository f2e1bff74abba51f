/**
 * What the run's yield budget costs and buys: a full run (cap 4, default options, the default
 * MemoryStore) over items whose calls resolve at once, without any I/O, while a real 10 ms
 * interval counts its ticks. Without yielding, such a run is one unbroken chain of promise
 * callbacks: the interval (like a heartbeat, or a timer that calls `stop()`) never runs until
 * the run ends. With the budget, the run gives the event loop a turn every few milliseconds; the
 * figures say at what cost in items per second, and how late a timer may be (the longest gap
 * between two ticks).
 */
import type { CapMonitor } from './cap-monitor.js';
import { NOT_ANNOUNCED_BENCH, NOT_THE_BCSS, type BcssBulk } from './library.js';
import { items, median } from './throughput.js';

const CAP = 4;
const TICK_MS = 10;

/** One run's figures. */
interface Sample {
  readonly itemsPerSecond: number;
  readonly ticks: number;
  readonly longestGapMs: number;
  readonly wallMs: number;
}

/** The figures of the responsiveness benchmark (medians over the repeats). */
export interface ResponsivenessResult {
  /** Items per second of the run with calls that resolve at once (no I/O at all). */
  readonly itemsPerSecond: number;
  /** Ticks of a real 10 ms interval during the run. */
  readonly ticks: number;
  /** Ticks expected from the run's wall-clock time (wall ÷ 10 ms). */
  readonly expectedTicks: number;
  /** Longest real time between two ticks (or from the start to the first, or from the last to the end), in ms. */
  readonly longestGapMs: number;
  readonly items: number;
  readonly repeats: number;
}

async function sample(library: BcssBulk, count: number, monitor: CapMonitor): Promise<Sample> {
  const call = monitor.wrap('rn', CAP, (item: number) => Promise.resolve(item));
  const run = library.createRun({ input: items(count), source: 'rn', sources: { rn: { kind: 'rn' } }, calendar: NOT_THE_BCSS, announcement: NOT_ANNOUNCED_BENCH, call });
  let ticks = 0;
  const started = performance.now();
  let last = started;
  let longestGapMs = 0;
  const interval = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
    ticks++;
  }, TICK_MS);
  try {
    const summary = await run.start();
    if (summary.totals.succeeded !== count) throw new Error(`bcss-bulk finished ${summary.totals.succeeded} of ${count} items`);
  } finally {
    clearInterval(interval);
  }
  const ended = performance.now();
  longestGapMs = Math.max(longestGapMs, ended - last);
  return { itemsPerSecond: (count / (ended - started)) * 1000, ticks, longestGapMs, wallMs: ended - started };
}

/** Runs `repeats` timed runs of `count` items after a warm-up, and keeps the medians. */
export async function measureResponsiveness(library: BcssBulk, count: number, repeats: number, monitor: CapMonitor): Promise<ResponsivenessResult> {
  await sample(library, Math.min(count, 20_000), monitor);
  const samples: Sample[] = [];
  for (let i = 0; i < repeats; i++) samples.push(await sample(library, count, monitor));
  return {
    itemsPerSecond: median(samples.map((s) => s.itemsPerSecond)),
    ticks: median(samples.map((s) => s.ticks)),
    expectedTicks: median(samples.map((s) => Math.floor(s.wallMs / TICK_MS))),
    longestGapMs: median(samples.map((s) => s.longestGapMs)),
    items: count,
    repeats,
  };
}
