/**
 * The benchmark suite: runs every benchmark once with the given sizes, watching the caps in
 * all of them, and builds the summary that `npm run bench` writes to
 * `bench-results/summary.json`. Sizes are parameters so that a test can run the whole suite in
 * a second (the figures then mean nothing; the shape of the summary is what it checks).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapMonitor } from './cap-monitor.js';
import { loadLibrary, type LibraryBuild } from './library.js';
import { measureMemory, type MemoryResult } from './memory.js';
import { measureResponsiveness, type ResponsivenessResult } from './responsiveness.js';
import { measureSimulation, type SimulationResult } from './simulation.js';
import { measureStore, type StoreResult } from './store.js';
import { measureThroughput, type ThroughputResult } from './throughput.js';
import { measureUtilization, type UtilizationResult } from './utilization.js';
import { measureShared, type SharedResult } from './shared.js';
import { findRedisServer, startTestRedis } from '../test/support/redis-server.js';

/** Sizes of the benchmarks. */
export interface BenchSizes {
  /** Items of the bcss-bulk and p-limit throughput runs. */
  readonly throughputItems: number;
  /** Items of the bottleneck runs. */
  readonly bottleneckItems: number;
  /** Timed repetitions of each throughput run (the median counts). */
  readonly repeats: number;
  /** Calls of the utilization run, and the server's latency L. */
  readonly utilizationCalls: number;
  readonly latencyMs: number;
  /** Items of the small and the large memory run. */
  readonly memoryItems: readonly [number, number];
  /** Items of the simulated batch. */
  readonly simulationItems: number;
  /** Items of each FileStore run (with and without the seal). */
  readonly storeItems: number;
  /** Calls per process of the shared-cap runs (3 processes, one redis-server) at 20 ms and at 200 ms. */
  readonly sharedCalls: readonly [number, number];
  /** Runs of each shared-cap contender at each latency (the median counts). */
  readonly sharedRounds: number;
}

/** The sizes `npm run bench` uses. */
export const FULL_SIZES: BenchSizes = {
  throughputItems: 1_000_000,
  bottleneckItems: 3_000,
  repeats: 3,
  utilizationCalls: 4_000,
  latencyMs: 20,
  memoryItems: [100_000, 1_000_000],
  simulationItems: 1_000_000,
  storeItems: 20_000,
  sharedCalls: [1_000, 100],
  sharedRounds: 3,
};

/** The targets of issue 8, by field of the summary. */
export const TARGETS = {
  overheadVsPLimit: { min: 0.5 },
  speedupVsBottleneck: { min: 50 },
  utilization: { min: 0.97 },
  memoryGrowth: { max: 1.25 },
  capViolations: { max: 0 },
  sharedUtilization20ms: { min: 0.95 },
  sharedUtilization200ms: { min: 0.95 },
  sharedPeak: { max: 4 },
} as const;

/** What `npm run bench` writes to `bench-results/summary.json`. */
export interface BenchSummary {
  /** bcss-bulk items/s ÷ bare p-limit items/s (cap 4, calls resolving at once). */
  readonly overheadVsPLimit: number;
  /** bcss-bulk items/s ÷ bottleneck items/s (maxConcurrent 4, local mode). */
  readonly speedupVsBottleneck: number;
  /** Calls/s against a loopback server of latency L ÷ (cap ÷ L). */
  readonly utilization: number;
  /** Peak RSS of a run of the large size ÷ that of the small size. */
  readonly memoryGrowth: number;
  /** Virtual calls per wall-clock second of `simulateBatch`. */
  readonly simulatedCallsPerSecond: number;
  /** Calls that started while their source's cap was reached, over all the runs. */
  readonly capViolations: number;
  /** Shared mode, 3 processes, cap 4, one redis-server, L = 20 ms: mean requests executing at the server ÷ 4 (null without redis-server). */
  readonly sharedUtilization20ms: number | null;
  /** The same at L = 200 ms. */
  readonly sharedUtilization200ms: number | null;
  /** Shared mode: most requests executing at the server at once, over both latencies (the cap is 4). */
  readonly sharedPeak: number | null;
  /** The ceiling of the shared-cap runs: plain loops with no limiter and no Redis, at 20 ms and at 200 ms (null without redis-server). */
  readonly sharedBareLoops20ms: number | null;
  readonly sharedBareLoops200ms: number | null;
  readonly machine: { readonly node: string; readonly cpu: string; readonly cpus: number; readonly loadAverageAtStart: number; readonly loadAverageAtEnd: number };
  readonly targets: typeof TARGETS;
  readonly measured: {
    readonly throughput: ThroughputResult;
    readonly utilization: UtilizationResult;
    readonly memory: MemoryResult;
    readonly simulation: SimulationResult;
    /** The FileStore's group commit, with and without the seal. */
    readonly store: StoreResult;
    /** A run whose calls resolve without I/O, with a real 10 ms interval alongside: items/s, and how late the interval was (the run's yield budget). */
    readonly responsiveness: ResponsivenessResult;
    /** The shared cap side by side: bcss-bulk's shared mode, bottleneck's Redis clustering, redis-semaphore (null without redis-server). */
    readonly shared: SharedResult | null;
  };
  readonly sizes: BenchSizes;
  /** The build of bcss-bulk measured: `dist` (as published) or `src` (through tsx). */
  readonly library: LibraryBuild;
  /** ISO 8601 instant the suite finished. */
  readonly finishedAt: string;
  readonly wallSeconds: number;
}

/** Runs every benchmark on a build of the library and returns the summary. `log` receives a line as each one starts. */
export async function runBenchmarks(sizes: BenchSizes, build: LibraryBuild, log: (line: string) => void = () => undefined): Promise<BenchSummary> {
  const library = await loadLibrary(build);
  const started = performance.now();
  const loadAverageAtStart = loadavg()[0]!;
  const monitor = new CapMonitor();
  log(`throughput: bcss-bulk and p-limit over ${sizes.throughputItems} items, bottleneck over ${sizes.bottleneckItems}, ${sizes.repeats} times each`);
  const throughput = await measureThroughput(library, { items: sizes.throughputItems, bottleneckItems: sizes.bottleneckItems, repeats: sizes.repeats }, monitor);
  log(`utilization: ${sizes.utilizationCalls} calls against a loopback server of latency ${sizes.latencyMs} ms`);
  const utilization = await measureUtilization(library, sizes.utilizationCalls, sizes.latencyMs, monitor);
  log(`memory: peak RSS of ${sizes.memoryItems[1]} items vs ${sizes.memoryItems[0]} (and ${2 * sizes.memoryItems[1]}), each in its own process`);
  const memory = await measureMemory(build, sizes.memoryItems[0], sizes.memoryItems[1]);
  log(`simulation: a batch of ${sizes.simulationItems} items in virtual time`);
  const simulation = await measureSimulation(library, sizes.simulationItems, monitor);
  log(`store: a run of ${sizes.storeItems} items on a FileStore in ${tmpdir()}, with and without the seal, ${sizes.repeats} times each`);
  const store = await measureStore(library, sizes.storeItems, sizes.repeats, monitor);
  log(`responsiveness: a run of ${sizes.throughputItems} items whose calls resolve without I/O, with a real 10 ms interval alongside, ${sizes.repeats} times`);
  const responsiveness = await measureResponsiveness(library, sizes.throughputItems, sizes.repeats, monitor);
  const shared = await sharedBench(build, sizes, log);
  const ours = shared?.contenders['bcss-bulk'];
  const cpu = cpus();
  return {
    overheadVsPLimit: throughput.bcssBulkItemsPerSecond / throughput.pLimitItemsPerSecond,
    speedupVsBottleneck: throughput.bcssBulkItemsPerSecond / throughput.bottleneckItemsPerSecond,
    utilization: utilization.utilization,
    memoryGrowth: memory.memoryGrowth,
    simulatedCallsPerSecond: simulation.simulatedCallsPerSecond,
    capViolations: monitor.violations,
    sharedUtilization20ms: ours?.at20ms.utilization ?? null,
    sharedUtilization200ms: ours?.at200ms.utilization ?? null,
    sharedPeak: ours === undefined ? null : Math.max(ours.at20ms.peak, ours.at200ms.peak),
    sharedBareLoops20ms: shared?.contenders['bare-loops']?.at20ms.utilization ?? null,
    sharedBareLoops200ms: shared?.contenders['bare-loops']?.at200ms.utilization ?? null,
    machine: { node: process.version, cpu: cpu[0]?.model ?? 'unknown', cpus: cpu.length, loadAverageAtStart, loadAverageAtEnd: loadavg()[0]! },
    targets: TARGETS,
    measured: { throughput, utilization, memory, simulation, store, responsiveness, shared },
    sizes,
    library: build,
    finishedAt: new Date().toISOString(),
    wallSeconds: (performance.now() - started) / 1000,
  };
}

/** The shared-cap runs on a throw-away redis-server, or null (and a line saying so) when redis-server is not installed. */
async function sharedBench(build: LibraryBuild, sizes: BenchSizes, log: (line: string) => void): Promise<SharedResult | null> {
  const binary = findRedisServer();
  if (binary === undefined) {
    log('shared: SKIPPED, redis-server is not installed (not on PATH)');
    return null;
  }
  log(`shared: 3 processes, cap 4, one redis-server: bcss-bulk, bottleneck (Redis clustering), redis-semaphore, and plain loops as the ceiling; ${sizes.sharedCalls[0]} calls each at 20 ms, ${sizes.sharedCalls[1]} at 200 ms; ${sizes.sharedRounds} round(s), interleaved`);
  const redis = await startTestRedis(binary);
  try {
    return await measureShared(build, redis.url, sizes.sharedCalls[0], sizes.sharedCalls[1], sizes.sharedRounds);
  } finally {
    await redis.close();
  }
}

/** Whether a figure meets its target. */
function verdict(field: keyof typeof TARGETS, value: number | null): string {
  if (value === null) return 'not measured';
  const target: { min?: number; max?: number } = TARGETS[field];
  const met = (target.min === undefined || value >= target.min) && (target.max === undefined || value <= target.max);
  return met ? 'met' : 'MISSED';
}

const number = (value: number, digits = 2) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const optional = (value: number | null, digits = 2) => (value === null ? '—' : number(value, digits));

/** The shared-cap contenders side by side, one line. */
function sharedLine(shared: SharedResult | null): string {
  if (shared === null) return 'shared: not measured (redis-server is not installed)';
  const figures = Object.entries(shared.contenders).map(
    ([name, f]) => `${name} ${number(f.at20ms.utilization, 3)} / ${number(f.at200ms.utilization, 3)} (peak ${Math.max(f.at20ms.peak, f.at200ms.peak)})`,
  );
  return `shared: utilization at the server at 20 ms / 200 ms, ${shared.processes} processes, cap ${shared.cap}, medians of ${shared.rounds}: ${figures.join('; ')}`;
}

/** The summary as a table for the terminal. */
export function formatSummary(summary: BenchSummary): string {
  const { throughput, utilization, memory, simulation, store, responsiveness } = summary.measured;
  const mb = (bytes: number) => `${number(bytes / 1_048_576, 1)} MB`;
  const rows: Array<[string, string, string, string]> = [
    ['overheadVsPLimit', number(summary.overheadVsPLimit), '≥ 0.5', verdict('overheadVsPLimit', summary.overheadVsPLimit)],
    ['speedupVsBottleneck', number(summary.speedupVsBottleneck, 0), '≥ 50', verdict('speedupVsBottleneck', summary.speedupVsBottleneck)],
    ['utilization', number(summary.utilization, 3), '≥ 0.97', verdict('utilization', summary.utilization)],
    ['memoryGrowth', number(summary.memoryGrowth, 3), '≤ 1.25', verdict('memoryGrowth', summary.memoryGrowth)],
    ['simulatedCallsPerSecond', number(summary.simulatedCallsPerSecond, 0), '', ''],
    ['capViolations', String(summary.capViolations), '= 0', verdict('capViolations', summary.capViolations)],
    ['sharedUtilization20ms', optional(summary.sharedUtilization20ms, 3), '≥ 0.95', verdict('sharedUtilization20ms', summary.sharedUtilization20ms)],
    ['sharedUtilization200ms', optional(summary.sharedUtilization200ms, 3), '≥ 0.95', verdict('sharedUtilization200ms', summary.sharedUtilization200ms)],
    ['sharedPeak', optional(summary.sharedPeak, 0), '= 4', verdict('sharedPeak', summary.sharedPeak)],
    ['sharedBareLoops20ms', optional(summary.sharedBareLoops20ms, 3), '', 'the ceiling: no limiter'],
    ['sharedBareLoops200ms', optional(summary.sharedBareLoops200ms, 3), '', 'the ceiling: no limiter'],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length), ['figure', 'value', 'target'][i]!.length));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i] ?? 0))).join('  ');
  return [
    line(['figure', 'value', 'target', '']),
    ...rows.map(line),
    '',
    `bcss-bulk ${number(throughput.bcssBulkItemsPerSecond, 0)} items/s, p-limit ${number(throughput.pLimitItemsPerSecond, 0)} items/s (${throughput.items} items), bottleneck ${number(throughput.bottleneckItemsPerSecond, 0)} items/s (${throughput.bottleneckItems} items); medians of ${throughput.repeats}`,
    `  per CPU second: bcss-bulk ${number(throughput.perCpuSecond.bcssBulk, 0)}, p-limit ${number(throughput.perCpuSecond.pLimit, 0)} (ratio ${number(throughput.perCpuSecond.bcssBulk / throughput.perCpuSecond.pLimit)}), bottleneck ${number(throughput.perCpuSecond.bottleneck, 0)}`,
    `utilization: ${number(utilization.callsPerSecond, 1)} calls/s of a ceiling of ${number(utilization.ceilingCallsPerSecond, 1)} (cap 4, L = ${utilization.latencyMs} ms, ${utilization.calls} calls); the server's mean latency was ${number(utilization.serverMeanLatencyMs, 2)} ms, of which the run used ${number(utilization.utilizationOfServerLatency, 3)}; four plain loops without bcss-bulk reached ${number(utilization.bareLoopsUtilization, 3)}`,
    `memory: peak RSS ${mb(memory.smallPeakRssBytes)} for ${memory.smallItems} items, ${mb(memory.largePeakRssBytes)} for ${memory.largeItems}, ${mb(memory.doublePeakRssBytes)} for ${2 * memory.largeItems}`,
    `store: ${number(store.sealedItemsPerSecond, 0)} items/s with the seal, ${number(store.unsealedItemsPerSecond, 0)} without (ratio ${number(store.sealRatio, 3)}; fsyncs per item ${number(store.syncsPerItem.sealed, 3)} vs ${number(store.syncsPerItem.unsealed, 3)}; ${store.items} items, medians of ${store.repeats})`,
    `simulation: ${simulation.calls} calls (${number(simulation.virtualHours, 1)} h of virtual time) in ${number(simulation.wallMs / 1000, 1)} s`,
    `responsiveness: ${number(responsiveness.itemsPerSecond, 0)} items/s with calls resolving without I/O; a 10 ms interval ticked ${responsiveness.ticks} times of ${responsiveness.expectedTicks} due, at most ${number(responsiveness.longestGapMs, 1)} ms apart (${responsiveness.items} items, medians of ${responsiveness.repeats})`,
    sharedLine(summary.measured.shared),
    `library: ${summary.library === 'dist' ? 'dist/ (as published)' : 'src/ through tsx'}`,
    `machine: Node ${summary.machine.node}, ${summary.machine.cpu} × ${summary.machine.cpus}, load average ${number(summary.machine.loadAverageAtStart)} → ${number(summary.machine.loadAverageAtEnd)}`,
  ].join('\n');
}

/** Writes the summary to `dir/summary.json`, creating the directory; returns the file's path. */
export async function writeSummary(summary: BenchSummary, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'summary.json');
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}
