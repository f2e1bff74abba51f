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

/** A damaged line in the middle of a file (a valid record follows it). */
export interface DamagedRange {
  readonly offset: number;
  readonly end: number;
  /** The line's JSON when it still parses (only its checksum fails), to name the record. */
  readonly readable: Record<string, unknown> | undefined;
}

/** What a scan found. */
export interface ScanResult {
  readonly records: FramedRecord[];
  /** Byte length of the valid part: the end of the last valid record. */
  readonly validEnd: number;
  /** Damaged lines followed by a valid record (empty in a sound file). */
  readonly damaged: readonly DamagedRange[];
  /** Damaged complete lines after the last valid record (a torn end, or a file cut short). */
  readonly torn: readonly DamagedRange[];
}

const NEWLINE = 0x0a;
const SPACE = 0x20;

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes one line (without its newline); `undefined` when its checksum or JSON is wrong. */
function decodeLine(line: Buffer): Record<string, unknown> | undefined {
  if (line.length < 10 || line[8] !== SPACE) return undefined;
  const stored = line.subarray(0, 8).toString('latin1');
  if (!/^[0-9a-f]{8}$/.test(stored)) return undefined;
  const body = line.subarray(9);
  if (crc32(body) !== Number.parseInt(stored, 16)) return undefined;
  return parseObject(body.toString('utf8'));
}

/**
 * Reads every framed record of a file's bytes, and notes damaged lines followed by valid
 * records instead of throwing (the repair reads a damaged file this way).
 */
export function scanRecordsTolerant(data: Buffer): ScanResult {
  const records: FramedRecord[] = [];
  const damaged: DamagedRange[] = [];
  let pending: DamagedRange[] = [];
  let validEnd = 0;
  let offset = 0;
  while (offset < data.length) {
    const newline = data.indexOf(NEWLINE, offset);
    if (newline === -1) break; // an unterminated last line: torn
    const line = data.subarray(offset, newline);
    const value = decodeLine(line);
    if (value === undefined) {
      pending.push({ offset, end: newline + 1, readable: line.length > 9 ? parseObject(line.subarray(9).toString('utf8')) : undefined });
    } else {
      damaged.push(...pending);
      pending = [];
      records.push({ value, offset, end: newline + 1 });
      validEnd = newline + 1;
    }
    offset = newline + 1;
  }
  return { records, validEnd, damaged, torn: pending };
}

/**
 * Reads every framed record of a file's bytes.
 *
 * @throws {LedgerDamagedError} when a damaged record is followed by a valid one.
 */
export function scanRecords(file: string, data: Buffer): ScanResult {
  const result = scanRecordsTolerant(data);
  const first = result.damaged[0];
  if (first !== undefined) throw new LedgerDamagedError(file, first.offset, 'a record fails its checksum, and valid records follow it (so it is not a torn write at the end)');
  return result;
}
