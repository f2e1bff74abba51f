/**
 * Reads the compliance records of run directories: every records file in each, line by line,
 * skipping a torn last line (a live run may be writing it).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { RecordsError } from '../errors.js';
import { hasErrorCode, toStoreIoError } from '../file-store/fs.js';
import { isRecordsFile, type MetaLine, type RecordsLine } from './format.js';

/** The records of one run start of one process. */
export interface RecordsOfRun {
  readonly dir: string;
  readonly file: string;
  readonly meta: MetaLine;
  /** Every line after the `meta` line, in the order written. */
  readonly lines: readonly RecordsLine[];
}

/** Parses the text of one records file. @throws {RecordsError} `RECORDS_DAMAGED`. */
export function parseRecords(dir: string, file: string, text: string): RecordsOfRun {
  const parts = text.split('\n');
  parts.pop(); // after the last newline: empty, or a torn line still being written
  const lines: RecordsLine[] = [];
  parts.forEach((part, index) => {
    let line: unknown;
    try {
      line = JSON.parse(part);
    } catch {
      line = undefined;
    }
    if (typeof line !== 'object' || line === null || typeof (line as { k?: unknown }).k !== 'string') {
      throw new RecordsError('RECORDS_DAMAGED', `${file}: line ${index + 1} is not a record: ${part.slice(0, 80)}`);
    }
    lines.push(line as RecordsLine);
  });
  const [meta, ...rest] = lines;
  if (meta?.k !== 'meta') throw new RecordsError('RECORDS_DAMAGED', `${file}: the first line is not the run's metadata`);
  return { dir, file, meta, lines: rest };
}

/**
 * The records of every run start in `dir`, oldest first.
 *
 * @throws {RecordsError} `NO_RECORDS` (none in the directory), `RECORDS_DAMAGED`.
 * @throws {StoreIoError} the directory or a file could not be read.
 */
export async function readRecordsDir(dir: string): Promise<RecordsOfRun[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isRecordsFile).sort();
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ENOTDIR')) throw new RecordsError('NO_RECORDS', `${dir} is not a run directory: ${(error as Error).message}`);
    throw toStoreIoError('readdir', dir, error);
  }
  if (names.length === 0) throw new RecordsError('NO_RECORDS', `${dir} holds no compliance records (records-*.jsonl): only runs on a FileStore of this version write them`);
  const runs: RecordsOfRun[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw toStoreIoError('read', file, error);
    }
    if (text === '') continue; // created, nothing written yet
    runs.push(parseRecords(dir, file, text));
  }
  if (runs.length === 0) throw new RecordsError('NO_RECORDS', `${dir}: its records files are still empty`);
  return runs;
}
