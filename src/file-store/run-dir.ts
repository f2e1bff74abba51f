/**
 * The run directory's files and how its state is read back:
 *
 * - `checkpoint` — one framed record, replaced atomically: the low watermark, the finished
 *   positions above it, the counts per source and outcome, the fingerprints of the first items,
 *   the byte length of each ledger and the journal generation it covers.
 * - `journal-<generation>.log` — framed records appended since that checkpoint: successes
 *   (their position and source) and fingerprints.
 * - `ledger-<name>.log` — framed reject records, one ledger per triage route, never rewritten.
 * - `lock` — the holder of the directory.
 *
 * The state is the checkpoint, plus the journal of its generation, plus the ledger records
 * beyond the lengths the checkpoint covers.
 */
import path from 'node:path';
import { LedgerDamagedError } from '../errors.js';
import type { ItemOutcome, OutcomeCounts, OutcomeRecord, ResumeState, RunMeta } from '../store.js';
import { scanRecords, type FramedRecord } from './framing.js';
import type { FileSystem } from './fs.js';

/** Name of the checkpoint file. */
export const CHECKPOINT_FILE = 'checkpoint';
const FORMAT = 1;

/** File name of a ledger. */
export function ledgerFileName(ledger: string): string {
  return `ledger-${ledger}.log`;
}

/** File name of the journal of a checkpoint generation. */
export function journalFileName(generation: number): string {
  return `journal-${generation}.log`;
}

const LEDGER_FILE = /^ledger-([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.log$/;
const JOURNAL_FILE = /^journal-(\d+)\.log$/;

/** A reject as read back from a ledger: the stored record and the ledger it is in. */
export interface LedgerRecord extends OutcomeRecord {
  readonly ledger: string;
}

/** What a checkpoint holds. */
export interface CheckpointData {
  readonly format: number;
  readonly generation: number;
  readonly watermark: number;
  readonly finished: readonly number[];
  readonly counts: Readonly<Record<string, OutcomeCounts>>;
  readonly fingerprints: readonly string[];
  /** Byte length of each ledger the checkpoint covers. */
  readonly ledgers: Readonly<Record<string, number>>;
  readonly meta?: RunMeta;
  readonly writtenAt: string;
}

/** The progress of a run directory, kept in memory by the store and rebuilt on opening. */
export class Progress {
  watermark = 0;
  readonly finished = new Set<number>();
  readonly counts: Record<string, Record<ItemOutcome, number>> = {};
  readonly fingerprints: string[] = [];

  /** Notes a finished item; false when it was already finished (it is not counted twice). */
  add(position: number, source: string, outcome: ItemOutcome): boolean {
    if (position < this.watermark || this.finished.has(position)) return false;
    if (position === this.watermark) {
      this.watermark++;
      while (this.finished.delete(this.watermark)) this.watermark++;
    } else {
      this.finished.add(position);
    }
    const counts = (this.counts[source] ??= { success: 0, reject: 0, exhausted: 0 });
    counts[outcome]++;
    return true;
  }

  /** Notes the fingerprint of the next item (a gap or a known position is ignored). */
  addFingerprint(position: number, fingerprint: string): void {
    if (position === this.fingerprints.length) this.fingerprints.push(fingerprint);
  }

  /** Items finished. */
  completed(): number {
    return this.watermark + this.finished.size;
  }

  /** What the engine needs to resume. */
  resumeState(): ResumeState {
    const counts: Record<string, OutcomeCounts> = {};
    for (const [source, byOutcome] of Object.entries(this.counts)) counts[source] = { ...byOutcome };
    return { watermark: this.watermark, finished: [...this.finished].sort((a, b) => a - b), counts };
  }
}

/** One file of the directory, read and checked. */
export interface ScannedFile {
  readonly file: string;
  readonly records: readonly FramedRecord[];
  /** Its length; more than `validEnd` when its end is torn. */
  readonly length: number;
  readonly validEnd: number;
}

/** Everything read from a run directory. */
export interface LoadedRunDir {
  readonly progress: Progress;
  readonly checkpoint: CheckpointData | undefined;
  /** Generation of the journal in use. */
  readonly generation: number;
  readonly journal: ScannedFile | undefined;
  readonly ledgers: ReadonlyMap<string, ScannedFile>;
  /** Journals of older generations (already covered by the checkpoint) and temp files of interrupted writes. */
  readonly leftovers: readonly string[];
}

async function scanFile(fs: FileSystem, file: string): Promise<ScannedFile | undefined> {
  const data = await fs.readFile(file);
  if (data === undefined) return undefined;
  const { records, validEnd } = scanRecords(file, data);
  return { file, records, length: data.length, validEnd };
}

function isRecordOf(value: Record<string, unknown>): value is Record<string, unknown> & { position: number; source: string; outcome: ItemOutcome } {
  return Number.isSafeInteger(value['position']) && typeof value['source'] === 'string' && ['success', 'reject', 'exhausted'].includes(value['outcome'] as string);
}

/**
 * Reads the checkpoint of a run directory (undefined when there is none yet).
 *
 * @throws {LedgerDamagedError} a checkpoint that is not one valid record.
 */
export async function readCheckpoint(fs: FileSystem, dir: string): Promise<CheckpointData | undefined> {
  const file = path.join(dir, CHECKPOINT_FILE);
  const scanned = await scanFile(fs, file);
  if (scanned === undefined) return undefined;
  const value = scanned.records[0]?.value;
  // The checkpoint is replaced by rename, never appended: anything but one valid record is damage.
  if (value === undefined || scanned.records.length !== 1 || scanned.validEnd !== scanned.length) {
    throw new LedgerDamagedError(file, scanned.records.length === 1 ? scanned.validEnd : 0, 'the checkpoint is not one valid record');
  }
  if (value['format'] !== FORMAT) throw new LedgerDamagedError(file, 0, `unknown checkpoint format ${String(value['format'])}`);
  return value as unknown as CheckpointData;
}

/**
 * Reads a run directory's state: checkpoint, journal, ledgers.
 *
 * @throws {LedgerDamagedError} when a file is damaged before its end.
 */
export async function loadRunDir(fs: FileSystem, dir: string): Promise<LoadedRunDir> {
  const checkpoint = await readCheckpoint(fs, dir);
  const progress = new Progress();
  if (checkpoint !== undefined) {
    progress.watermark = checkpoint.watermark;
    for (const position of checkpoint.finished) progress.finished.add(position);
    for (const [source, counts] of Object.entries(checkpoint.counts)) progress.counts[source] = { ...counts };
    progress.fingerprints.push(...checkpoint.fingerprints);
  }
  const generation = checkpoint?.generation ?? 0;
  const names = await fs.readdir(dir);
  const leftovers: string[] = [];
  const ledgers = new Map<string, ScannedFile>();
  let journal: ScannedFile | undefined;
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    const ledger = LEDGER_FILE.exec(name)?.[1];
    const journalOf = JOURNAL_FILE.exec(name)?.[1];
    if (ledger !== undefined) {
      const scanned = (await scanFile(fs, file))!;
      const covered = checkpoint?.ledgers[ledger] ?? 0;
      if (scanned.validEnd < covered) throw new LedgerDamagedError(file, scanned.validEnd, `the checkpoint covers ${covered} bytes of it`);
      ledgers.set(ledger, scanned);
      for (const record of scanned.records) {
        if (record.offset < covered) continue;
        if (!isRecordOf(record.value)) throw new LedgerDamagedError(file, record.offset, 'a record without position, source or outcome');
        progress.add(record.value.position, record.value.source, record.value.outcome);
      }
    } else if (journalOf !== undefined) {
      if (Number(journalOf) === generation) journal = await scanFile(fs, file);
      else if (Number(journalOf) < generation) leftovers.push(file); // covered by the checkpoint
      else throw new LedgerDamagedError(file, 0, `a journal newer than the checkpoint (generation ${generation}): the checkpoint was lost or replaced by an older one`);
    } else if (name.includes('.tmp')) {
      leftovers.push(file);
    }
  }
  for (const record of journal?.records ?? []) {
    const value = record.value;
    if (value['t'] === 'f' && Number.isSafeInteger(value['p']) && typeof value['h'] === 'string') progress.addFingerprint(value['p'] as number, value['h']);
    else if (value['t'] === 's' && Number.isSafeInteger(value['p']) && typeof value['s'] === 'string') progress.add(value['p'] as number, value['s'], 'success');
    else throw new LedgerDamagedError(journal!.file, record.offset, 'an unknown journal record');
  }
  return { progress, checkpoint, generation, journal, ledgers, leftovers };
}

/** The reject records of a loaded directory, ledger by ledger (sorted by name), in the order they were written. */
export function* ledgerRecords(loaded: LoadedRunDir, only?: ReadonlySet<string>): Generator<LedgerRecord> {
  for (const [ledger, scanned] of [...loaded.ledgers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (only !== undefined && !only.has(ledger)) continue;
    for (const record of scanned.records) yield { ...(record.value as unknown as OutcomeRecord), ledger };
  }
}
