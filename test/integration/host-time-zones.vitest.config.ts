/**
 * Vitest configuration of the child runs of test/host-time-zones.test.ts: the calendar and
 * office-hours tests only, with a JSON report written where the parent asks (not over the
 * main run's report).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/calendar/calendar.test.ts', 'test/engine/run-office-hours.test.ts'],
    testTimeout: 60_000,
    reporters: [['json', { outputFile: process.env.BCSS_TZ_REPORT ?? '.tmp/host-tz-report.json' }]],
  },
});
