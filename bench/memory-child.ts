/**
 * Child process of the memory benchmark: runs `count` items (argv[2]) from a generator through
 * bcss-bulk (loaded from argv[3], `dist` or `src`) (cap 4, default MemoryStore, calls resolving at once) and prints its peak RSS.
 * Run in a fresh process so that one run's peak does not hide the other's.
 */
import { loadLibrary, NOT_ANNOUNCED_BENCH, NOT_THE_BCSS, type LibraryBuild } from './library.js';

const count = Number(process.argv[2]);
const { createRun } = await loadLibrary(process.argv[3] as LibraryBuild);
function* persons(): Generator<{ id: number; ssin: string; payload: string }> {
  for (let i = 0; i < count; i++) yield { id: i, ssin: String(85_073_000_000 + i).padStart(11, '0'), payload: 'x'.repeat(64) };
}

const run = createRun({ input: persons(), source: 'rn', sources: { rn: { kind: 'rn' } }, calendar: NOT_THE_BCSS, announcement: NOT_ANNOUNCED_BENCH, call: (person) => Promise.resolve(person.id) });
const summary = await run.start();
// maxRSS is in kilobytes.
process.stdout.write(`${JSON.stringify({ items: summary.totals.succeeded, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
