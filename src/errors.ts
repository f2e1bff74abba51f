/**
 * Typed errors of bcss-bulk. Every error the library throws or rejects with is
 * a {@link BcssBulkError}, with a stable `code` that callers can switch on.
 */

/** One problem found in a configuration, with the path of the offending field. */
export interface ConfigIssue {
  /** Path of the field, e.g. `['sources', 'rn', 'cap']`. */
  readonly path: readonly PropertyKey[];
  /** What is wrong with it. */
  readonly message: string;
}

/**
 * The brand of bcss-bulk's errors: a registered symbol, so the same key in every copy of the
 * package loaded in a process (its ESM and CJS builds, two installed versions).
 */
const ERROR_BRAND: unique symbol = Symbol.for('bcss-bulk.error') as never;

/** True when `value` carries the brand of bcss-bulk's errors (on its prototype chain). */
function isBranded(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && (value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] === true;
}

/**
 * Base class of every error raised by bcss-bulk.
 *
 * `instanceof` holds across copies of the package loaded in one process (its ESM and CJS
 * builds, or two installed versions): an error of one copy is an instance of the class of the
 * same name in the other, through a brand registered with `Symbol.for('bcss-bulk.error')`.
 * {@link isBcssBulkError} tests the brand alone.
 */
export class BcssBulkError extends Error {
  /** Stable machine-readable code of the error. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  /**
   * `value instanceof C` for this class `C` or a subclass: true for an instance of `C` in this
   * copy of bcss-bulk, and for a branded bcss-bulk error whose prototype chain holds a class
   * of the same name (the same class in another copy of the package).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!isBranded(value)) return false;
    for (let proto: unknown = Object.getPrototypeOf(value); proto !== null && proto !== undefined; proto = Object.getPrototypeOf(proto)) {
      const constructor = Object.prototype.hasOwnProperty.call(proto, 'constructor') ? (proto as { constructor: unknown }).constructor : undefined;
      if (typeof constructor === 'function' && constructor.name === this.name && isBranded(constructor.prototype)) return true;
    }
    return false;
  }
}
Object.defineProperty(BcssBulkError.prototype, ERROR_BRAND, { value: true, enumerable: false, writable: false, configurable: false });

/**
 * True when `value` is an error raised by bcss-bulk, of this copy of the package or of another
 * one loaded in the same process (the ESM and CJS builds, two installed versions): a
 * {@link BcssBulkError} with its `code`. Prefer it to `instanceof` where copies may mix.
 */
export function isBcssBulkError(value: unknown): value is BcssBulkError {
  return value instanceof Error && isBranded(value) && typeof (value as { code?: unknown }).code === 'string';
}

/**
 * An optional peer dependency that a feature needs is not installed: `prom-client` for
 * `bcss-bulk/metrics`, `ioredis` for the shared mode with a `redis://` URL. The message says
 * what to install; `cause` is the loader's error.
 */
export class MissingPeerError extends BcssBulkError {
  /** The missing package, e.g. `prom-client`. */
  readonly peer: string;
  /** The versions bcss-bulk works with, e.g. `^15.1.3`. */
  readonly range: string;

  constructor(peer: string, range: string, feature: string, options?: { cause?: unknown }) {
    super('PEER_MISSING', `${feature} needs the package ${peer}, an optional peer dependency of bcss-bulk that is not installed: install it with \`npm install ${peer}@${range}\``, options);
    this.peer = peer;
    this.range = range;
  }
}

function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((issue) => `  - ${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/** The configuration given to the library is malformed; `issues` names each field that is wrong. */
export class ConfigError extends BcssBulkError {
  /** Each problem, with its path. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], what = 'configuration', options?: { cause?: unknown }) {
    super('CONFIG_INVALID', `Invalid ${what}:\n${formatIssues(issues)}`, options);
    this.issues = issues;
  }
}

/**
 * The configuration is well formed but breaks a BCSS mass-call rule (for instance a cap above
 * 4 for National Register data without a written override).
 */
export class PolicyError extends BcssBulkError {
  /** Each rule broken, with the path of the field that breaks it. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super('POLICY_VIOLATION', `Refused by the BCSS mass-call policy:\n${formatIssues(issues)}`);
    this.issues = issues;
  }
}

/** A control method was called in a state where it makes no sense (e.g. `start()` twice). */
export class RunStateError extends BcssBulkError {
  constructor(message: string) {
    super('RUN_STATE', message);
  }
}

/** The run stopped on a fatal outcome (credentials refused, programmer error, ...); nothing more was sent. */
export class RunFailedError extends BcssBulkError {
  /** Code of the outcome that failed the run, e.g. `HTTP_401` or `PROGRAMMER_ERROR`. */
  readonly outcomeCode: string;

  constructor(outcomeCode: string, message: string, options?: { cause?: unknown }) {
    super('RUN_FAILED', message, options);
    this.outcomeCode = outcomeCode;
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

/** A call took longer than its timeout and was aborted through its `AbortSignal`. */
export class CallTimeoutError extends BcssBulkError {
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super('CALL_TIMEOUT', `The call did not finish within ${timeoutMs} ms and was aborted`);
    this.timeoutMs = timeoutMs;
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

/**
 * An HTTP answer with an error status, for callers that use `fetch` or another client than
 * axios: throw it from the call function and the default classifier reads `status` and
 * `retryAfter` from it.
 */
export class HttpStatusError extends BcssBulkError {
  /** The HTTP status code. */
  readonly status: number;
  /** The raw `Retry-After` header, when the server sent one. */
  readonly retryAfter: string | undefined;

  constructor(status: number, options: { retryAfter?: string | null; message?: string } = {}) {
    super(`HTTP_${status}`, options.message ?? `HTTP status ${status}`);
    this.status = status;
    this.retryAfter = options.retryAfter ?? undefined;
  }
}

// ── Durable store ────────────────────────────────────────────────────────────

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

/**
 * Shared mode: another process (on this host or another) holds the run lock of the same run
 * name in the same namespace; this run did not start.
 */
export class RunLockedError extends BcssBulkError {
  /** The run name that is locked. */
  readonly runName: string;
  /** Who holds the lock (`host:pid`), as the holder wrote it. */
  readonly holder: string;

  constructor(runName: string, holder: string) {
    super('RUN_LOCKED', `The run '${runName}' is being processed by another process (${holder}); only one process may process a run at a time`);
    this.runName = runName;
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

/** Shared mode: Redis answered a command with an error that is not an outage (e.g. a key of the namespace has the wrong type). */
export class SharedStateError extends BcssBulkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SHARED_STATE', message, options);
  }
}

// ── Delivery of heartbeats and notices ───────────────────────────────────────

/**
 * A heartbeat or a notice could not be delivered to its target (a callback, an HTTP endpoint,
 * a notifier channel). Says what failed without the secrets of the target: the URL without its
 * user, password, query string and fragment, the HTTP status or the error code; never the
 * request's headers or body, and no `cause` (an axios error carries the request's config).
 */
export class DeliveryError extends BcssBulkError {
  /** The target: `callback`, a channel's name, or `METHOD scrubbed-url`. */
  readonly target: string;
  /** The HTTP status the endpoint answered with, when it answered with an error status. */
  readonly status: number | undefined;
  /** `TIMEOUT` (no answer within the delivery's timeout), a network code (`ECONNREFUSED`, ...), `HTTP_<status>`, or `CALLBACK_FAILED`. */
  readonly errorCode: string;

  constructor(target: string, errorCode: string, message: string, status?: number) {
    super('DELIVERY_FAILED', message);
    this.target = target;
    this.status = status;
    this.errorCode = errorCode;
  }
}

/**
 * The Prometheus metrics of a run cannot be registered (`bcss-bulk/metrics`): a run with the same
 * `run` label is already on the registry under the same prefix, runs with and without the `run`
 * label are mixed, or a metric of that name was registered by someone else.
 */
export class MetricsRegistrationError extends BcssBulkError {
  constructor(message: string) {
    super('METRICS_REGISTRATION', message);
  }
}

// ── Announcement ─────────────────────────────────────────────────────────────

/**
 * The batch was not announced to the BCSS service desk (`NOT_ANNOUNCED`), or not long enough
 * ago (`ANNOUNCED_TOO_LATE`, with `earliestStart`): `start()` refuses and the run stays idle.
 */
export class AnnouncementError extends BcssBulkError {
  /** `ANNOUNCED_TOO_LATE`: the first instant the run may start (local midnight, `leadDays` after the announcement). */
  readonly earliestStart: Date | undefined;
  /** The service-desk reference of the announcement, when there is one. */
  readonly reference: string | undefined;

  constructor(code: 'NOT_ANNOUNCED' | 'ANNOUNCED_TOO_LATE', message: string, details: { earliestStart?: Date; reference?: string } = {}) {
    super(code, message);
    this.earliestStart = details.earliestStart;
    this.reference = details.reference;
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
