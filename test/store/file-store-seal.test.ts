/**
 * The run directory knows what it should contain: after a clean close every shortening is
 * damage; during a run the seal covers every group but the last synced one; a torn seal slot
 * falls back to the other; a missing seal is damage. A damaged directory is refused with
 * LEDGER_DAMAGED (file, offset, expected and found lengths) and nothing on disk changes. File
 * operations that fail while opening (a full disk, a quota, a read-only file system, permission
 * denied) are a typed StoreIoError, never a raw Node error.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSeal } from '../../src/store/file-store/seal.js';
import { FileStore, LedgerDamagedError, nodeFileSystem, StoreIoError, type FileSystem } from '../../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-seal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = { source: 'rn', attempts: 1, firstAttemptAt: '2026-01-05T20:00:00.000Z', lastAttemptAt: '2026-01-05T20:00:00.000Z' };
const reject = (position: number) => ({ ...base, position, key: `k${position}`, outcome: 'reject' as const, code: 'MSG00005', reason: 'r' });
const success = (position: number) => ({ ...base, position, key: `k${position}`, outcome: 'success' as const });

async function files(of = dir): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(of)).sort()) out[name] = (await readFile(path.join(of, name))).toString('base64');
  return out;
}

/** Opens, records `n` items (every third a reject) and closes cleanly. */
async function cleanRun(n: number): Promise<void> {
  const store = await FileStore.open(dir, { checkpointEvery: 1_000_000 });
  await store.open({ startedAt: base.firstAttemptAt, sources: {} });
  for (let i = 0; i < n; i++) await store.record(i % 3 === 0 ? reject(i) : success(i));
  await store.close();
}

async function refusal(of = dir): Promise<LedgerDamagedError> {
  const error = await FileStore.open(of).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LedgerDamagedError);
  return error as LedgerDamagedError;
}

describe('after a clean close, any shortening is damage', () => {
  it('a deleted ledger: refused, naming the file and the lengths, nothing changed, the lock released', async () => {
    await cleanRun(9);
    const ledger = path.join(dir, 'ledger-rejects.log');
    const length = (await readFile(ledger)).length;
    await rm(ledger);
    const before = await files();
    const error = await refusal();
    expect(error).toMatchObject({ code: 'LEDGER_DAMAGED', file: ledger, offset: 0, damage: 'missing', expectedLength: length, foundLength: 0 });
    expect(error.message).toContain('ledger-rejects.log is missing');
    expect(await files()).toEqual(before); // no lock left, nothing cut or created
  });

  it('a ledger cut at a record boundary: refused with the expected and found lengths', async () => {
    await cleanRun(9);
    const ledger = path.join(dir, 'ledger-rejects.log');
    const data = await readFile(ledger);
    const cut = data.lastIndexOf('\n', data.length - 2) + 1;
    await truncate(ledger, cut);
    const error = await refusal();
    expect(error).toMatchObject({ file: ledger, offset: cut, damage: 'shortened', expectedLength: data.length, foundLength: cut });
    expect(error.message).toContain(`expected at least ${data.length} bytes`);
  });

  it('a deleted seal is damage (it would hide a shortened journal)', async () => {
    await cleanRun(4);
    await rm(path.join(dir, 'seal'));
    expect(await refusal()).toMatchObject({ file: path.join(dir, 'seal'), damage: 'missing' });
  });
});

describe('the seal during a run', () => {
  it('covers every synced group but the last: cutting into an earlier group is damage, cutting the last is a torn end', async () => {
    const store = await FileStore.open(dir, { checkpointEvery: 1_000_000 });
    await store.open({ startedAt: base.firstAttemptAt, sources: {} });
    const journalOf = async () => path.join(dir, (await readdir(dir)).find((name) => name.startsWith('journal-'))!);
    await Promise.all([0, 1, 2, 3, 4].map((p) => store.record(success(p))));
    const afterFirst = (await readFile(await journalOf())).length;
    await Promise.all([7, 8].map((p) => store.record(success(p))));
    // The image of a crash now (the lock and the running store aside).
    const image = path.join(dir, 'image');
    await mkdir(image);
    for (const name of await readdir(dir)) if (name !== 'lock' && name !== 'image') await copyFile(path.join(dir, name), path.join(image, name));
    await store.close();
    const seal = decodeSeal('seal', await readFile(path.join(image, 'seal'))).data;
    expect(seal.journal).toBeGreaterThanOrEqual(afterFirst); // the first group was sealed before the second resolved
    const imageJournal = path.join(image, (await readdir(image)).find((name) => name.startsWith('journal-'))!);
    const full = await readFile(imageJournal);
    // One byte short of what the seal covers: damage.
    await writeFile(imageJournal, full.subarray(0, seal.journal - 1));
    expect(await refusal(image)).toMatchObject({ file: imageJournal, damage: 'shortened', expectedLength: seal.journal });
    // Cut to exactly what the seal covers (the last group lost, as by a crash): opens silently.
    await writeFile(imageJournal, full.subarray(0, seal.journal));
    const reopened = await FileStore.open(image);
    expect(reopened.status().completed).toBeGreaterThanOrEqual(5);
    await reopened.close();
  });

  it('a torn slot falls back to the other one; both slots damaged is damage', async () => {
    await cleanRun(6);
    const sealFile = path.join(dir, 'seal');
    const bytes = await readFile(sealFile);
    const { data, slotSize } = decodeSeal(sealFile, bytes);
    const current = (data.seq % 2) * slotSize;
    bytes[current + 20] = bytes[current + 20]! ^ 0xff; // the slot written last, torn
    await writeFile(sealFile, bytes);
    const store = await FileStore.open(dir);
    expect(store.status().completed).toBe(6);
    await store.close();
    const again = await readFile(sealFile);
    again[30] = again[30]! ^ 0xff;
    again[slotSize + 30] = again[slotSize + 30]! ^ 0xff;
    await writeFile(sealFile, again);
    expect(await refusal()).toMatchObject({ file: sealFile, code: 'LEDGER_DAMAGED' });
  });
});

/** The real file system, with one operation failing with `code`. */
function fullDisk(code: string, fails: (op: string, file: string) => boolean): FileSystem {
  const failure = (op: string, file: string) => Object.assign(new Error(`${code}: ${op} '${file}'`), { code, syscall: op, path: file });
  return {
    ...nodeFileSystem,
    ensureDir: (d, mode) => (fails('mkdir', d) ? Promise.reject(failure('mkdir', d)) : nodeFileSystem.ensureDir(d, mode)),
    openAppend: (file, mode, exclusive) => (fails('open', file) ? Promise.reject(failure('open', file)) : nodeFileSystem.openAppend(file, mode, exclusive)),
  };
}

describe('FileStore.open when the disk refuses', () => {
  it.each([
    ['ENOSPC', 'the run directory', (op: string) => op === 'mkdir', 'create the run directory'],
    ['EROFS', 'the run directory', (op: string) => op === 'mkdir', 'create the run directory'],
    ['EDQUOT', 'the lock file', (op: string, file: string) => op === 'open' && path.basename(file).startsWith('lock'), 'create the lock file'],
    ['EACCES', 'the lock file', (op: string, file: string) => op === 'open' && path.basename(file).startsWith('lock'), 'create the lock file'],
    ['ENOSPC', 'the seal', (op: string, file: string) => op === 'open' && path.basename(file).startsWith('seal'), 'write the seal'],
  ])('%s on %s: a StoreIoError with the code and the path, no raw error, no lock left', async (code, _what, fails, operation) => {
    const run = path.join(dir, 'run');
    const error = await FileStore.open(run, { fs: fullDisk(code, fails) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreIoError);
    expect(error).toMatchObject({ code: 'STORE_IO', errno: code, operation });
    expect((error as StoreIoError).message).toContain(`(${code})`);
    expect((error as StoreIoError).path.startsWith(run)).toBe(true);
    const store = await FileStore.open(run); // space freed: it opens
    await store.close();
  });

  it('ENOSPC writing the first checkpoint: a StoreIoError from open(meta), and the directory opens once space is freed', async () => {
    let full = false;
    const store = await FileStore.open(dir, { fs: fullDisk('ENOSPC', (op, file) => full && op === 'open' && path.basename(file).startsWith('checkpoint')) });
    full = true;
    const error = await store.open({ startedAt: base.firstAttemptAt, sources: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_IO', errno: 'ENOSPC', operation: 'write the checkpoint', path: path.join(dir, 'checkpoint') });
    await expect(store.close()).rejects.toBeInstanceOf(StoreIoError);
    const again = await FileStore.open(dir);
    await again.open({ startedAt: base.firstAttemptAt, sources: {} });
    await again.close();
  });

  it('a real refusal of the system: a run directory under a regular file (ENOTDIR)', async () => {
    await writeFile(path.join(dir, 'plain'), 'not a directory');
    const error = await FileStore.open(path.join(dir, 'plain', 'run')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreIoError);
    expect(error).toMatchObject({ errno: expect.stringMatching(/^(ENOTDIR|EEXIST)$/), operation: 'create the run directory' });
  });
});
