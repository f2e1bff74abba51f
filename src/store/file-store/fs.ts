/**
 * The few file operations the durable store uses, behind a seam so tests can make a rename or
 * an fsync fail, and the one durable write it builds on them: write a temp file, fsync it,
 * rename it over the target, fsync the directory (so the rename itself survives a power cut;
 * write-file-atomic stops before that last step).
 */
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { BcssBulkError } from '../../util/errors.js';
import { StoreIoError } from '../errors.js';

/** An open file the store appends to. */
export interface AppendHandle {
  /** Appends all of `data`. */
  append(data: Uint8Array): Promise<void>;
  /** Flushes the file's data to the disk (fsync). */
  sync(): Promise<void>;
  /** Cuts the file to `length` bytes. */
  truncate(length: number): Promise<void>;
  /** Closes the file. */
  close(): Promise<void>;
}

/** An open file the store overwrites in place (the seal). */
export interface UpdateHandle {
  /** Writes all of `data` at byte `position` (pwrite; the file's other bytes are kept). */
  writeAt(data: Uint8Array, position: number): Promise<void>;
  /**
   * Flushes the file's data to the disk: fdatasync, enough for a file whose size does not change
   * (no journal commit of its metadata on most file systems).
   */
  sync(): Promise<void>;
  /** Closes the file. */
  close(): Promise<void>;
}

/** File operations of the store; {@link nodeFileSystem} by default. */
export interface FileSystem {
  /** Creates the directory (and its parents) if needed and sets its mode. */
  ensureDir(dir: string, mode: number): Promise<void>;
  /** Opens `file` for appending, creating it with `mode` if needed; `exclusive` fails with EEXIST when it exists. */
  openAppend(file: string, mode: number, exclusive?: boolean): Promise<AppendHandle>;
  /** Opens an existing `file` for writing in place (not appending). */
  openForUpdate(file: string): Promise<UpdateHandle>;
  /** The file's bytes, or `undefined` when it does not exist. */
  readFile(file: string): Promise<Buffer | undefined>;
  /** Renames `from` to `to`, replacing `to` (atomic on POSIX file systems). */
  rename(from: string, to: string): Promise<void>;
  /** Makes `to` a second name of `from`; fails with EEXIST when `to` exists (an atomic create). */
  link(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it does not exist. */
  remove(file: string): Promise<void>;
  /** The names of the entries of a directory. */
  readdir(dir: string): Promise<string[]>;
  /** fsyncs a directory, so the names created, renamed or removed in it are durable. */
  syncDir(dir: string): Promise<void>;
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** The real file system (node:fs/promises). */
export const nodeFileSystem: FileSystem = {
  async ensureDir(dir, mode) {
    await fsp.mkdir(dir, { recursive: true, mode });
    await fsp.chmod(dir, mode);
  },
  async openAppend(file, mode, exclusive = false) {
    const handle = await fsp.open(file, exclusive ? constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL : 'a', mode);
    return {
      append: (data) => handle.appendFile(data),
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
  async openForUpdate(file) {
    const handle = await fsp.open(file, 'r+');
    return {
      writeAt: async (data, position) => {
        let written = 0;
        while (written < data.length) written += (await handle.write(data, written, data.length - written, position + written)).bytesWritten;
      },
      sync: () => handle.datasync(),
      close: () => handle.close(),
    };
  },
  async readFile(file) {
    try {
      return await fsp.readFile(file);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  link: (from, to) => fsp.link(from, to),
  async remove(file) {
    await fsp.rm(file, { force: true });
  },
  readdir: (dir) => fsp.readdir(dir),
  async syncDir(dir) {
    const handle = await fsp.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/** File mode of every file the store creates: owner read/write only. */
export const FILE_MODE = 0o600;
/** Mode of the run directory: owner only. */
export const DIR_MODE = 0o700;

let tempCounter = 0;

/**
 * Replaces `file` with `data` atomically and durably: a reader sees the old content or the new
 * one, never a mix, and once this resolves the new content survives a crash.
 */
export function writeFileDurably(fs: FileSystem, file: string, data: string | Uint8Array): Promise<void> {
  return replaceFile(fs, file, data, { durable: true });
}

/**
 * Replaces `file` with `data` atomically (a temporary file renamed over it): a reader sees the
 * old content or the new one, never a mix. `durable`: synced, file and directory, before this
 * resolves; without it, a crash may leave the old content (fine for a view rewritten every few
 * seconds, such as the live status).
 */
export async function replaceFile(fs: FileSystem, file: string, data: string | Uint8Array, options: { readonly durable: boolean }): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${tempCounter++}`;
  const handle = await fs.openAppend(temp, FILE_MODE, true);
  try {
    await handle.append(typeof data === 'string' ? Buffer.from(data) : data);
    if (options.durable) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.remove(temp);
    throw error;
  }
  if (options.durable) await fs.syncDir(path.dirname(file));
}

/** True when an error is a file system error with the given code (`ENOENT`, `EEXIST`, ...). */
export function hasErrorCode(error: unknown, code: string): boolean {
  return isCode(error, code);
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'the file exists',
  EMFILE: 'too many open files',
};

/**
 * Runs one file operation of the store; a system error (ENOSPC, EDQUOT, EROFS, EACCES, EIO, ...)
 * becomes a {@link StoreIoError} naming the operation, the path and the code. The library's own
 * errors pass through.
 */
export async function storeIo<T>(operation: string, file: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toStoreIoError(operation, file, error);
  }
}

/** The {@link StoreIoError} of a failed file operation (the library's own errors are returned as they are). */
export function toStoreIoError(operation: string, file: string, error: unknown): unknown {
  if (error instanceof BcssBulkError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return error;
  return new StoreIoError(operation, file, code, ERRNO_TEXT[code] ?? 'the operation failed', { cause: error });
}
