/**
 * Memory against input size: the peak resident set of a process running 1,000,000 items
 * through bcss-bulk, divided by that of a process running 100,000 (streamed input, default
 * store). Flat memory gives a ratio near 1; a run that kept something per item would not.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LibraryBuild } from './library.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./memory-child.ts', import.meta.url));

/** Peak RSS (bytes) of a fresh process running `items` items. */
export async function peakRss(items: number, build: LibraryBuild): Promise<number> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, String(items), build], { timeout: 600_000 });
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as { items: number; peakRssBytes: number };
  if (result.items !== items) throw new Error(`memory child finished ${result.items} of ${items} items`);
  return result.peakRssBytes;
}

/** What the memory benchmark measured. */
export interface MemoryResult {
  readonly memoryGrowth: number;
  readonly smallItems: number;
  readonly largeItems: number;
  readonly smallPeakRssBytes: number;
  readonly largePeakRssBytes: number;
  /** Peak RSS of a run twice the large size, to tell memory kept per item (it would keep growing) from the garbage collector's warm-up (it levels off). */
  readonly doublePeakRssBytes: number;
  /** Peak RSS of twice the large size ÷ that of the large size. */
  readonly growthBeyondLarge: number;
}

/** Peak RSS of the large run ÷ that of the small run, each in its own process (and a run of twice the large size). */
export async function measureMemory(build: LibraryBuild, smallItems: number, largeItems: number): Promise<MemoryResult> {
  const smallPeakRssBytes = await peakRss(smallItems, build);
  const largePeakRssBytes = await peakRss(largeItems, build);
  const doublePeakRssBytes = await peakRss(2 * largeItems, build);
  return {
    memoryGrowth: largePeakRssBytes / smallPeakRssBytes,
    smallItems,
    largeItems,
    smallPeakRssBytes,
    largePeakRssBytes,
    doublePeakRssBytes,
    growthBeyondLarge: doublePeakRssBytes / largePeakRssBytes,
  };
}
