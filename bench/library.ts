/**
 * Which build of bcss-bulk the benchmarks measure. `npm run bench` measures `dist/`, the
 * package as published (built by tsup, as p-limit and bottleneck are measured as published);
 * the test of the suite measures `src/` through tsx, which needs no build. The two differ:
 * tsx wraps every function it creates in a naming helper, which cost a run roughly 30 % of its
 * items per CPU second when this was written.
 */
import type * as Library from '../src/index.js';

/** The bcss-bulk API the benchmarks use. */
export type BcssBulk = typeof Library;

/** Where the library is loaded from. */
export type LibraryBuild = 'dist' | 'src';

/** Loads the library from `dist/` (run `npm run build` first) or from `src/`. */
export async function loadLibrary(build: LibraryBuild): Promise<BcssBulk> {
  if (build === 'src') return import('../src/index.js');
  const dist = new URL('../dist/index.js', import.meta.url).href;
  return (await import(dist)) as BcssBulk;
}

/**
 * The calendar option of the benchmark runs: they call in-process or loopback services, not the
 * BCSS, so they run at any hour. The office-hours guard is still evaluated at every dispatch.
 */
export const NOT_THE_BCSS = { enforce: false, override: { reason: 'benchmark against an in-process or loopback service, not the BCSS' } } as const;

/** The announcement option of the benchmark runs: an override, since they call no BCSS service. */
export const NOT_ANNOUNCED_BENCH = { override: { reason: 'benchmark against an in-process or loopback service, not a mass call' } } as const;
