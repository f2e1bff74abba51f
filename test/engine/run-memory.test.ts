import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRun } from '../../src/index.js';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('memory', () => {
  it('processes a 1,000,000-item generator with flat memory', async () => {
    const count = 1_000_000;
    function* persons() {
      for (let i = 0; i < count; i++) yield { id: i, ssin: String(85_073_000_000 + i).padStart(11, '0'), payload: 'x'.repeat(64) };
    }
    let sum = 0;
    let maxBuffered = 0;
    const heap: number[] = [];
    const run = createRun({
      announcement: TEST_ANNOUNCEMENT,
      input: persons(),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: (person) => person.id,
      // On the system clock, so that the test passes at any hour: no BCSS is called here.
      calendar: { enforce: false, override: { reason: 'memory test: a synchronous in-process call, not the BCSS' } },
      onSuccess: (_person, id: number) => {
        sum += id;
        if (id % 100_000 === 0) {
          collectGarbage();
          heap.push(process.memoryUsage().heapUsed);
          const totals = run.status().totals;
          maxBuffered = Math.max(maxBuffered, totals.queued + totals.inFlight + totals.retrying);
        }
      },
    });
    const summary = await run.start();

    expect(summary.totals.succeeded).toBe(count);
    expect(sum).toBe((count * (count - 1)) / 2);
    // Items held at once: the prefetch (64) plus the cap (4), whatever the input's length.
    expect(maxBuffered).toBeLessThanOrEqual(64 + 4);
    // Live heap (after a full GC) once warm vs. the largest seen later: a leak of 16 bytes per item would add 14 MB.
    const warm = heap[1]!;
    const peak = Math.max(...heap.slice(1));
    expect(peak - warm).toBeLessThan(8 * 1024 * 1024);
  });
});
