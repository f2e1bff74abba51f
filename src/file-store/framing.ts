/**
 * Framing of the durable files: one record per line, `<crc32 as 8 hex digits> <JSON>\n`. A
 * reader checks every record's checksum. Damaged or incomplete records after the last valid
 * one are a torn write at the end (a crash mid-append): the file ends before them. A damaged
 * record followed by a valid one is damage in the middle: a {@link LedgerDamagedError} with
 * the file and byte offset, never skipped.
 */
import { crc32 } from 'node:zlib';
import { LedgerDamagedError } from '../errors.js';

/** Encodes one record as a framed line. */
export function encodeRecord(value: unknown): string {
  const json = JSON.stringify(value);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

/** One record read back, with where its line starts and ends in the file. */
export interface FramedRecord {
  readonly value: Record<string, unknown>;
  readonly offset: number;
  readonly end: number;
}

/** What a scan found. */
export interface ScanResult {
  readonly records: FramedRecord[];
  /** Byte length of the valid part: the end of the last valid record. */
  readonly validEnd: number;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;

/** Decodes one line (without its newline); `undefined` when its checksum or JSON is wrong. */
function decodeLine(line: Buffer): Record<string, unknown> | undefined {
  if (line.length < 10 || line[8] !== SPACE) return undefined;
  const stored = line.subarray(0, 8).toString('latin1');
  if (!/^[0-9a-f]{8}$/.test(stored)) return undefined;
  const body = line.subarray(9);
  if (crc32(body) !== Number.parseInt(stored, 16)) return undefined;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads every framed record of a file's bytes.
 *
 * @throws {LedgerDamagedError} when a damaged record is followed by a valid one.
 */
export function scanRecords(file: string, data: Buffer): ScanResult {
  const records: FramedRecord[] = [];
  let damagedAt: number | undefined;
  let validEnd = 0;
  let offset = 0;
  while (offset < data.length) {
    const newline = data.indexOf(NEWLINE, offset);
    if (newline === -1) break; // an unterminated last line: torn
    const value = decodeLine(data.subarray(offset, newline));
    if (value === undefined) {
      damagedAt ??= offset;
    } else {
      if (damagedAt !== undefined) throw new LedgerDamagedError(file, damagedAt, 'a record fails its checksum');
      records.push({ value, offset, end: newline + 1 });
      validEnd = newline + 1;
    }
    offset = newline + 1;
  }
  return { records, validEnd };
}
