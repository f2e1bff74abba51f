/**
 * Options that cannot be read. An options object is the caller's code too: a getter that throws
 * (`get caps() { throw … }`), or a proxy whose traps throw, must give the library's typed
 * {@link ConfigError} naming the option's path, not a raw error from inside a schema check.
 */
import { reasonOf } from './reason.js';
import { ConfigError, isBcssBulkError, type ConfigIssue } from './errors.js';

/** Levels of nested options searched for the one that throws. */
const MAX_DEPTH = 6;
/** Longest array searched (an input given as an array is data, not options). */
const MAX_ARRAY = 1_000;

/** Where reading the options throws: the path of the option, and what it threw. */
export interface UnreadableOption {
  readonly path: readonly PropertyKey[];
  readonly error: unknown;
}

function isPlainContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.length <= MAX_ARRAY;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The keys read from an object: its own, and at the top the known options and the accessors its class defines (options given as a class instance). */
function keysOf(value: object, top: boolean, known: readonly PropertyKey[]): PropertyKey[] {
  const keys = new Set<PropertyKey>(Reflect.ownKeys(value));
  if (!top) return [...keys];
  for (const key of known) keys.add(key);
  for (let proto: unknown = Object.getPrototypeOf(value); proto !== null && proto !== Object.prototype && typeof proto === 'object'; proto = Object.getPrototypeOf(proto)) {
    for (const key of Reflect.ownKeys(proto)) if (key !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, key)?.get === 'function') keys.add(key);
  }
  return [...keys];
}

function search(value: object, path: readonly PropertyKey[], seen: Set<object>, skip: ReadonlySet<PropertyKey>, known: readonly PropertyKey[]): UnreadableOption | undefined {
  seen.add(value);
  const top = path.length === 0;
  let keys: PropertyKey[];
  try {
    keys = keysOf(value, top, known);
  } catch (error) {
    return { path, error }; // a proxy whose ownKeys trap throws
  }
  for (const key of keys) {
    let child: unknown;
    try {
      child = Reflect.get(value, key);
    } catch (error) {
      return { path: [...path, key], error };
    }
    if (top && skip.has(key)) continue;
    if (path.length + 1 < MAX_DEPTH && isPlainContainer(child) && !seen.has(child)) {
      const found = search(child, [...path, key], seen, skip, known);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Where to look for an option that cannot be read. */
export interface SearchOptions {
  /** Options read but not searched inside (an `input` array holds the caller's items, not options). */
  readonly skip?: readonly PropertyKey[];
  /** Options read at the top even when they are not own properties (the schema's fields: a proxy may answer them without listing them). */
  readonly known?: readonly PropertyKey[];
}

/**
 * Reads every option (own properties, nested plain objects and arrays, and at the top the known
 * options and a class's getters) and returns the first one whose reading throws.
 */
export function findUnreadableOption(options: unknown, where: SearchOptions = {}): UnreadableOption | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  return search(options, [], new Set(), new Set(where.skip ?? []), where.known ?? []);
}

function unreadableIssue(found: UnreadableOption): ConfigIssue {
  return { path: found.path, message: `reading this option threw: ${reasonOf(found.error)}` };
}

/**
 * Throws a {@link ConfigError} naming the first option whose reading throws, if any. For small
 * option objects, checked before they are used.
 *
 * @throws {ConfigError} an option that cannot be read, with its path.
 */
export function assertReadableOptions(options: unknown, what: string): void {
  const found = findUnreadableOption(options);
  if (found !== undefined) throw new ConfigError([unreadableIssue(found)], what, { cause: found.error });
}

/**
 * Runs `read` (the parse of `options`); when it throws anything but the library's own error,
 * names the option whose reading throws in a {@link ConfigError}. The error is kept as the cause.
 *
 * @throws {ConfigError} an option that cannot be read (its path, or the root when the throwing
 *   read cannot be found again).
 */
export function readingOptions<V>(options: unknown, what: string, read: () => V, where: SearchOptions = {}): V {
  try {
    return read();
  } catch (error) {
    if (isBcssBulkError(error)) throw error;
    const found = findUnreadableOption(options, where) ?? { path: [], error };
    throw new ConfigError([unreadableIssue(found)], what, { cause: found.error });
  }
}
