/** The one parse-and-throw helper of every options schema. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/util/errors.js';
import { parseOptions, positiveMs } from '../../src/util/options.js';
import { DAY_MS, MAX_TIMER_MS } from '../../src/util/time.js';

const schema = z.strictObject({ every: positiveMs.default(1_000), name: z.string().min(1) });

describe('parseOptions', () => {
  it('returns the parsed value, defaults applied', () => {
    expect(parseOptions(schema, { name: 'night' }, 'test options')).toEqual({ every: 1_000, name: 'night' });
  });

  it('throws a ConfigError about `what` naming every offending path, under the prefix', () => {
    try {
      parseOptions(schema, { every: MAX_TIMER_MS + 1, name: '', extra: 1 }, 'test options', ['outer', 0]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const config = error as ConfigError;
      expect(config.message).toContain('test options');
      expect(config.issues.map((issue) => issue.path)).toEqual([['outer', 0, 'every'], ['outer', 0, 'name'], ['outer', 0]]);
      expect(config.issues[0]!.message).toContain(`at most ${MAX_TIMER_MS} ms`);
    }
  });

  it('the time constants are what Node.js and the calendar use', () => {
    expect(DAY_MS).toBe(24 * 60 * 60 * 1000);
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });
});
