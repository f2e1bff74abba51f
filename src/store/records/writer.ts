/**
 * Appends a run's compliance records to its file in the run directory: synchronous appends of
 * whole lines (a few hundred bytes, at most a few times a minute), so a report read while the
 * run is live sees every line written; the file is synced when the run ends.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { FILE_MODE, toStoreIoError } from '../file-store/fs.js';
import type { RecordsSink } from '../store.js';
import { recordsFileName, type RecordsLine } from './format.js';

/** The records file of one run start in `dir`. */
export class RecordsFile implements RecordsSink {
  /** The file's path. */
  readonly file: string;
  #fd: number | undefined;

  /** @throws {StoreIoError} the file could not be created. */
  constructor(dir: string, startedAt: number, pid = process.pid) {
    this.file = path.join(dir, recordsFileName(startedAt, pid));
    try {
      this.#fd = openSync(this.file, 'a', FILE_MODE);
    } catch (error) {
      throw toStoreIoError('open', this.file, error);
    }
  }

  /** {@inheritDoc RecordsSink.append} */
  append(lines: readonly RecordsLine[]): void {
    if (this.#fd === undefined || lines.length === 0) return;
    let text = '';
    for (const line of lines) text += `${JSON.stringify(line)}\n`;
    try {
      writeSync(this.#fd, text);
    } catch (error) {
      throw toStoreIoError('append', this.file, error);
    }
  }

  /** {@inheritDoc RecordsSink.close} */
  close(): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    try {
      fsyncSync(fd);
      closeSync(fd);
    } catch (error) {
      throw toStoreIoError('close', this.file, error);
    }
  }
}
