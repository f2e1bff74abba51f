import { describe, expect, it } from 'vitest';
import { ConfigError, createRun, type RunOptions } from '../../src/index.js';
import { leaseTtl, reconnectDelay } from '../../src/shared/shared-options.js';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

const base: RunOptions<number, number> = {
  input: [1],
  source: 'rn',
  sources: { rn: { kind: 'rn' } },
  call: (n) => n,
};

function configError(shared: unknown): ConfigError {
  try {
    createRun({ announcement: TEST_ANNOUNCEMENT, ...base, shared: shared as RunOptions<number, number>['shared'] });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('shared mode configuration', () => {
  it('names each malformed field of the shared option by its path', () => {
    const error = configError({ redis: 'http://cache:6379', namespace: ' ', leaseMs: -1 });
    const paths = error.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['shared.redis', 'shared.namespace', 'shared.runName', 'shared.leaseMs']));
  });

  it('refuses something that is neither a URL nor an ioredis client, and unknown fields', () => {
    expect(configError({ redis: { host: 'cache' }, namespace: 'ksz', runName: 'r' }).issues[0]?.message).toBe('expected a redis:// URL or an ioredis client');
    expect(configError({ redis: 'redis://cache', namespace: 'ksz', runName: 'r', cap: 9 }).issues[0]?.path).toEqual(['shared']);
  });

  it('refuses a recovery window no longer than the longest reconnection delay', () => {
    const error = configError({ redis: 'redis://cache', namespace: 'ksz', runName: 'r', recoveryMs: 2_000 });
    expect(error.issues).toEqual([{ path: ['shared', 'recoveryMs'], message: expect.stringContaining('must exceed maxReconnectDelayMs (2000)') }]);
  });

  it('accepts a URL or an object with duplicate() (an ioredis client); nothing connects before start()', () => {
    expect(() => createRun({ announcement: TEST_ANNOUNCEMENT, ...base, shared: { redis: 'rediss://user:secret@cache:6380/0', namespace: 'ksz', runName: 'night' } })).not.toThrow();
    expect(() => createRun({ announcement: TEST_ANNOUNCEMENT, ...base, shared: { redis: { duplicate: () => ({}) }, namespace: 'ksz', runName: 'night' } })).not.toThrow();
  });
});

describe('shared mode bounds', () => {
  it('a lease lives as long as its call may hold the slot (hard deadline plus grace) plus a margin (5 s by default); leaseMs only lengthens it', () => {
    expect(leaseTtl({ leaseMarginMs: 5_000, leaseMs: undefined }, 122_000)).toBe(127_000);
    expect(leaseTtl({ leaseMarginMs: 1_000, leaseMs: undefined }, 2_000)).toBe(3_000);
    expect(leaseTtl({ leaseMarginMs: 5_000, leaseMs: 200_000 }, 122_000)).toBe(200_000);
    expect(leaseTtl({ leaseMarginMs: 5_000, leaseMs: 8_000 }, 30_000)).toBe(35_000); // never shorter than the call's life
  });

  it('reconnects after 100 ms, doubling up to the maximum delay', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((attempt) => reconnectDelay(attempt, 2_000))).toEqual([100, 200, 400, 800, 1_600, 2_000, 2_000]);
  });
});
