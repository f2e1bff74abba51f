/**
 * Lazy reading of the run's input, one item at a time, from an `Iterable` or an
 * `AsyncIterable`. Synchronous iterables are read synchronously (no promise per item); the run
 * keeps at most one `next()` of an async iterable outstanding.
 */

/** What one read gave. */
export type Read<T> = { readonly done: true } | { readonly done: false; readonly value: T };

/** A reader over the input: synchronous or not, as the input is. */
export type InputReader<T> =
  | { readonly sync: true; next(): Read<T>; close(): Promise<void> }
  | { readonly sync: false; next(): Promise<Read<T>>; close(): Promise<void> };

function toRead<T>(result: IteratorResult<T>): Read<T> {
  return result.done === true ? { done: true } : { done: false, value: result.value };
}

/** Opens a reader over an (async) iterable. `close()` ends it early (runs a generator's `finally`). */
export function openInput<T>(input: Iterable<T> | AsyncIterable<T>): InputReader<T> {
  if (Symbol.asyncIterator in input) {
    const iterator = input[Symbol.asyncIterator]();
    return {
      sync: false,
      next: async () => toRead(await iterator.next()),
      close: async () => {
        await iterator.return?.();
      },
    };
  }
  const iterator = input[Symbol.iterator]();
  return {
    sync: true,
    next: () => toRead(iterator.next()),
    close: async () => {
      iterator.return?.();
    },
  };
}
