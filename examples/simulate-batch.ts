/**
 * When would this batch finish? A million national numbers, 60 % for the National Register
 * (cap 4) and 40 % for Sigedis (cap 2), simulated in virtual time through the real engine, in a
 * few seconds.
 *
 * Run it: npx tsx examples/simulate-batch.ts
 */
import { simulateBatch } from 'bcss-bulk';

const report = await simulateBatch({
  sources: {
    rn: { kind: 'rn', items: 600_000 },
    sigedis: { kind: 'authentic', items: 400_000 },
  },
  latency: { kind: 'lognormal', medianMs: 150, sigma: 0.4 },
  errors: { reject: 0.005, transient: 0.01, retryAfter: 0.002, retryAfterSeconds: 2 },
  start: new Date('2026-11-23T19:00:00Z'), // Monday 20:00 in Brussels
  seed: 8,
});

const hours = (report.durationMs / 3_600_000).toFixed(1);
console.log(`state: ${report.state}, ${report.windows} window(s)`);
console.log(`from ${report.startedAt.toISOString()} to ${report.finishedAt.toISOString()} (${hours} h of virtual time)`);
console.log(`items ${report.items}: succeeded ${report.succeeded}, rejected ${report.rejected}, exhausted ${report.exhausted}; calls ${report.calls}, retries ${report.retries}`);
for (const [name, source] of Object.entries(report.sources)) {
  console.log(`${name}: cap ${source.cap}, peak ${source.peakConcurrency} simultaneous calls, ${source.calls} calls, ${source.callsOverCap} over the cap`);
}
console.log(`simulated in ${(report.wallMs / 1000).toFixed(1)} s of wall-clock time`);
