/**
 * The run directory's files and how its state is read back:
 *
 * - `checkpoint` — one framed record, replaced atomically: the low watermark, the finished
 *   positions above it, the counts per source and outcome, the fingerprints of the first items,
 *   the byte length of each ledger and the journal generation it covers.
 * - `journal-<generation>.log` — framed records appended since that checkpoint: successes
 *   (their position and source) and fingerprints.
 * - `ledger-<name>.log` — framed reject records, one ledger per triage route, never rewritten.
 * - `seal` — the synced lengths of the journal and the ledgers, overwritten in place after every
 *   synced group (see seal.ts).
 * - `lock` — the holder of the directory.
 * - `repair-<instant>.txt` — the note of each explicit repair (`bcss-bulk ledger repair`).
 *
 * The state is the checkpoint, plus the journal of its generation, plus the ledger records
 * beyond the lengths the checkpoint covers. A file the checkpoint or the seal says existed that
 * is missing, or is shorter than they say, is damage, never a torn end.
 */
import path from 'node:path';
import { LedgerDamagedError } from '../errors.js';
import type { ItemOutcome, OutcomeCounts, OutcomeRecord, ResumeState, RunMeta } from '../store.js';
import { scanRecordsTolerant, type DamagedRange, type FramedRecord } from './framing.js';
import { storeIo, type FileSystem } from './fs.js';
import { decodeSeal, SEAL_FILE, type ReadSeal } from './seal.js';

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
  /** True once the directory has a seal: then a missing seal is damage. */
  readonly sealed?: boolean;
  readonly writtenAt: string;
}

/** The progress of a run directory, kept in memory by the store and rebuilt on opening. */
export class Progress {
  watermark = 0;
  readonly finished = new Set<number>();
  readonly counts: Record<string, Record<ItemOutcome, number>> = {};
  readonly fingerprints: string[] = [];
  /** One past the highest position finished. */
  next = 0;

  /** Notes a finished item; false when it was already finished (it is not counted twice). */
  add(position: number, source: string, outcome: ItemOutcome): boolean {
    if (position < this.watermark || this.finished.has(position)) return false;
    this.next = Math.max(this.next, position + 1);
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
  /** Damaged lines followed by valid records (empty in a sound file). */
  readonly damaged: readonly DamagedRange[];
  /** Damaged complete lines after the last valid record. */
  readonly torn: readonly DamagedRange[];
}

/** What a run directory's files are, read without judging them: {@link loadRunDir} and the repair build on it. */
export interface RunDirSurvey {
  readonly dir: string;
  readonly checkpoint: CheckpointData | undefined;
  /** The seal, when there is a readable one. */
  readonly seal: ReadSeal | undefined;
  /** Generation of the journal in use. */
  readonly generation: number;
  readonly journal: ScannedFile | undefined;
  readonly ledgers: ReadonlyMap<string, ScannedFile>;
  /** Journals of older generations (already covered by the checkpoint) and temp files of interrupted writes. */
  readonly leftovers: readonly string[];
  /** The length each file must have at least, as the checkpoint or the seal recorded it (`journal` for the journal in use). */
  readonly expected: ReadonlyMap<string, number>;
  /** Every damage found, in the order of the files. */
  readonly damages: readonly LedgerDamagedError[];
}

/** What {@link loadRunDir} returns: the survey of a sound directory and its progress. */
export interface LoadedRunDir extends RunDirSurvey {
  readonly progress: Progress;
}

async function scanFile(fs: FileSystem, file: string): Promise<ScannedFile | undefined> {
  const data = await storeIo('read a file of the run directory', file, () => fs.readFile(file));
  if (data === undefined) return undefined;
  const { records, validEnd, damaged, torn } = scanRecordsTolerant(data);
  return { file, records, length: data.length, validEnd, damaged, torn };
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
    throw new LedgerDamagedError(file, scanned.records.length === 1 ? scanned.validEnd : 0, 'the checkpoint is not one valid record', { repairable: false });
  }
  if (value['format'] !== FORMAT) throw new LedgerDamagedError(file, 0, `unknown checkpoint format ${String(value['format'])}`, { repairable: false });
  return value as unknown as CheckpointData;
}

/** Key of the journal in {@link RunDirSurvey.expected}. */
export const JOURNAL_KEY = 'journal';

/**
 * The length each file must have at least: a ledger, the longer of what the checkpoint and the
 * seal recorded (ledgers only grow); the journal in use, what the seal recorded when it measured
 * that generation (a journal starts empty at each checkpoint). Pure.
 */
export function expectedLengths(checkpoint: CheckpointData | undefined, seal: ReadSeal | undefined): Map<string, number> {
  const expected = new Map<string, number>();
  for (const [ledger, length] of Object.entries(checkpoint?.ledgers ?? {})) if (length > 0) expected.set(ledger, length);
  for (const [ledger, length] of Object.entries(seal?.data.ledgers ?? {})) if (length > (expected.get(ledger) ?? 0)) expected.set(ledger, length);
  const generation = checkpoint?.generation ?? 0;
  if (seal !== undefined && seal.data.generation === generation && seal.data.journal > 0) expected.set(JOURNAL_KEY, seal.data.journal);
  return expected;
}

/** The damage of a file against the length it must have, if any. */
function lengthDamage(file: string, scanned: ScannedFile | undefined, expected: number | undefined): LedgerDamagedError | undefined {
  if (expected === undefined || expected === 0) return undefined;
  const name = path.basename(file);
  if (scanned === undefined) {
    return new LedgerDamagedError(file, 0, `${name} is missing, but the run directory's records say it held ${expected} bytes`, { damage: 'missing', expectedLength: expected, foundLength: 0 });
  }
  if (scanned.validEnd >= expected) return undefined;
  const found = scanned.length === scanned.validEnd ? `${scanned.length} bytes` : `${scanned.length} bytes, valid up to byte ${scanned.validEnd}`;
  return new LedgerDamagedError(file, scanned.validEnd, `expected at least ${expected} bytes (recorded by the checkpoint or the seal), found ${found}: records were removed, this is not a torn write at the end`, {
    damage: 'shortened',
    expectedLength: expected,
    foundLength: scanned.length,
  });
}

/**
 * Reads a run directory's files and notes every damage instead of throwing: records damaged in
 * the middle, files missing or shorter than the checkpoint or the seal say, a seal or journal
 * newer than the checkpoint.
 *
 * @throws {LedgerDamagedError} a damaged checkpoint (nothing can be judged without it).
 */
export async function surveyRunDir(fs: FileSystem, dir: string): Promise<RunDirSurvey> {
  const damages: LedgerDamagedError[] = [];
  // The seal before the checkpoint: a live run only moves both forward, so the seal read is never newer.
  const sealFile = path.join(dir, SEAL_FILE);
  const sealBytes = await storeIo('read the seal', sealFile, () => fs.readFile(sealFile));
  let seal: ReadSeal | undefined;
  if (sealBytes !== undefined) {
    try {
      seal = decodeSeal(sealFile, sealBytes);
    } catch (error) {
      if (!(error instanceof LedgerDamagedError)) throw error;
      damages.push(error);
    }
  }
  const checkpoint = await readCheckpoint(fs, dir);
  const generation = checkpoint?.generation ?? 0;
  if (checkpoint?.sealed === true && sealBytes === undefined) {
    damages.push(new LedgerDamagedError(sealFile, 0, 'the seal is missing, but the checkpoint says the directory has one', { damage: 'missing', foundLength: 0 }));
  }
  if (seal !== undefined && seal.data.generation > generation) {
    damages.push(new LedgerDamagedError(path.join(dir, CHECKPOINT_FILE), 0, `the seal measured generation ${seal.data.generation}, the checkpoint is of generation ${generation}: the checkpoint was lost or replaced by an older one`, { damage: 'missing' }));
    seal = undefined;
  }
  const expected = expectedLengths(checkpoint, seal);
  const names = (await storeIo('read the run directory', dir, () => fs.readdir(dir))).sort();
  const leftovers: string[] = [];
  const ledgers = new Map<string, ScannedFile>();
  let journal: ScannedFile | undefined;
  for (const name of names) {
    const file = path.join(dir, name);
    const ledger = LEDGER_FILE.exec(name)?.[1];
    const journalOf = JOURNAL_FILE.exec(name)?.[1];
    if (ledger !== undefined) {
      const scanned = await scanFile(fs, file);
      if (scanned === undefined) continue; // removed meanwhile: judged below with the missing ones
      ledgers.set(ledger, scanned);
      const covered = checkpoint?.ledgers[ledger] ?? 0;
      for (const range of scanned.damaged) damages.push(new LedgerDamagedError(file, range.offset, 'a record fails its checksum, and valid records follow it (so it is not a torn write at the end)'));
      for (const record of scanned.records) {
        if (record.offset >= covered && !isRecordOf(record.value)) damages.push(new LedgerDamagedError(file, record.offset, 'a record without position, source or outcome'));
      }
    } else if (journalOf !== undefined) {
      if (Number(journalOf) === generation) journal = await scanFile(fs, file);
      else if (Number(journalOf) < generation) leftovers.push(file); // covered by the checkpoint
      else damages.push(new LedgerDamagedError(file, 0, `a journal newer than the checkpoint (generation ${generation}): the checkpoint was lost or replaced by an older one`));
    } else if (name.includes('.tmp')) {
      leftovers.push(file);
    }
  }
  for (const [ledger, length] of expected) {
    const file = ledger === JOURNAL_KEY ? path.join(dir, journalFileName(generation)) : path.join(dir, ledgerFileName(ledger));
    const damage = lengthDamage(file, ledger === JOURNAL_KEY ? journal : ledgers.get(ledger), length);
    if (damage !== undefined) damages.push(damage);
  }
  for (const range of journal?.damaged ?? []) damages.push(new LedgerDamagedError(journal!.file, range.offset, 'a record fails its checksum, and valid records follow it (so it is not a torn write at the end)'));
  for (const record of journal?.records ?? []) if (journalRecord(record.value) === undefined) damages.push(new LedgerDamagedError(journal!.file, record.offset, 'an unknown journal record'));
  return { dir, checkpoint, seal, generation, journal, ledgers, leftovers, expected, damages };
}

type JournalRecord = { readonly t: 'f'; readonly p: number; readonly h: string } | { readonly t: 's'; readonly p: number; readonly s: string };

function journalRecord(value: Record<string, unknown>): JournalRecord | undefined {
  if (value['t'] === 'f' && Number.isSafeInteger(value['p']) && typeof value['h'] === 'string') return value as JournalRecord;
  if (value['t'] === 's' && Number.isSafeInteger(value['p']) && typeof value['s'] === 'string') return value as JournalRecord;
  return undefined;
}

/**
 * The progress of a surveyed directory: the checkpoint's, plus the valid ledger records beyond
 * what it covers, plus the journal's records. Damaged records are left out.
 */
export function progressOf(survey: RunDirSurvey): Progress {
  const progress = new Progress();
  const checkpoint = survey.checkpoint;
  if (checkpoint !== undefined) {
    progress.watermark = checkpoint.watermark;
    for (const position of checkpoint.finished) progress.finished.add(position);
    for (const [source, counts] of Object.entries(checkpoint.counts)) progress.counts[source] = { ...counts };
    progress.fingerprints.push(...checkpoint.fingerprints);
    progress.next = Math.max(checkpoint.watermark, ...checkpoint.finished.map((p) => p + 1));
  }
  for (const [ledger, scanned] of survey.ledgers) {
    const covered = checkpoint?.ledgers[ledger] ?? 0;
    for (const record of scanned.records) {
      if (record.offset >= covered && isRecordOf(record.value)) progress.add(record.value.position, record.value.source, record.value.outcome);
    }
  }
  for (const record of survey.journal?.records ?? []) {
    const value = journalRecord(record.value);
    if (value?.t === 'f') progress.addFingerprint(value.p, value.h);
    else if (value?.t === 's') progress.add(value.p, value.s, 'success');
  }
  return progress;
}

/**
 * Reads a run directory's state: checkpoint, seal, journal, ledgers.
 *
 * @throws {LedgerDamagedError} when a file is damaged before its end, missing, or shorter than the checkpoint or the seal say.
 * @throws {StoreIoError} when a file cannot be read.
 */
export async function loadRunDir(fs: FileSystem, dir: string): Promise<LoadedRunDir> {
  const survey = await surveyRunDir(fs, dir);
  if (survey.damages.length > 0) throw survey.damages[0]!;
  return { ...survey, progress: progressOf(survey) };
}

/** The reject records of a loaded directory, ledger by ledger (sorted by name), in the order they were written. */
export function* ledgerRecords(loaded: LoadedRunDir, only?: ReadonlySet<string>): Generator<LedgerRecord> {
  for (const [ledger, scanned] of [...loaded.ledgers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (only !== undefined && !only.has(ledger)) continue;
    for (const record of scanned.records) yield { ...(record.value as unknown as OutcomeRecord), ledger };
  }
}
