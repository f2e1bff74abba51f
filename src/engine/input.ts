/**
 * Lazy reading of the run's input, one item at a time, from an `Iterable` or an
 * `AsyncIterable`. Synchronous iterables are read synchronously (no promise per item); the run
 * keeps at most one `next()` of an async iterable outstanding. The iteration protocol is checked
 * (src/input-protocol.ts): a broken input fails the run with `INPUT_ERROR`, never with a raw
 * `TypeError`, nor as an endless stream of `undefined` items.
 */
import { reasonOf } from '../util/reason.js';
import { inputError, iteratorOf, readResult, type CheckedIterator, type Read } from './input-protocol.js';

export type { Read } from './input-protocol.js';

/** A reader over the input: synchronous or not, as the input is. */
export type InputReader<T> =
  | { readonly sync: true; next(): Read<T>; close(): Promise<void> }
  | { readonly sync: false; next(): Promise<Read<T>>; close(): Promise<void> };

/** A reader whose every read fails with the error that opening the input gave. */
function failedReader<T>(error: unknown): InputReader<T> {
  return {
    sync: true,
    next: () => {
      throw error;
    },
    close: async () => undefined,
  };
}

async function closeIterator(iterator: object): Promise<void> {
  const end = (iterator as { return?: unknown }).return;
  if (typeof end === 'function') await (end as (this: object) => unknown).call(iterator);
}

/**
 * Opens a reader over an (async) iterable; never throws: an input that cannot be opened gives a
 * reader whose first read fails with `INPUT_ERROR`. `close()` ends it early (runs a
 * generator's `finally`).
 */
export function openInput<T>(input: Iterable<T> | AsyncIterable<T>): InputReader<T> {
  let opened: CheckedIterator;
  try {
    opened = iteratorOf(input);
  } catch (error) {
    return failedReader(error);
  }
  // `next` was checked once, as the language reads it; it is then called as a method (a bound
  // call through a closure cost a run about a tenth of its items per second).
  const iterator = opened.iterator as Iterator<T>;
  let position = 0;
  const failed = (error: unknown) => inputError(`Reading the input failed at item #${position}: ${reasonOf(error)}`, error);
  if (!opened.sync) {
    const asyncIterator = opened.iterator as AsyncIterator<T>;
    return {
      sync: false,
      next: async () => {
        let result: unknown;
        try {
          result = await asyncIterator.next();
        } catch (error) {
          throw failed(error);
        }
        const got = readResult<T>(result, position);
        if (!got.done) position++;
        return got;
      },
      close: () => closeIterator(asyncIterator),
    };
  }
  return {
    sync: true,
    next: () => {
      let result: unknown;
      try {
        result = iterator.next();
      } catch (error) {
        throw failed(error);
      }
      const got = readResult<T>(result, position);
      if (!got.done) position++;
      return got;
    },
    close: () => closeIterator(iterator),
  };
}
