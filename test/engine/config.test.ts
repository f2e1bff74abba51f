import { describe, expect, it } from 'vitest';
import { ConfigError, createRun, PolicyError, type RunOptions } from '../../src/index.js';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

const valid: RunOptions<number, number> = {
  input: [1, 2, 3],
  source: 'rn',
  sources: { rn: { kind: 'rn' } },
  call: async (n) => n,
};

function refusal(options: unknown): ConfigError | PolicyError {
  try {
    createRun(options as RunOptions<number, number>);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('configuration', () => {
  it('accepts a minimal configuration and applies the defaults', () => {
    expect(createRun(valid).state).toBe('idle');
  });

  it('names the path and the problem of every malformed field at once', () => {
    const error = refusal({
      ...valid,
      sources: { rn: { kind: 'rn', cap: 0 }, ssa: { kind: 'other' } },
      retry: { maxAttempts: -1 },
      timeoutMs: 'soon',
    });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('CONFIG_INVALID');
    const paths = error.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['sources.rn.cap', 'sources.ssa.kind', 'retry.maxAttempts', 'timeoutMs']));
    expect(error.message).toContain('sources.ssa.kind');
    expect(error.message).toContain("expected one of 'bcss', 'rn', 'authentic'");
  });

  it('refuses unknown fields, so a typo does not silently fall back to a default', () => {
    const error = refusal({ ...valid, retries: { maxAttempts: 2 } });
    expect(error.issues[0]?.message).toMatch(/retries/);
  });

  it('refuses a missing call function and a missing input', () => {
    const error = refusal({ source: 'rn', sources: { rn: { kind: 'rn' } } });
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['input', 'call']));
  });

  it('refuses a fixed source that is not configured', () => {
    const error = refusal({ ...valid, source: 'sigedis' });
    expect(error.issues).toEqual([{ path: ['source'], message: expect.stringContaining("'sigedis'") }]);
  });

  it('refuses a backoff whose base exceeds its maximum', () => {
    const error = refusal({ ...valid, retry: { baseDelayMs: 10_000, maxDelayMs: 1_000 } });
    expect(error.issues[0]?.path).toEqual(['retry', 'baseDelayMs']);
  });

  it('refuses a cap above the BCSS policy without a written override, per source', () => {
    const error = refusal({ ...valid, sources: { rn: { kind: 'rn', cap: 6 }, ssa: { kind: 'authentic', cap: 3 }, bcss: { kind: 'bcss', cap: 4 } } });
    expect(error).toBeInstanceOf(PolicyError);
    expect(error.code).toBe('POLICY_VIOLATION');
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['sources.rn.cap', 'sources.ssa.cap']);
    expect(error.issues[1]?.message).toContain('exceeds the BCSS limit of 2');
  });

  it('accepts a cap above the policy only with a written reason', () => {
    expect(refusal({ ...valid, sources: { rn: { kind: 'rn', cap: 6, override: { reason: 'ok' } } } }).issues[0]?.path).toEqual([
      'sources',
      'rn',
      'override',
      'reason',
    ]);
    expect(() => createRun({ announcement: TEST_ANNOUNCEMENT, ...valid, sources: { rn: { kind: 'rn', cap: 6, override: { reason: 'Agreement SD-4711 with the BCSS' } } } })).not.toThrow();
  });
});

describe('timer limits', () => {
  it('refuses a delay longer than a Node.js timer can hold (it would fire at once)', () => {
    const error = refusal({ ...valid, timeoutMs: 3_000_000_000, minPauseMs: 2 ** 31 });
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['timeoutMs', 'minPauseMs']);
    expect(error.issues[0]?.message).toContain('longest timer Node.js supports');
  });
});

describe('fields that depend on each other', () => {
  it('refuses an overload protection that could never trip, or whose first cooldown exceeds its maximum', () => {
    const error = refusal({ ...valid, overload: { windowSize: 10, minSamples: 20, cooldownMs: 700_000 } });
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['overload.minSamples', 'overload.cooldownMs']);
    expect(error.issues[0]?.message).toContain('never trips');
  });
});
