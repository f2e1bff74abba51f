/**
 * The retry policy, in one place: its options (the schema {@link retrySchema} and the interface
 * {@link RetryOptions} it is checked against) and the one decision the engine asks of it —
 * "attempt n failed transiently (maybe with a `Retry-After`): retry after how long, or give up?"
 * ({@link RetryPolicy.decide}). The delays themselves are the pure functions of `backoff.ts`;
 * what counts as transient is `classify.ts`'s business.
 */
import { z } from 'zod';
import { nonNegativeMs, positiveInt, positiveMs } from '../util/options.js';
import { retryDelay } from './backoff.js';
import type { Assert, SchemaMatches } from '../util/type-checks.js';

/** Retry policy: attempts, backoff bounds, and the longest `Retry-After` honoured. */
export interface RetryOptions {
  /**
   * Most attempts per item, the first one included; an item still failing transiently after
   * them is `exhausted`.
   * @defaultValue `5`
   */
  readonly maxAttempts?: number | undefined;
  /**
   * Base of the exponential backoff with full jitter between attempts, in ms.
   * @defaultValue `1000`
   */
  readonly baseDelayMs?: number | undefined;
  /**
   * Longest backoff between two attempts, in ms (at least `baseDelayMs`).
   * @defaultValue `60000`
   */
  readonly maxDelayMs?: number | undefined;
  /**
   * Longest `Retry-After` honoured, in ms; a longer one is cut to this.
   * @defaultValue `300000` (5 minutes)
   */
  readonly maxRetryAfterMs?: number | undefined;
}

/** Schema of the retry policy. */
export const retrySchema = z.strictObject({
  maxAttempts: positiveInt.default(5),
  baseDelayMs: positiveMs.default(1_000),
  maxDelayMs: positiveMs.default(60_000),
  maxRetryAfterMs: nonNegativeMs.default(300_000),
});

type _RetryAgrees = Assert<SchemaMatches<z.input<typeof retrySchema>, RetryOptions>>;

/** {@link RetryOptions} with every default applied (what {@link retrySchema} returns). */
export type ResolvedRetryOptions = z.output<typeof retrySchema>;

/** What to do after a transient failure: retry after `delayMs`, or give up (the item is exhausted). */
export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false; readonly attempts: number };

/**
 * The retry rule of a run: given the number of attempts made so far and the server's
 * `Retry-After` (when it gave one), retry after how long, or give up. Pure apart from the random
 * draw of the jitter, which is injected.
 *
 * @example
 * ```ts
 * const policy = new RetryPolicy(retrySchema.parse({ maxAttempts: 3 }));
 * policy.decide(1, undefined); // { retry: true, delayMs: <0..999> }
 * policy.decide(1, 20_000);    // { retry: true, delayMs: 20000 } (Retry-After honoured)
 * policy.decide(3, undefined); // { retry: false, attempts: 3 }
 * ```
 */
export class RetryPolicy {
  /**
   * @param options the resolved retry options.
   * @param random a function returning a number in `[0, 1)` (the jitter's draw), `Math.random` by default.
   */
  constructor(
    readonly options: ResolvedRetryOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** True when an item that has had `attempts` attempts may have another one. */
  allows(attempts: number): boolean {
    return attempts < this.options.maxAttempts;
  }

  /**
   * The decision after attempt number `attempts` (1 for the first) failed transiently:
   * give up once `maxAttempts` attempts were made; otherwise retry after the server's
   * `Retry-After` (cut to `maxRetryAfterMs`) or, without one, the full-jitter backoff of retry
   * number `attempts`.
   */
  decide(attempts: number, retryAfterMs: number | undefined): RetryDecision {
    if (!this.allows(attempts)) return { retry: false, attempts };
    return { retry: true, delayMs: retryDelay(attempts, retryAfterMs, this.options, this.random) };
  }
}
