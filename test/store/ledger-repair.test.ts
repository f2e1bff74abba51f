/**
 * The repair of a run directory through the library: a damaged record that still names its
 * item is listed by position and masked key (never the whole national number, even when the
 * store kept them); a sound directory is left alone; a directory held by a live store is not
 * repaired; a repaired directory opens and resumes where the repair said.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSeal } from '../../src/store/file-store/seal.js';
import { applyRepair, FileStore, formatRepairPlan, LedgerDamagedError, planRepair, RunDirLockedError } from '../../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-repair-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = { source: 'rn', attempts: 1, firstAttemptAt: '2026-01-05T20:00:00.000Z', lastAttemptAt: '2026-01-05T20:00:00.000Z', outcome: 'reject' as const, code: 'MSG00005', reason: 'r' };
/** Valid national numbers (mod 97), one per position. */
const insz = ['85073003328', '85073003429', '85073003530', '85073003631', '85073003732', '85073003833'];

/** Breaks a record's checksum (its JSON still reads) at the `index`-th line of `file`. */
async function breakChecksum(file: string, index: number): Promise<void> {
  const data = await readFile(file);
  let start = 0;
  for (let i = 0; i < index; i++) start = data.indexOf('\n', start) + 1;
  data[start] = data[start] === 0x30 ? 0x31 : 0x30;
  await writeFile(file, data);
}

/**
 * A crash image of a store that kept national numbers: rejects at positions 0..4, the first
 * three covered by a checkpoint, copied once the seal covers all five (no checkpoint is due then).
 */
async function crashImage(): Promise<string> {
  const live = path.join(dir, 'live');
  const store = await FileStore.open(live, { keepNationalNumbers: true, checkpointEvery: 3 });
  await store.open({ startedAt: base.firstAttemptAt, sources: {} });
  for (let i = 0; i < 5; i++) await store.record({ ...base, position: i, key: insz[i]! });
  while (decodeSeal('seal', await readFile(path.join(live, 'seal'))).data.completed < 5) await new Promise((resolve) => setTimeout(resolve, 5));
  const image = path.join(dir, 'image');
  await mkdir(image);
  for (const name of await readdir(live)) if (name !== 'lock') await copyFile(path.join(live, name), path.join(image, name));
  await store.close();
  return image;
}

describe('ledger repair', () => {
  it('names damaged records by position and masked key, and resumes them as it said', async () => {
    const image = await crashImage();
    const ledger = path.join(image, 'ledger-rejects.log');
    const checkpoint = JSON.parse((await readFile(path.join(image, 'checkpoint'), 'utf8')).slice(9)) as { ledgers: Record<string, number>; watermark: number };
    expect(checkpoint.watermark).toBe(3);
    await breakChecksum(ledger, 1); // covered by the checkpoint: its reject is lost, but named
    await breakChecksum(ledger, 4); // past the checkpoint: its item will be called again
    await expect(FileStore.open(image)).rejects.toBeInstanceOf(LedgerDamagedError);

    const plan = await planRepair(image);
    expect(plan.recall).toEqual([4]);
    expect(plan.recallKeys).toEqual({ 4: '85.07.30-***.**' });
    expect(plan.namedLostRejects).toEqual([{ file: ledger, offset: expect.any(Number), position: 1, key: '85.07.30-***.**' }]);
    expect(plan).toMatchObject({ countedRejects: 4, heldRejects: 3 });
    const text = formatRepairPlan(plan, false);
    expect(text).toContain('will call again 1 item(s) before position 5, at positions: 4.');
    expect(text).toContain('#4 85.07.30-***.**');
    expect(text).toContain('the counts say 4 reject(s) were recorded, the ledgers hold 3: 1 reject record(s) are lost');
    expect(text).toContain('Named by their damaged records: #1 85.07.30-***.**');
    for (const nn of insz) expect(text).not.toContain(nn);

    const result = await applyRepair(image, { now: () => new Date('2026-01-06T06:00:00.000Z') });
    expect(result.note).toBe(path.join(image, 'repair-2026-01-06T06-00-00-000Z.txt'));
    const note = await readFile(result.note!, 'utf8');
    for (const nn of insz) expect(note).not.toContain(nn);
    const store = await FileStore.open(image);
    expect(store.status()).toMatchObject({ watermark: 4, finished: [], counts: { rn: { reject: 4 } } });
    await store.close();
    expect(await planRepair(image)).toMatchObject({ damages: [] });
  });

  it('leaves a sound directory alone', async () => {
    const store = await FileStore.open(dir);
    await store.open({ startedAt: base.firstAttemptAt, sources: {} });
    await store.record({ ...base, position: 0, key: 'a' });
    await store.close();
    const before = await readdir(dir);
    const result = await applyRepair(dir);
    expect(result).toMatchObject({ damages: [], recall: [], note: undefined });
    expect(formatRepairPlan(result, true)).toContain('no damage found; nothing to repair');
    expect(await readdir(dir)).toEqual(before);
  });

  it('does not repair a directory a live store holds', async () => {
    const store = await FileStore.open(dir);
    await expect(applyRepair(dir)).rejects.toBeInstanceOf(RunDirLockedError);
    await store.close();
  });
});
