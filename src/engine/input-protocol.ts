/**
 * The iteration protocol, checked as `for…of` and `for await…of` check it, with typed errors:
 * `input[Symbol.asyncIterator]` / `input[Symbol.iterator]` must be a function returning an
 * object whose `next` is a function, and every `next()` must return (or resolve to) an object
 * `{ done, value }`. A `next()` returning `undefined` would otherwise read as an endless stream
 * of `undefined` items. Every failure is a {@link RunFailedError} `INPUT_ERROR` naming what is
 * wrong and the value, printed safely.
 */
import { reasonOf } from '../util/reason.js';
import { RunFailedError } from '../util/errors.js';
import { printable } from '../util/printable.js';

/** An iterator as the run reads it: its `next` taken once (as the language does), and its `return`. */
export interface CheckedIterator {
  readonly sync: boolean;
  readonly iterator: object;
  readonly next: (this: void) => unknown;
}

/** A failure of the input: `INPUT_ERROR`. */
export function inputError(message: string, cause?: unknown): RunFailedError {
  return new RunFailedError('INPUT_ERROR', message, cause === undefined ? undefined : { cause });
}

function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

/**
 * What is wrong with a value given as `input`, or undefined when it is an `Iterable` or an
 * `AsyncIterable` (checked when the options are: a `ConfigError`).
 */
export function inputProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return `expected an Iterable or an AsyncIterable of items, got ${typeName(value)}`;
  try {
    const input = value as Record<symbol, unknown>;
    const asyncMethod = input[Symbol.asyncIterator];
    if (asyncMethod !== undefined && asyncMethod !== null) {
      return typeof asyncMethod === 'function' ? undefined : `input[Symbol.asyncIterator] must be a function, got ${typeName(asyncMethod)}`;
    }
    const method = input[Symbol.iterator];
    if (typeof method === 'function') return undefined;
    return method === undefined || method === null
      ? 'expected an Iterable or an AsyncIterable of items (no Symbol.iterator nor Symbol.asyncIterator method)'
      : `input[Symbol.iterator] must be a function, got ${typeName(method)}`;
  } catch (error) {
    return `reading the input's iterator method threw: ${reasonOf(error)}`;
  }
}

/**
 * Gets the input's iterator, as `for await…of` does: `Symbol.asyncIterator` when the input has
 * one (not undefined or null), else `Symbol.iterator`.
 *
 * @throws {RunFailedError} `INPUT_ERROR`: a method that is not a function, or that throws, or
 *   that returns something other than an object with a `next` function.
 */
export function iteratorOf(input: unknown): CheckedIterator {
  const problem = inputProblem(input);
  if (problem !== undefined) throw inputError(`The input cannot be read: ${problem}`);
  const source = input as Record<symbol, unknown>;
  let sync: boolean;
  let iterator: unknown;
  let next: unknown;
  const which = () => (sync ? 'input[Symbol.iterator]()' : 'input[Symbol.asyncIterator]()');
  try {
    const asyncMethod = source[Symbol.asyncIterator];
    sync = asyncMethod === undefined || asyncMethod === null;
    const method = (sync ? source[Symbol.iterator] : asyncMethod) as (this: unknown) => unknown;
    iterator = method.call(input);
  } catch (error) {
    throw inputError(`The input cannot be read: ${which()} threw: ${reasonOf(error)}`, error);
  }
  if (typeof iterator !== 'object' || iterator === null) throw inputError(`The input cannot be read: ${which()} returned ${printable(iterator)}, not an iterator object`);
  try {
    next = (iterator as Record<string, unknown>)['next'];
  } catch (error) {
    throw inputError(`The input cannot be read: reading the iterator's next threw: ${reasonOf(error)}`, error);
  }
  if (typeof next !== 'function') throw inputError(`The input cannot be read: the iterator's next must be a function, got ${printable(next)}`);
  const bound = next as (this: unknown) => unknown;
  return { sync, iterator, next: () => bound.call(iterator) };
}

/** What one read gave. */
export type Read<T> = { readonly done: true } | { readonly done: false; readonly value: T };

/**
 * Reads an iterator result as the language does (`done` by truthiness), after checking it is
 * an object. `position` is the item it would be, for the message.
 *
 * @throws {RunFailedError} `INPUT_ERROR`: a result that is not an object, or whose fields throw.
 */
export function readResult<T>(result: unknown, position: number): Read<T> {
  if (typeof result !== 'object' || result === null) {
    throw inputError(`The input's iterator broke the iteration protocol at item #${position}: next() gave ${printable(result)}, not an object { done, value }`);
  }
  try {
    const fields = result as { done?: unknown; value?: unknown };
    return fields.done ? { done: true } : { done: false, value: fields.value as T };
  } catch (error) {
    throw inputError(`The input's iterator broke at item #${position}: reading its result threw: ${reasonOf(error)}`, error);
  }
}
