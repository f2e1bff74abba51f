/**
 * Lazy reading of the run's input, one item at a time, from an `Iterable` or an
 * `AsyncIterable`. Synchronous iterables are read synchronously (no promise per item); an
 * async iterable has at most one `next()` outstanding.
 */

/** What one read gave. */
export type Read<T> = { readonly done: true } | { readonly done: false; readonly value: T };

/** A reader over the input. */
export interface InputReader<T> {
  /** True when reads answer synchronously. */
  readonly sync: boolean;
  /** The next item: synchronously for a sync input, as a promise otherwise. */
  next(): Read<T> | Promise<Read<T>>;
  /** Closes the input early (runs the generator's `finally`, closes files). */
  close(): Promise<void>;
}

/** Opens a reader over an (async) iterable. */
export function openInput<T>(input: Iterable<T> | AsyncIterable<T>): InputReader<T> {
  if (Symbol.asyncIterator in input) {
    const iterator = input[Symbol.asyncIterator]();
    return {
      sync: false,
      next: async () => {
        const result = await iterator.next();
        return result.done === true ? { done: true } : { done: false, value: result.value };
      },
      close: async () => {
        await iterator.return?.();
      },
    };
  }
  const iterator = input[Symbol.iterator]();
  return {
    sync: true,
    next: () => {
      const result = iterator.next();
      return result.done === true ? { done: true } : { done: false, value: result.value };
    },
    close: async () => {
      iterator.return?.();
    },
  };
}
