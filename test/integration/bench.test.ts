import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CapMonitor } from '../../bench/cap-monitor.js';
import { formatSummary, runBenchmarks, writeSummary, type BenchSizes } from '../../bench/suite.js';
import { median } from '../../bench/throughput.js';

// The whole suite at toy sizes, so `npm run bench` cannot rot. Its figures are not checked: timings stay out of npm test.
const TINY: BenchSizes = {
  throughputItems: 2_000,
  bottleneckItems: 20,
  repeats: 1,
  utilizationCalls: 40,
  latencyMs: 5,
  memoryItems: [1_000, 5_000],
  simulationItems: 2_000,
  storeItems: 300,
  sharedCalls: [12, 4],
  sharedRounds: 1,
};

describe('benchmark suite', () => {
  it('produces a well-formed summary, writes it, and prints a table', async () => {
    const lines: string[] = [];
    const summary = await runBenchmarks(TINY, 'src', (line) => lines.push(line));

    for (const field of ['overheadVsPLimit', 'speedupVsBottleneck', 'utilization', 'memoryGrowth', 'simulatedCallsPerSecond'] as const) {
      expect(Number.isFinite(summary[field]) && summary[field] > 0, field).toBe(true);
    }
    expect(summary.capViolations).toBe(0);
    expect(summary.library).toBe('src');
    expect(summary.machine.node).toBe(process.version);
    expect(summary.machine.cpus).toBeGreaterThan(0);
    expect(summary.machine.cpu.length).toBeGreaterThan(0);
    expect(summary.measured.utilization.peakConcurrency).toBe(4);
    expect(summary.measured.simulation.peakConcurrency).toEqual({ rn: 4, sigedis: 2 });
    expect(summary.measured.simulation.calls).toBeGreaterThanOrEqual(TINY.simulationItems);
    expect(summary.measured.memory.smallPeakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(summary.measured.store.sealedItemsPerSecond).toBeGreaterThan(0);
    expect(summary.measured.store.syncsPerItem.sealed).toBeGreaterThan(summary.measured.store.syncsPerItem.unsealed); // the seal is written
    // The run gives the event loop a turn: a real interval ticks during a run whose calls never wait for I/O.
    expect(summary.measured.responsiveness.itemsPerSecond).toBeGreaterThan(0);
    expect(summary.measured.responsiveness.longestGapMs).toBeGreaterThan(0);
    expect(lines).toHaveLength(7);
    // The shared cap side by side (redis-server is installed wherever the shared-mode tests run): the cap holds at the server for each contender.
    if (summary.measured.shared !== null) {
      for (const contender of Object.values(summary.measured.shared.contenders)) for (const figures of [contender.at20ms, contender.at200ms]) expect(figures.peak).toBeLessThanOrEqual(4);
      expect(summary.sharedPeak).toBeLessThanOrEqual(4);
      expect(summary.sharedUtilization20ms).toBeGreaterThan(0);
      expect(summary.sharedUtilization200ms).toBeGreaterThan(0);
    }

    const dir = await mkdtemp(join(tmpdir(), 'bcss-bench-'));
    try {
      const file = await writeSummary(summary, join(dir, 'bench-results'));
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(summary)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const table = formatSummary(summary);
    for (const field of ['overheadVsPLimit', 'speedupVsBottleneck', 'utilization', 'memoryGrowth', 'simulatedCallsPerSecond', 'capViolations', 'sharedUtilization20ms', 'sharedPeak']) {
      expect(table).toContain(field);
    }
  }, 180_000); // the shared-cap runs start 18 processes

  it('counts a call that starts while its source is at its cap', async () => {
    const monitor = new CapMonitor();
    const release: Array<() => void> = [];
    const call = monitor.wrap('rn', 2, () => new Promise<void>((resolve) => release.push(resolve)));
    const calls = [call(), call()];
    expect(monitor.violations).toBe(0);
    calls.push(call());
    expect(monitor.violations).toBe(1);
    expect(monitor.peak('rn')).toBe(3);
    for (const done of release.splice(0)) done();
    await Promise.all(calls);
    const after = call(); // the slots are free again
    release.splice(0).forEach((done) => done());
    await after;
    expect(monitor.violations).toBe(1);
  });

  it('takes the median of the repetitions', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
