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
  const at = parseHttpDate(text);
  if (at === undefined) return undefined;
  return Math.max(0, at - now);
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`);
/** Obsolete RFC 850 date: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE = new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`);
/** Obsolete asctime date, always UTC: `Sun Nov  6 08:49:37 1994`. */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`);

/** Reads an HTTP date in one of the three formats RFC 9110 §5.6.7 accepts; ms since epoch. */
function parseHttpDate(text: string): number | undefined {
  let at: number;
  if (IMF_FIXDATE.test(text) || RFC850_DATE.test(text)) at = Date.parse(text);
  else if (ASCTIME_DATE.test(text)) at = Date.parse(`${text} GMT`);
  else return undefined;
  return Number.isNaN(at) ? undefined : at;
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
