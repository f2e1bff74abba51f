/** Errors of a run: a control called in the wrong state, office hours, a stalled call, an unreadable input file. */
import { BcssBulkError } from '../util/errors.js';

/** A control method was called in a state where it makes no sense (e.g. `start()` twice). */
export class RunStateError extends BcssBulkError {
  constructor(message: string) {
    super('RUN_STATE', message);
  }
}

/**
 * Mass calls are forbidden now (office hours or a blackout): `start()` refuses to begin (unless
 * the run may wait for its window), and calls still in flight when the drain deadline passes
 * are aborted with it. `nextWindowAt` is when calls are allowed again.
 */
export class OfficeHoursError extends BcssBulkError {
  /** The first instant at which calls are allowed again. */
  readonly nextWindowAt: Date;
  /** `office-hours` or `blackout`. */
  readonly reason: 'office-hours' | 'blackout';

  constructor(message: string, nextWindowAt: Date, reason: 'office-hours' | 'blackout') {
    super('OFFICE_HOURS', message);
    this.nextWindowAt = nextWindowAt;
    this.reason = reason;
  }
}

/** The stall watchdog aborted a call: no call of the run had ended for `idleMs`. */
export class CallStalledError extends BcssBulkError {
  /** How long the run had made no progress, in milliseconds. */
  readonly idleMs: number;

  constructor(idleMs: number) {
    super('CALL_STALLED', `The run made no progress for ${idleMs} ms and the stall watchdog aborted the call; the item will be retried`);
    this.idleMs = idleMs;
  }
}

/** What is wrong with an input file: see {@link InputFileError}. */
export type InputFileProblem = 'unreadable' | 'malformed' | 'columns' | 'column-missing' | 'invalid-insz';

/**
 * An input file (`readCsv`, `readLines`) cannot be read as asked: the file and the line are
 * named, never the line's content (it may hold national numbers). Thrown from the iteration, so
 * a run reading the file fails with `INPUT_ERROR` and this error as its cause.
 */
export class InputFileError extends BcssBulkError {
  /** The file, as given (or the stream's `name`). */
  readonly file: string;
  /** Line of the file, from 1 (0 when the file could not be opened). */
  readonly line: number;
  /** `unreadable` (cannot be opened or read), `malformed` (CSV quoting), `columns` (a row's cell count differs from the first row's), `column-missing` (the column asked for is not there), `invalid-insz` (with `onInvalid: 'throw'`). */
  readonly problem: InputFileProblem;

  constructor(file: string, line: number, problem: InputFileProblem, what: string, options?: { cause?: unknown }) {
    super('INPUT_FILE', `${file}${line > 0 ? ` line ${line}` : ''}: ${what}`, options);
    this.file = file;
    this.line = line;
    this.problem = problem;
  }
}

/**
 * The engine aborted a call that was still running at its source's hard deadline
 * (`hardDeadlineMs`): the request is torn down, and its slot is given back after the grace time.
 * The item's attempt had already counted as timed out at `timeoutMs`.
 */
export class CallHardDeadlineError extends BcssBulkError {
  /** The hard deadline that passed, in milliseconds from the call's start. */
  readonly hardDeadlineMs: number;

  constructor(hardDeadlineMs: number) {
    super('CALL_HARD_DEADLINE', `The call was still running ${hardDeadlineMs} ms after it started (hardDeadlineMs) and was aborted`);
    this.hardDeadlineMs = hardDeadlineMs;
  }
}
