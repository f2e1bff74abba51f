/**
 * The explicit repair of a damaged run directory (`bcss-bulk ledger repair DIR [--apply]`).
 * {@link planRepair} says what is damaged and what a repaired run will do: the items it will
 * call again (positions, and masked keys where a damaged record still names them) and the
 * rejects that are lost and cannot be identified. {@link applyRepair} does it under the
 * directory's lock: keeps every valid record, folds them into a new checkpoint and seal, removes
 * the journals, and writes a note of the repair in the directory. Never silent.
 */
import path from 'node:path';
import { LedgerDamagedError } from '../errors.js';
import { maskNationalNumbers } from '../../util/privacy.js';
import { encodeRecord } from './framing.js';
import { nodeFileSystem, storeIo, writeFileDurably, type FileSystem } from './fs.js';
import { acquireLock, LOCK_FILE } from './lock.js';
import { CHECKPOINT_FILE, ledgerFileName, progressOf, surveyRunDir, type CheckpointData, type RunDirSurvey } from './run-dir.js';
import { encodeSeal, SEAL_FILE, slotSizeFor, type SealData } from './seal.js';

/** A record of a damaged line that still names its item (only its checksum fails). */
export interface NamedDamagedRecord {
  readonly file: string;
  readonly offset: number;
  readonly position: number;
  /** The item's key, national numbers masked. */
  readonly key: string | undefined;
}

/** What a repair finds and what a repaired run will do. */
export interface RepairPlan {
  readonly dir: string;
  /** Every damage found (file, offset, expected and found lengths). */
  readonly damages: readonly LedgerDamagedError[];
  /** Positions below {@link RepairPlan.next} that the repaired run will call again, ascending. */
  readonly recall: readonly number[];
  /** Masked keys of recalled positions, where a damaged record still names them. */
  readonly recallKeys: Readonly<Record<number, string>>;
  /** One past the highest position the run directory had recorded as finished (by the seal, the checkpoint or a surviving record). */
  readonly next: number;
  /** How many of the recalled items had finished: their records are in the lost part (at least this many). */
  readonly lostFinished: number;
  /** Rejects the counts say were recorded. */
  readonly countedRejects: number;
  /** Reject records the ledgers still hold. */
  readonly heldRejects: number;
  /** Rejects lost from the ledgers whose damaged record still names them (their items are not called again). */
  readonly namedLostRejects: readonly NamedDamagedRecord[];
}

/** Options of the repair. */
export interface RepairOptions {
  /**
   * File operations (tests inject failures).
   * @defaultValue the real file system ({@link nodeFileSystem})
   */
  readonly fs?: FileSystem;
  /**
   * The clock of the repair note's name and text, and of the new checkpoint.
   * @defaultValue `() => new Date()`
   */
  readonly now?: () => Date;
}

function whole(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * Says what is damaged in a run directory and what a repaired run will do; changes nothing.
 *
 * @throws {LedgerDamagedError} when the checkpoint itself is damaged (nothing can be judged then).
 */
export async function planRepair(dir: string, options: RepairOptions = {}): Promise<RepairPlan> {
  return planOf(await surveyRunDir(options.fs ?? nodeFileSystem, path.resolve(dir)));
}

function planOf(survey: RunDirSurvey): RepairPlan {
  const progress = progressOf(survey);
  const checkpoint = survey.checkpoint;
  const sealData = survey.seal?.data;
  const checkpointNext = checkpoint === undefined ? 0 : Math.max(checkpoint.watermark, ...checkpoint.finished.map((p) => p + 1));
  const next = Math.max(progress.next, sealData?.next ?? 0, checkpointNext);
  const recall: number[] = [];
  for (let position = progress.watermark; position < next; position++) if (!progress.finished.has(position)) recall.push(position);
  const recorded = Math.max(sealData?.completed ?? 0, checkpoint === undefined ? 0 : checkpoint.watermark + checkpoint.finished.length);
  const recallKeys: Record<number, string> = {};
  const namedLostRejects: NamedDamagedRecord[] = [];
  for (const [ledger, scanned] of survey.ledgers) {
    const covered = checkpoint?.ledgers[ledger] ?? 0;
    for (const range of [...scanned.damaged, ...scanned.torn]) {
      const position = range.readable?.['position'];
      if (!whole(position)) continue;
      const rawKey = range.readable?.['key'];
      const key = typeof rawKey === 'string' ? maskNationalNumbers(rawKey) : undefined;
      if (range.offset < covered) namedLostRejects.push({ file: scanned.file, offset: range.offset, position, key });
      else if (key !== undefined && !progress.finished.has(position) && position >= progress.watermark) recallKeys[position] = key;
    }
  }
  let countedRejects = 0;
  for (const counts of Object.values(progress.counts)) countedRejects += counts.reject + counts.exhausted;
  let heldRejects = 0;
  for (const scanned of survey.ledgers.values()) heldRejects += scanned.records.length;
  return { dir: survey.dir, damages: survey.damages, recall, recallKeys, next, lostFinished: Math.max(0, recorded - progress.completed()), countedRejects, heldRejects, namedLostRejects };
}

/** Positions as ranges: `3, 10–12, 40`. */
export function formatPositions(positions: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < positions.length; ) {
    let j = i;
    while (j + 1 < positions.length && positions[j + 1] === positions[j]! + 1) j++;
    parts.push(j === i ? String(positions[i]) : `${positions[i]}–${positions[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** The plan as text for the operator. */
export function formatRepairPlan(plan: RepairPlan, applied: boolean): string {
  if (plan.damages.length === 0) return `Run directory ${plan.dir}: no damage found; nothing to repair.\n`;
  const will = applied ? 'The repaired run' : 'After `--apply`, the next run';
  let text = `Run directory ${plan.dir}: damaged.\n`;
  for (const damage of plan.damages) text += `  - ${damage.message.replace(/\. Nothing was changed;.*$/s, '')}\n`;
  text += '\n';
  if (plan.recall.length > 0) {
    text += `${will} will call again ${plan.recall.length} item(s) before position ${plan.next}, at positions: ${formatPositions(plan.recall)}.\n`;
    if (plan.lostFinished > 0) text += `  At least ${plan.lostFinished} of them had finished: their records were in the lost part, so a success among them is handed to onSuccess again.\n`;
    const keys = Object.entries(plan.recallKeys);
    if (keys.length > 0) text += `  Keys still readable in damaged records: ${keys.map(([position, key]) => `#${position} ${key}`).join(', ')}.\n`;
    else text += '  Their keys are not known (the journal stores positions only; a lost reject record took its key with it).\n';
  } else {
    text += `${will} calls no finished item again.\n`;
  }
  text += '  The calls in flight when the run stopped are made again as after any crash (at most the cap per source, past that position).\n';
  const lost = plan.countedRejects - plan.heldRejects;
  if (lost > 0) {
    text += `\nRejects lost: the counts say ${plan.countedRejects} reject(s) were recorded, the ledgers hold ${plan.heldRejects}: ${lost} reject record(s) are lost.\n`;
    if (plan.namedLostRejects.length > 0) text += `  Named by their damaged records: ${plan.namedLostRejects.map((r) => `#${r.position}${r.key === undefined ? '' : ` ${r.key}`}`).join(', ')}.\n`;
    if (lost > plan.namedLostRejects.length) text += `  ${lost - plan.namedLostRejects.length} of them cannot be identified: their items stay finished (counted as rejects) and are not called again; find them in your own records or re-run the batch in a new run directory.\n`;
  }
  if (!applied) text += '\nNothing was changed. Run `bcss-bulk ledger repair DIR --apply` to repair.\n';
  return text;
}

/** What {@link applyRepair} did. */
export interface RepairResult extends RepairPlan {
  /** The note written in the run directory (`undefined` when nothing was repaired). */
  readonly note: string | undefined;
}

/**
 * Repairs a damaged run directory, under its lock: keeps every valid record (damaged lines and
 * torn ends are dropped), folds them into a new checkpoint and seal, removes the journals, and
 * writes `repair-<instant>.txt` saying what was done. The next run over the directory resumes
 * and calls again exactly the items {@link planRepair} listed (and the calls in flight at the
 * crash). Nothing is changed when nothing is damaged.
 *
 * @throws {RunDirLockedError} a live process holds the directory.
 * @throws {LedgerDamagedError} the checkpoint itself is damaged.
 * @throws {StoreIoError} a file operation failed.
 */
export async function applyRepair(dir: string, options: RepairOptions = {}): Promise<RepairResult> {
  const fs = options.fs ?? nodeFileSystem;
  const absolute = path.resolve(dir);
  const lock = await storeIo('create the lock file', path.join(absolute, LOCK_FILE), () => acquireLock(fs, absolute));
  try {
    const survey = await surveyRunDir(fs, absolute);
    const plan = planOf(survey);
    if (plan.damages.length === 0) return { ...plan, note: undefined };
    const progress = progressOf(survey);
    const ledgers = new Map<string, number>();
    for (const [ledger, scanned] of survey.ledgers) {
      const file = path.join(absolute, ledgerFileName(ledger));
      const kept = Buffer.concat(scanned.records.map((record) => Buffer.from(encodeRecord(record.value))));
      if (kept.length !== scanned.length || scanned.damaged.length > 0) await storeIo('rewrite a ledger', file, () => writeFileDurably(fs, file, kept));
      if (kept.length > 0) ledgers.set(ledger, kept.length);
    }
    const names = await storeIo('read the run directory', absolute, () => fs.readdir(absolute));
    const journals = names.filter((name) => /^journal-\d+\.log$/.test(name));
    const generation = Math.max(survey.generation, survey.seal?.data.generation ?? 0, ...journals.map((name) => Number(/\d+/.exec(name)![0]))) + 1;
    const state = progress.resumeState();
    const ledgerRecord: Record<string, number> = Object.fromEntries([...ledgers].sort(([a], [b]) => (a < b ? -1 : 1)));
    const seal: SealData = { format: 1, seq: (survey.seal?.data.seq ?? 0) + 1, generation, journal: 0, ledgers: ledgerRecord, completed: progress.completed(), next: progress.next };
    const sealFile = path.join(absolute, SEAL_FILE);
    await storeIo('write the seal', sealFile, () => writeFileDurably(fs, sealFile, encodeSeal(seal, slotSizeFor(ledgers.keys()))));
    const checkpoint: CheckpointData = {
      format: 1,
      generation,
      watermark: state.watermark,
      finished: state.finished,
      counts: state.counts,
      fingerprints: [...progress.fingerprints],
      ledgers: ledgerRecord,
      ...(survey.checkpoint?.meta === undefined ? {} : { meta: survey.checkpoint.meta }),
      sealed: true,
      writtenAt: (options.now?.() ?? new Date()).toISOString(),
    };
    const checkpointFile = path.join(absolute, CHECKPOINT_FILE);
    await storeIo('write the checkpoint', checkpointFile, () => writeFileDurably(fs, checkpointFile, encodeRecord(checkpoint)));
    for (const name of [...journals, ...names.filter((n) => n.includes('.tmp'))]) await storeIo('remove a journal', path.join(absolute, name), () => fs.remove(path.join(absolute, name)));
    const at = options.now?.() ?? new Date();
    const note = path.join(absolute, `repair-${at.toISOString().replace(/[:.]/g, '-')}.txt`);
    const text = `Repaired by bcss-bulk ledger repair --apply at ${at.toISOString()}.\n\n${formatRepairPlan(plan, true)}`;
    await storeIo('write the repair note', note, () => writeFileDurably(fs, note, text));
    return { ...plan, note };
  } finally {
    await lock.release().catch(() => undefined);
  }
}
