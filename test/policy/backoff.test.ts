import { afterEach, describe, expect, it, vi } from 'vitest';
import { fullJitterDelay, parseRetryAfter, retryDelay } from '../../src/policy/backoff.js';

const options = { baseDelayMs: 100, maxDelayMs: 10_000 };
const almostOne = () => 0.999999;

describe('fullJitterDelay', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is 0 when the random draw is 0, whatever the retry', () => {
    for (const retry of [1, 2, 3, 8, 30]) {
      expect(fullJitterDelay(retry, options, () => 0)).toBe(0);
    }
  });

  it('stays just under base * 2^(retry-1) when the random draw is close to 1', () => {
    // ceilings 100, 200, 400, 800, 1600, 3200, 6400; floor(0.999999 * ceiling) = ceiling - 1
    expect(fullJitterDelay(1, options, almostOne)).toBe(99);
    expect(fullJitterDelay(2, options, almostOne)).toBe(199);
    expect(fullJitterDelay(3, options, almostOne)).toBe(399);
    expect(fullJitterDelay(4, options, almostOne)).toBe(799);
    expect(fullJitterDelay(5, options, almostOne)).toBe(1599);
    expect(fullJitterDelay(6, options, almostOne)).toBe(3199);
    expect(fullJitterDelay(7, options, almostOne)).toBe(6399);
  });

  it('doubles the range at each retry', () => {
    const half = () => 0.5;
    expect(fullJitterDelay(1, options, half)).toBe(50);
    expect(fullJitterDelay(2, options, half)).toBe(100);
    expect(fullJitterDelay(3, options, half)).toBe(200);
    expect(fullJitterDelay(4, options, half)).toBe(400);
  });

  it('scales the draw uniformly over the range', () => {
    // retry 3: range [0, 400)
    expect(fullJitterDelay(3, options, () => 0.25)).toBe(100);
    expect(fullJitterDelay(3, options, () => 0.75)).toBe(300);
  });

  it('caps the range at maxDelayMs', () => {
    // retry 8 would be 100 * 2^7 = 12800, capped at 10000
    expect(fullJitterDelay(8, options, almostOne)).toBe(9999);
    expect(fullJitterDelay(8, options, () => 0.5)).toBe(5000);
    expect(fullJitterDelay(20, options, almostOne)).toBe(9999);
    expect(fullJitterDelay(20, options, () => 0.5)).toBe(5000);
  });

  it('stays finite and capped for very large retry numbers', () => {
    expect(fullJitterDelay(5000, options, () => 0.5)).toBe(5000);
    // 0 * 2^4999 would be NaN if the exponent were not bounded
    expect(fullJitterDelay(5000, { baseDelayMs: 0, maxDelayMs: 10_000 }, () => 0.5)).toBe(0);
  });

  it('treats retry 0 or below like the first retry', () => {
    expect(fullJitterDelay(0, options, almostOne)).toBe(99);
    expect(fullJitterDelay(-3, options, almostOne)).toBe(99);
  });

  it('draws from Math.random by default', () => {
    const spy = vi.spyOn(Math, 'random').mockReturnValue(0.75);
    expect(fullJitterDelay(2, options)).toBe(150);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2015, 9, 21, 7, 27, 30); // 2015-10-21T07:27:30Z

  it('reads delay-seconds given as a string', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('  7 ', now)).toBe(7_000);
  });

  it('reads seconds given as a number', () => {
    expect(parseRetryAfter(120, now)).toBe(120_000);
    expect(parseRetryAfter(0, now)).toBe(0);
    expect(parseRetryAfter(0.5, now)).toBe(500);
  });

  it('refuses negative or non-finite numbers', () => {
    expect(parseRetryAfter(-1, now)).toBeUndefined();
    expect(parseRetryAfter(Number.NaN, now)).toBeUndefined();
    expect(parseRetryAfter(Number.POSITIVE_INFINITY, now)).toBeUndefined();
  });

  it('returns undefined when there is no value', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('reads an IMF-fixdate relative to now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 08:27:30 GMT', now)).toBe(3_600_000);
  });

  it('reads the date relative to the injected now, not the real time', () => {
    const later = Date.UTC(2015, 9, 21, 7, 27, 59);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', later)).toBe(1_000);
  });

  it('reads the obsolete RFC 850 date format', () => {
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:00 GMT', now)).toBe(30_000);
  });

  it('reads the obsolete asctime date format as UTC, whatever the local time zone', () => {
    // RFC 9110 §5.6.7: asctime dates carry no zone and are UTC.
    const savedTz = process.env['TZ'];
    process.env['TZ'] = 'Europe/Brussels';
    try {
      expect(parseRetryAfter('Wed Oct 21 07:28:00 2015', now)).toBe(30_000);
    } finally {
      if (savedTz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = savedTz;
    }
  });

  it('gives 0 for a date in the past or at now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:30 GMT', now)).toBe(0);
  });

  it('returns undefined for values that are neither seconds nor a date', () => {
    for (const garbage of ['', '   ', 'soon', 'later', '1.5', '-5', '12abc', '1h', 'PT30S', 'next tuesday']) {
      expect(parseRetryAfter(garbage, now), JSON.stringify(garbage)).toBeUndefined();
    }
  });

  it('returns undefined for words followed by a number (not an HTTP date)', () => {
    // A lenient Date.parse reads these as dates in 2001, which would mean "retry at once".
    expect(parseRetryAfter('try later 3', now)).toBeUndefined();
    expect(parseRetryAfter('retry in 2', now)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  const retryOptions = { baseDelayMs: 100, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

  it("uses the server's Retry-After when given, without drawing a jitter", () => {
    const random = vi.fn(() => 0.5);
    expect(retryDelay(3, 5_000, retryOptions, random)).toBe(5_000);
    expect(random).not.toHaveBeenCalled();
  });

  it('clamps the Retry-After to maxRetryAfterMs', () => {
    expect(retryDelay(1, 3_600_000, retryOptions, () => 0.5)).toBe(60_000);
    expect(retryDelay(1, 60_001, retryOptions, () => 0.5)).toBe(60_000);
    expect(retryDelay(1, 60_000, retryOptions, () => 0.5)).toBe(60_000);
  });

  it('honours a Retry-After of 0 (retry now) instead of falling back to the jitter', () => {
    expect(retryDelay(4, 0, retryOptions, () => 0.5)).toBe(0);
  });

  it('uses the full-jitter backoff when there is no Retry-After', () => {
    expect(retryDelay(3, undefined, retryOptions, () => 0.5)).toBe(200);
    expect(retryDelay(1, undefined, retryOptions, () => 0)).toBe(0);
    expect(retryDelay(10, undefined, retryOptions, almostOne)).toBe(9_999);
  });

  it('does not clamp the jitter by maxRetryAfterMs but by maxDelayMs', () => {
    const small = { baseDelayMs: 100, maxDelayMs: 10_000, maxRetryAfterMs: 50 };
    expect(retryDelay(3, undefined, small, () => 0.5)).toBe(200);
  });
});
