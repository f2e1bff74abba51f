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

/** The issues of a configuration, one per line, each with its path. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
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

/** The run stopped on a fatal outcome (credentials refused, programmer error, ...); nothing more was sent. */
export class RunFailedError extends BcssBulkError {
  /** Code of the outcome that failed the run, e.g. `HTTP_401` or `PROGRAMMER_ERROR`. */
  readonly outcomeCode: string;

  constructor(outcomeCode: string, message: string, options?: { cause?: unknown }) {
    super('RUN_FAILED', message, options);
    this.outcomeCode = outcomeCode;
  }
}
