/** Errors of the run's records: another input, a locked or damaged run directory, a refused file operation. */
import { BcssBulkError, RunFailedError } from '../util/errors.js';

/**
 * The input of a resumed run differs from the input of the run that wrote the run directory
 * (a different item at a fingerprinted position, fewer items than were finished, an unknown
 * source): resuming would skip or repeat the wrong items, so the run is refused.
 */
export class InputChangedError extends RunFailedError {
  constructor(message: string) {
    super('INPUT_CHANGED', message);
  }
}

/** Another live process holds the run directory's lock. */
export class RunDirLockedError extends BcssBulkError {
  /** The lock file. */
  readonly lockFile: string;
  /** What the lock file says of its holder. */
  readonly holder: { readonly pid: number; readonly hostname: string; readonly startedAt: string };

  constructor(lockFile: string, holder: RunDirLockedError['holder'], why: string) {
    super(
      'RUN_DIR_LOCKED',
      `The run directory is locked by process ${holder.pid} on ${holder.hostname} (since ${holder.startedAt}): ${why}. ` +
        `If that process is gone, delete ${lockFile}.`,
    );
    this.lockFile = lockFile;
    this.holder = holder;
  }
}

/** What is wrong with a damaged file: see {@link LedgerDamagedError}. */
export type LedgerDamage = 'corrupt' | 'missing' | 'shortened';

/** Optional details of a {@link LedgerDamagedError}. */
export interface LedgerDamageDetails {
  /** `corrupt` (a record fails its checksum or is malformed), `missing` or `shortened` (the run directory's own records say it was longer). */
  readonly damage?: LedgerDamage;
  /** The length the checkpoint or the seal recorded for the file, in bytes. */
  readonly expectedLength?: number;
  /** The length found on disk (0 for a missing file). */
  readonly foundLength?: number;
  /**
   * False when `bcss-bulk ledger repair` cannot help (the checkpoint itself is unreadable): the
   * message then says to restore the directory from a backup or to start a new one.
   * @defaultValue true
   */
  readonly repairable?: boolean;
}

/**
 * A durable file of a run directory (ledger, journal, checkpoint, seal) is damaged: a record in
 * the middle fails its checksum, or the file is missing or shorter than the run directory's own
 * records (checkpoint, seal) say it was. Never taken for a torn write at the end and never
 * skipped: nothing is changed on disk, and the operator repairs the directory explicitly
 * (`bcss-bulk ledger repair DIR`), which says what a repaired run will call again.
 */
export class LedgerDamagedError extends BcssBulkError {
  /** The damaged file. */
  readonly file: string;
  /** Byte offset of the first damaged or missing record. */
  readonly offset: number;
  /** What is wrong with it. */
  readonly damage: LedgerDamage;
  /** The length the checkpoint or the seal recorded for the file (missing or shortened files). */
  readonly expectedLength: number | undefined;
  /** The length found on disk (0 for a missing file). */
  readonly foundLength: number | undefined;

  constructor(file: string, offset: number, what: string, details: LedgerDamageDetails = {}) {
    const next =
      details.repairable === false
        ? `Nothing was changed; a repair cannot rebuild it: restore ${dirOf(file)} from a backup, or start the batch in a new run directory`
        : `Nothing was changed; see what a repair would do with \`bcss-bulk ledger repair ${dirOf(file)}\``;
    super('LEDGER_DAMAGED', `${file} is damaged at byte ${offset}: ${what}. ${next}`);
    this.file = file;
    this.offset = offset;
    this.damage = details.damage ?? 'corrupt';
    this.expectedLength = details.expectedLength;
    this.foundLength = details.foundLength;
  }
}

function dirOf(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return cut > 0 ? file.slice(0, cut) : '.';
}

/**
 * A file operation of the durable store failed (the disk is full, a quota is reached, the file
 * system is read-only, permission denied, an I/O error): `errno` is the system's code
 * (`ENOSPC`, `EDQUOT`, `EROFS`, `EACCES`, `EIO`, ...), `path` the file or directory and
 * `operation` what the store was doing. The run directory is left as it was before the
 * operation (the previous checkpoint still loads); free space or fix the permissions and
 * start again.
 */
export class StoreIoError extends BcssBulkError {
  /** The system's error code, e.g. `ENOSPC`. */
  readonly errno: string;
  /** The file or directory the operation was on. */
  readonly path: string;
  /** What the store was doing, e.g. `create the lock file`. */
  readonly operation: string;

  constructor(operation: string, path: string, errno: string, detail: string, options?: { cause?: unknown }) {
    super('STORE_IO', `The file store could not ${operation} (${path}): ${detail} (${errno})`, options);
    this.errno = errno;
    this.path = path;
    this.operation = operation;
  }
}

/**
 * A run directory holds no compliance records (not a run directory, or written by a run before
 * the records existed, or by a run on another store), or a records file is damaged before its
 * end (a torn last line is skipped: the run may still be writing it).
 */
export class RecordsError extends BcssBulkError {
  constructor(code: 'NO_RECORDS' | 'RECORDS_DAMAGED', message: string) {
    super(code, message);
  }
}

/**
 * The live status snapshot of a run directory (`status.json`, written by the running process
 * for `bcss-bulk status`) cannot be read: it is not JSON, or not the shape of a snapshot.
 * Nothing was changed; the run itself (ledgers, journal, checkpoint) is not affected, and the
 * next snapshot of a live run replaces the file within seconds.
 */
export class LiveStatusDamagedError extends BcssBulkError {
  /** The snapshot file. */
  readonly file: string;

  constructor(file: string, what: string, options?: { cause?: unknown }) {
    super('LIVE_STATUS_DAMAGED', `The live status ${file} cannot be read: ${what}. Nothing was changed; a live run rewrites it within seconds (if none does, the process that wrote it is gone)`, options);
    this.file = file;
  }
}
