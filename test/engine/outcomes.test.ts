import { describe, expect, it } from 'vitest';
import type { Classification } from '../../src/policy/classify.js';
import { RetryPolicy, retrySchema } from '../../src/policy/retry.js';
import { afterCut, nextStep } from '../../src/engine/outcomes.js';

const policy = new RetryPolicy(retrySchema.parse({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 }), () => 0.5);
const transient = (retryAfterMs?: number): Classification =>
  retryAfterMs === undefined ? { class: 'transient', code: 'HTTP_503', reason: 'busy' } : { class: 'transient', code: 'HTTP_503', reason: 'busy', retryAfterMs };

describe('afterCut: what a cut attempt becomes, before any verdict', () => {
  it('asks the classifier when nobody cut the call, whatever its result', () => {
    expect(afterCut(true, undefined)).toBe('classify');
    expect(afterCut(false, undefined)).toBe('classify');
  });

  it('ignores the outcome of a call the run gave up on, even a success', () => {
    expect(afterCut(true, 'abandoned')).toBe('ignore');
    expect(afterCut(false, 'abandoned')).toBe('ignore');
  });

  it('puts back a call the closing window cut and that failed; keeps an answer that came despite the cut', () => {
    expect(afterCut(false, 'interrupted')).toBe('put-back');
    expect(afterCut(true, 'interrupted')).toBe('classify');
  });

  it('makes a failed call the watchdog cut a stall; keeps an answer that came despite the cut', () => {
    expect(afterCut(false, 'stalled')).toBe('stalled');
    expect(afterCut(true, 'stalled')).toBe('classify');
  });
});

describe('nextStep: what happens after a verdict', () => {
  it('finishes a success with its code and no reason', () => {
    expect(nextStep({ class: 'success', code: 'OK' }, 1, false, policy)).toEqual({ do: 'finish', outcome: 'success', code: 'OK', reason: undefined });
    expect(nextStep({ class: 'success' }, 2, true, policy)).toEqual({ do: 'finish', outcome: 'success', code: undefined, reason: undefined });
  });

  it('finishes a reject with its code and reason, never retried', () => {
    expect(nextStep({ class: 'reject', code: 'NOT_FOUND', reason: 'no such person' }, 1, false, policy)).toEqual({ do: 'finish', outcome: 'reject', code: 'NOT_FOUND', reason: 'no such person' });
  });

  it('fails the run on a fatal verdict', () => {
    expect(nextStep({ class: 'fatal', code: 'AUTH', reason: 'certificate refused' }, 1, false, policy)).toEqual({ do: 'fail', code: 'AUTH', reason: 'certificate refused' });
  });

  it('retries a transient failure after the policy delay (backoff, or the Retry-After cut to its bound)', () => {
    expect(nextStep(transient(), 1, false, policy)).toEqual({ do: 'retry', delayMs: 50, code: 'HTTP_503', reason: 'busy' });
    expect(nextStep(transient(), 2, false, policy)).toEqual({ do: 'retry', delayMs: 100, code: 'HTTP_503', reason: 'busy' });
    expect(nextStep(transient(60_000), 1, false, policy)).toEqual({ do: 'retry', delayMs: 5_000, code: 'HTTP_503', reason: 'busy' });
  });

  it('finishes the item as exhausted once the attempts are spent, saying how many', () => {
    expect(nextStep(transient(), 3, false, policy)).toEqual({ do: 'finish', outcome: 'exhausted', code: 'HTTP_503', reason: 'busy (after 3 attempts)' });
    expect(nextStep(transient(), 3, true, policy)).toEqual({ do: 'finish', outcome: 'exhausted', code: 'HTTP_503', reason: 'busy (after 3 attempts)' });
  });

  it('leaves a transient failure unfinished while the run is stopping, rather than retrying it', () => {
    expect(nextStep(transient(), 1, true, policy)).toEqual({ do: 'leave', code: 'HTTP_503', reason: 'busy' });
  });
});
