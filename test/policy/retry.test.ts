import { describe, expect, it } from 'vitest';
import { RetryPolicy, retrySchema } from '../../src/policy/retry.js';

const options = retrySchema.parse({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 });
const almostOne = () => 0.999999;

describe('retrySchema', () => {
  it('fills the documented defaults', () => {
    expect(retrySchema.parse({})).toEqual({ maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000, maxRetryAfterMs: 300_000 });
  });

  it('refuses an unknown field and a non-positive number of attempts', () => {
    expect(retrySchema.safeParse({ maxAttempt: 3 }).success).toBe(false);
    expect(retrySchema.safeParse({ maxAttempts: 0 }).success).toBe(false);
  });
});

describe('RetryPolicy.decide', () => {
  it('retries with the full-jitter backoff of the attempt number when the server gave no Retry-After', () => {
    const policy = new RetryPolicy(options, almostOne);
    expect(policy.decide(1, undefined)).toEqual({ retry: true, delayMs: 99 });
    expect(policy.decide(2, undefined)).toEqual({ retry: true, delayMs: 199 });
  });

  it('draws the jitter from the injected random function', () => {
    expect(new RetryPolicy(options, () => 0).decide(2, undefined)).toEqual({ retry: true, delayMs: 0 });
    expect(new RetryPolicy(options, () => 0.5).decide(2, undefined)).toEqual({ retry: true, delayMs: 100 });
  });

  it('honours the Retry-After, cut to maxRetryAfterMs, whatever the backoff would say', () => {
    const policy = new RetryPolicy(options, almostOne);
    expect(policy.decide(1, 2_500)).toEqual({ retry: true, delayMs: 2_500 });
    expect(policy.decide(1, 60_000)).toEqual({ retry: true, delayMs: 5_000 });
    expect(policy.decide(2, 0)).toEqual({ retry: true, delayMs: 0 });
  });

  it('gives up once maxAttempts attempts were made, Retry-After or not', () => {
    const policy = new RetryPolicy(options, almostOne);
    expect(policy.decide(3, undefined)).toEqual({ retry: false, attempts: 3 });
    expect(policy.decide(3, 10)).toEqual({ retry: false, attempts: 3 });
    expect(policy.decide(4, undefined)).toEqual({ retry: false, attempts: 4 });
    expect(policy.allows(2)).toBe(true);
    expect(policy.allows(3)).toBe(false);
  });

  it('gives up at once when a single attempt is allowed', () => {
    const policy = new RetryPolicy(retrySchema.parse({ maxAttempts: 1 }));
    expect(policy.decide(1, undefined)).toEqual({ retry: false, attempts: 1 });
  });
});
