/**
 * Reads the report for the BCSS from run directories: one run's directory, a live run's (what
 * happened so far), or the directories of the several processes of one batch (shared mode),
 * merged.
 */
import { readRecordsDir } from '../store/records/index.js';
import { buildReport } from './figures.js';
import type { ComplianceReport } from './model.js';

/**
 * The report of the batch whose runs wrote `dirs`.
 *
 * @throws {RecordsError} `NO_RECORDS` (a directory without records), `RECORDS_DAMAGED`.
 * @throws {StoreIoError} a directory or a file could not be read.
 */
export async function readReport(dirs: readonly string[]): Promise<ComplianceReport> {
  const runs = [];
  for (const dir of dirs) runs.push(...(await readRecordsDir(dir)));
  return buildReport(runs, dirs);
}
