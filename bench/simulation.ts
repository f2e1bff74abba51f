/**
 * Speed of the simulation: a batch of calls run by `simulateBatch` in virtual time
 * through the real engine, counted in virtual calls per second of wall-clock time. The plan
 * mixes two sources with their own caps, a log-normal latency and a few failures.
 */
import type { SimulationReport } from '../src/index.js';
import type { CapMonitor } from './cap-monitor.js';
import type { BcssBulk } from './library.js';

/** What the simulation benchmark measured. */
export interface SimulationResult {
  readonly simulatedCallsPerSecond: number;
  readonly calls: number;
  readonly wallMs: number;
  /** Virtual duration of the simulated batch, in hours. */
  readonly virtualHours: number;
  readonly peakConcurrency: Readonly<Record<string, number>>;
}

/** Simulates a batch of about `items` items (plus their retries). */
export async function measureSimulation(library: BcssBulk, items: number, monitor: CapMonitor): Promise<SimulationResult> {
  const report: SimulationReport = await library.simulateBatch({
    sources: { rn: { kind: 'rn', items: Math.round(items * 0.6) }, sigedis: { kind: 'authentic', items: items - Math.round(items * 0.6) } },
    latency: { kind: 'lognormal', medianMs: 150, sigma: 0.4 },
    errors: { reject: 0.005, transient: 0.01, retryAfter: 0.002 },
    start: new Date('2026-11-23T19:00:00Z'),
    seed: 8,
  });
  const peakConcurrency: Record<string, number> = {};
  for (const [name, source] of Object.entries(report.sources)) {
    monitor.add(source.callsOverCap);
    peakConcurrency[name] = source.peakConcurrency;
  }
  return {
    simulatedCallsPerSecond: report.calls / (report.wallMs / 1000),
    calls: report.calls,
    wallMs: report.wallMs,
    virtualHours: report.durationMs / 3_600_000,
    peakConcurrency,
  };
}
