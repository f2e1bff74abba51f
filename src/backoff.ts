/**
 * Retry delays as pure functions: exponential backoff with full jitter (AWS, "Exponential
 * Backoff and Jitter") and the server's `Retry-After` (RFC 9110 §10.2.3), clamped.
 */

/** Parameters of the backoff. */
export interface BackoffOptions {
  /** Delay scale of the first retry, in ms. */
  readonly baseDelayMs: number;
  /** Upper bound of any backoff delay, in ms. */
  readonly maxDelayMs: number;
}

/**
 * Full-jitter delay before retry number `retry` (1 for the first retry):
 * a uniform random value in `[0, min(maxDelayMs, baseDelayMs · 2^(retry-1)))`.
 *
 * @param random a function returning a number in `[0, 1)`, `Math.random` by default.
 */
export function fullJitterDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(retry - 1, 0), 52);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * Reads a `Retry-After` value: delay-seconds (`"120"`) or an HTTP date. Returns the delay in
 * ms from `now` (0 for a date in the past), or `undefined` when the value is neither.
 */
export function parseRetryAfter(value: string | number | undefined | null, now: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names a weekday and GMT (IMF-fixdate, RFC 850 or asctime format).
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The delay before the next attempt: the server's `Retry-After` when it gave one (clamped to
 * `maxRetryAfterMs`), the full-jitter backoff otherwise.
 */
export function retryDelay(
  retry: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions & { readonly maxRetryAfterMs: number },
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.maxRetryAfterMs);
  return fullJitterDelay(retry, options, random);
}
