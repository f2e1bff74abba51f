/**
 * Working with a run directory's ledgers, read-only (no lock, so they also read a running
 * run's directory, as of the moment they read it): read the rejects, summarise them, export
 * them as CSV or JSON Lines, and re-run chosen rejects as the input of a new run.
 */
import path from 'node:path';
import { LedgerDamagedError } from '../errors.js';
import type { ItemOutcome, OutcomeCounts } from '../store.js';
import { nodeFileSystem, type FileSystem } from './fs.js';
import { CHECKPOINT_FILE, ledgerRecords, loadRunDir, type LedgerRecord, type LoadedRunDir } from './run-dir.js';
import { SEAL_FILE } from './seal.js';

/**
 * Loads a run directory that a live run may be writing (no lock): when a damage is found but the
 * checkpoint or the seal changed during the read (a checkpoint replaced, a journal removed), the
 * read is made again; a damage found twice on the same files is reported.
 */
async function loadLive(fs: FileSystem, dir: string): Promise<LoadedRunDir> {
  const marks = async () => `${(await fs.readFile(path.join(dir, CHECKPOINT_FILE)))?.toString('base64')}|${(await fs.readFile(path.join(dir, SEAL_FILE)))?.toString('base64')}`;
  for (let attempt = 0; ; attempt++) {
    const before = await marks();
    try {
      return await loadRunDir(fs, dir);
    } catch (error) {
      if (!(error instanceof LedgerDamagedError) || attempt >= 4 || (await marks()) === before) throw error;
    }
  }
}

/** Which rejects to read. Every filter given must match; none given: all of them. */
export interface LedgerFilter {
  /** Only these ledgers (e.g. `['not-integrated']`). */
  readonly ledgers?: readonly string[];
  /** Only these outcomes (`reject`, `exhausted`). */
  readonly outcomes?: readonly Exclude<ItemOutcome, 'success'>[];
  /** Only these codes (e.g. `['MSG00012']`). */
  readonly codes?: readonly string[];
  /** File operations (tests); the real file system by default. */
  readonly fs?: FileSystem;
}

/**
 * The reject records of a run directory, ledger by ledger, in the order they were written.
 *
 * @throws {LedgerDamagedError} a file is damaged, missing or shortened (see `bcss-bulk ledger repair`).
 */
export async function readLedger(dir: string, filter: LedgerFilter = {}): Promise<LedgerRecord[]> {
  const loaded = await loadLive(filter.fs ?? nodeFileSystem, path.resolve(dir));
  const outcomes = filter.outcomes === undefined ? undefined : new Set<string>(filter.outcomes);
  const codes = filter.codes === undefined ? undefined : new Set(filter.codes);
  const records: LedgerRecord[] = [];
  for (const record of ledgerRecords(loaded, filter.ledgers === undefined ? undefined : new Set(filter.ledgers))) {
    if (outcomes !== undefined && !outcomes.has(record.outcome)) continue;
    if (codes !== undefined && !codes.has(record.code ?? '')) continue;
    records.push(record);
  }
  return records;
}

/** Counts of a run directory, for the operator. */
export interface LedgerSummary {
  /** Items finished (every position below the watermark, and those finished above it). */
  readonly finished: number;
  /** Every position below it is finished. */
  readonly watermark: number;
  /** Finished items per source and outcome (successes included). */
  readonly counts: Readonly<Record<string, OutcomeCounts>>;
  /** Reject records in the ledgers. */
  readonly rejects: number;
  readonly byLedger: Readonly<Record<string, number>>;
  readonly bySource: Readonly<Record<string, number>>;
  /** By outcome class: `reject`, `exhausted`. */
  readonly byOutcome: Readonly<Record<string, number>>;
  /** By code (`(none)` for a record without one). */
  readonly byCode: Readonly<Record<string, number>>;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Summarises a run directory: progress and counts, and the rejects by ledger, source, outcome
 * and code.
 *
 * @throws {LedgerDamagedError} a file is damaged, missing or shortened (see `bcss-bulk ledger repair`).
 */
export async function summarizeLedger(dir: string, options: { readonly fs?: FileSystem } = {}): Promise<LedgerSummary> {
  const loaded = await loadLive(options.fs ?? nodeFileSystem, path.resolve(dir));
  const byLedger: Record<string, number> = {};
  const bySource: Record<string, number> = {};
  const byOutcome: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  let rejects = 0;
  for (const record of ledgerRecords(loaded)) {
    rejects++;
    bump(byLedger, record.ledger);
    bump(bySource, record.source);
    bump(byOutcome, record.outcome);
    bump(byCode, record.code ?? '(none)');
  }
  const state = loaded.progress.resumeState();
  return { finished: loaded.progress.completed(), watermark: state.watermark, counts: state.counts, rejects, byLedger, bySource, byOutcome, byCode };
}

/** Columns of the CSV export, in order. */
export const CSV_COLUMNS = ['ledger', 'position', 'key', 'source', 'outcome', 'code', 'reason', 'attempts', 'firstAttemptAt', 'lastAttemptAt'] as const;

/** First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; quotes
 * doubled. Guarded against formula injection (the OWASP rule): a text starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return gets a single quote in front (`=HYPERLINK(…)` →
 * `'=HYPERLINK(…)`), so that a spreadsheet shows it as text instead of running it. Numbers are
 * written as they are (`-3` stays `-3`: a number is never a formula).
 */
export function csvField(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (typeof value !== 'number' && typeof value !== 'bigint' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Export formats. */
export type ExportFormat = 'csv' | 'jsonl';

/**
 * The export of rejects as lines (each ending with a newline): CSV with a header row (every
 * field through {@link csvField}, so guarded against formula injection), or JSON Lines.
 */
export function* exportLines(records: Iterable<LedgerRecord>, format: ExportFormat): Generator<string> {
  if (format === 'csv') {
    yield `${CSV_COLUMNS.join(',')}\r\n`;
    for (const record of records) yield `${CSV_COLUMNS.map((column) => csvField(record[column])).join(',')}\r\n`;
    return;
  }
  for (const record of records) yield `${JSON.stringify(record)}\n`;
}

/**
 * Exports the rejects of a run directory as CSV or JSON Lines.
 *
 * @throws {LedgerDamagedError} a file is damaged, missing or shortened (see `bcss-bulk ledger repair`).
 */
export async function exportLedger(dir: string, format: ExportFormat, filter: LedgerFilter = {}): Promise<string> {
  return [...exportLines(await readLedger(dir, filter), format)].join('');
}

/**
 * The chosen rejects of a run directory as the input of a new run (e.g. the `not-integrated`
 * ones once the persons are registered). Give the new run its own run directory, and a `key`
 * that reads the record's key. Keys are masked unless the store kept national numbers.
 */
export async function* rerunInput(dir: string, filter: LedgerFilter = {}): AsyncGenerator<LedgerRecord> {
  yield* await readLedger(dir, filter);
}
