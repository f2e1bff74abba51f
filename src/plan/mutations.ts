/**
 * Mutations advice: a batch that comes back (declared recurring, or a run of the same name in
 * the last weeks) would better be replaced by a subscription to the mutations of the National
 * Register / the BCSS register, which sends the changes as they happen instead of asking again
 * for every person. {@link adviseMutations} is pure; {@link readRunHistory} reads the names and
 * start instants of earlier runs from their run directories (the FileStore checkpoint).
 */
import path from 'node:path';
import { nodeFileSystem, type FileSystem } from '../store/file-store/fs.js';
import { readCheckpoint } from '../store/file-store/run-dir.js';
import type { PlanLanguage } from './plan-text.js';
import { DAY_MS } from '../util/time.js';

/** An earlier run, as read from its run directory. */
export interface RunHistoryEntry {
  /** The batch name (run option `name`), undefined for a run without one. */
  readonly name: string | undefined;
  /** ISO 8601 instant the run started. */
  readonly startedAt: string;
  /** The run directory. */
  readonly dir: string;
}

/** What {@link adviseMutations} looks at. */
export interface MutationsAdviceInput {
  /**
   * Name of the batch about to run.
   * @defaultValue none: no earlier run is of the same name
   */
  readonly name?: string;
  /**
   * True when the batch is declared recurring (monthly, weekly...).
   * @defaultValue `false`
   */
  readonly recurring?: boolean;
  /**
   * Earlier runs (e.g. from {@link readRunHistory}).
   * @defaultValue `[]`
   */
  readonly history?: readonly { readonly name: string | undefined; readonly startedAt: string | Date }[];
  /**
   * Now: the date the advice looks back from.
   * @defaultValue none: required
   */
  readonly now: Date;
  /**
   * How far back an earlier run of the same name counts, in days.
   * @defaultValue `42` (six weeks)
   */
  readonly withinDays?: number;
}

/** The advice to subscribe to mutations instead of a recurring mass lookup. */
export interface MutationsAdvice {
  /** `recurring`: declared so; `ran-before`: the same batch name ran within `withinDays`. */
  readonly reasons: readonly ('recurring' | 'ran-before')[];
  /** Earlier runs of the same name within `withinDays`, oldest first. */
  readonly earlierRuns: readonly { readonly name: string; readonly startedAt: Date }[];
  /** The advice in a language. */
  message(language: PlanLanguage): string;
}

const ADVICE: Readonly<Record<PlanLanguage, { recurring: string; ranBefore: (name: string, dates: string) => string; advice: string }>> = {
  fr: {
    recurring: 'Ce traitement est déclaré récurrent.',
    ranBefore: (name, dates) => `Le traitement « ${name} » a déjà tourné récemment (${dates}).`,
    advice:
      "Pour des consultations répétées des mêmes personnes, la BCSS recommande de s'abonner aux mutations du Registre national / du registre BCSS (intégration des personnes dans le répertoire des références) plutôt que de relancer des consultations de masse : seules les modifications sont alors transmises.",
  },
  nl: {
    recurring: 'Deze verwerking is als terugkerend aangegeven.',
    ranBefore: (name, dates) => `De verwerking "${name}" liep onlangs al (${dates}).`,
    advice:
      'Voor herhaalde raadplegingen van dezelfde personen raadt de KSZ aan om in te tekenen op de mutaties van het Rijksregister / het KSZ-register (integratie van de personen in het verwijzingsrepertorium) in plaats van opnieuw massale raadplegingen te starten: dan worden alleen de wijzigingen doorgestuurd.',
  },
  en: {
    recurring: 'This batch is declared recurring.',
    ranBefore: (name, dates) => `The batch "${name}" already ran recently (${dates}).`,
    advice:
      'For repeated lookups of the same persons, the BCSS recommends a subscription to the mutations of the National Register / the BCSS register (integrating the persons in the reference directory) instead of running mass lookups again: only the changes are then sent.',
  },
};

/**
 * Advises a subscription to mutations when the batch is declared recurring or ran under the
 * same name within `withinDays` before `now`; undefined otherwise. Pure.
 */
export function adviseMutations(input: MutationsAdviceInput): MutationsAdvice | undefined {
  const withinDays = input.withinDays ?? 42;
  if (!Number.isFinite(withinDays) || withinDays < 0) throw new RangeError(`withinDays: expected a number of days of 0 or more, got ${withinDays}`);
  const now = input.now.getTime();
  const since = now - withinDays * DAY_MS;
  const earlierRuns =
    input.name === undefined
      ? []
      : (input.history ?? [])
          .filter((run) => run.name === input.name)
          .map((run) => ({ name: run.name!, startedAt: new Date(run.startedAt) }))
          .filter((run) => run.startedAt.getTime() >= since && run.startedAt.getTime() <= now)
          .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  const reasons: ('recurring' | 'ran-before')[] = [];
  if (input.recurring === true) reasons.push('recurring');
  if (earlierRuns.length > 0) reasons.push('ran-before');
  if (reasons.length === 0) return undefined;
  return {
    reasons,
    earlierRuns,
    message(language) {
      const words = ADVICE[language];
      const parts: string[] = [];
      if (reasons.includes('recurring')) parts.push(words.recurring);
      if (earlierRuns.length > 0) parts.push(words.ranBefore(input.name!, earlierRuns.map((run) => run.startedAt.toISOString().slice(0, 10)).join(', ')));
      parts.push(words.advice);
      return parts.join(' ');
    },
  };
}

/**
 * Reads earlier runs from run directories: each path is a run directory (it holds a
 * checkpoint) or a root whose subdirectories are run directories. Entries that are not run
 * directories (no checkpoint yet, plain files) are skipped; a damaged checkpoint is not.
 *
 * @returns the runs, oldest first.
 * @throws {LedgerDamagedError} a checkpoint that is not one valid record.
 * @throws the file system's error for a path that does not exist.
 */
export async function readRunHistory(dirs: string | readonly string[], options: { readonly fs?: FileSystem } = {}): Promise<RunHistoryEntry[]> {
  const fs = options.fs ?? nodeFileSystem;
  const runs: RunHistoryEntry[] = [];
  const readRun = async (dir: string): Promise<boolean> => {
    const checkpoint = await readCheckpoint(fs, dir);
    if (checkpoint === undefined) return false;
    if (checkpoint.meta !== undefined) runs.push({ name: checkpoint.meta.name, startedAt: checkpoint.meta.startedAt, dir });
    return true;
  };
  for (const given of typeof dirs === 'string' ? [dirs] : dirs) {
    const dir = path.resolve(given);
    const entries = await fs.readdir(dir); // a missing path is an error, not an empty history
    if (await readRun(dir)) continue;
    for (const entry of entries.sort()) {
      const child = path.join(dir, entry);
      if (!(await isDirectory(fs, child))) continue;
      await readRun(child);
    }
  }
  return runs.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}

/** True when `file` is a directory that can be listed. */
async function isDirectory(fs: FileSystem, file: string): Promise<boolean> {
  try {
    await fs.readdir(file);
    return true;
  } catch (error) {
    if (typeof error === 'object' && error !== null && ['ENOTDIR', 'ENOENT'].includes((error as { code?: string }).code ?? '')) return false;
    throw error;
  }
}
