/**
 * Cost of the seal of the FileStore: a full run (cap 4, calls that resolve at once) over a real
 * run directory in the system's temp directory, so what is measured is the store's group commit
 * (append, fsync, and the seal written in place and fsynced in parallel). The same run without
 * the seal's writes (its file operations made no-ops through the store's FileSystem seam) is
 * the "before". Items per second of each, medians over the repeats.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CapMonitor } from './cap-monitor.js';
import { NOT_ANNOUNCED_BENCH, NOT_THE_BCSS, type BcssBulk } from './library.js';
import { items, median } from './throughput.js';

/** What the store benchmark measured. */
export interface StoreResult {
  /** Items per second with the seal (as shipped). */
  readonly sealedItemsPerSecond: number;
  /** Items per second with the seal's writes made no-ops (the store as before the seal). */
  readonly unsealedItemsPerSecond: number;
  /** sealed ÷ unsealed: 1 means the seal costs nothing. */
  readonly sealRatio: number;
  /** fsyncs per item with the seal, and without. */
  readonly syncsPerItem: { readonly sealed: number; readonly unsealed: number };
  readonly items: number;
  readonly repeats: number;
}

/** One run over a fresh run directory; resolves with items/s and the fsyncs made. */
async function once(library: BcssBulk, count: number, sealed: boolean, monitor: CapMonitor): Promise<{ rate: number; syncs: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bcss-bench-store-'));
  let syncs = 0;
  const base = library.nodeFileSystem;
  const fs: typeof base = {
    ...base,
    openAppend: async (file, mode, exclusive) => {
      const handle = await base.openAppend(file, mode, exclusive);
      return { ...handle, sync: () => (syncs++, handle.sync()) };
    },
    openForUpdate: async (file) => {
      const handle = await base.openForUpdate(file);
      if (!sealed) return { writeAt: () => Promise.resolve(), sync: () => Promise.resolve(), close: () => handle.close() };
      return { ...handle, sync: () => (syncs++, handle.sync()) };
    },
  };
  try {
    const store = await library.FileStore.open(dir, { fs });
    const call = monitor.wrap('rn', 4, (item: number) => Promise.resolve(item));
    const started = performance.now();
    const summary = await library.createRun({ input: items(count), source: 'rn', sources: { rn: { kind: 'rn' } }, calendar: NOT_THE_BCSS, announcement: NOT_ANNOUNCED_BENCH, call, store }).start();
    const rate = (count / (performance.now() - started)) * 1000;
    await store.close();
    if (summary.totals.succeeded !== count) throw new Error(`the store run finished ${summary.totals.succeeded} of ${count} items`);
    return { rate, syncs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Measures the store with and without the seal, alternating, `repeats` times each. */
export async function measureStore(library: BcssBulk, count: number, repeats: number, monitor: CapMonitor): Promise<StoreResult> {
  const sealed: { rate: number; syncs: number }[] = [];
  const unsealed: { rate: number; syncs: number }[] = [];
  for (let i = 0; i < repeats; i++) {
    unsealed.push(await once(library, count, false, monitor));
    sealed.push(await once(library, count, true, monitor));
  }
  const sealedItemsPerSecond = median(sealed.map((r) => r.rate));
  const unsealedItemsPerSecond = median(unsealed.map((r) => r.rate));
  return {
    sealedItemsPerSecond,
    unsealedItemsPerSecond,
    sealRatio: sealedItemsPerSecond / unsealedItemsPerSecond,
    syncsPerItem: { sealed: median(sealed.map((r) => r.syncs)) / count, unsealed: median(unsealed.map((r) => r.syncs)) / count },
    items: count,
    repeats,
  };
}
