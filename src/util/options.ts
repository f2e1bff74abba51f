/**
 * What every options schema of bcss-bulk shares: the bounds of numbers and timers, the written
 * reason of an override, and the one way a schema's verdict becomes a {@link ConfigError}.
 */
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';
import { MAX_TIMER_MS } from './time.js';

const timerLimit = `at most ${MAX_TIMER_MS} ms (about 24.8 days), the longest timer Node.js supports`;
/** A positive whole number. */
export const positiveInt = z.number().int().positive();
/** A positive delay in ms that a Node.js timer can wait. */
export const positiveMs = z.number().int().positive().max(MAX_TIMER_MS, timerLimit);
/** A delay in ms, 0 included, that a Node.js timer can wait. */
export const nonNegativeMs = z.number().int().nonnegative().max(MAX_TIMER_MS, timerLimit);
/** A share from 0 to 1. */
export const ratio = z.number().min(0).max(1);
/** A function, described by `what` when the value is not one. */
export const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: `expected ${what}` });

/** Written reason of an override of a BCSS rule, kept with the run's records. */
export interface OverrideReason {
  /**
   * Why the rule is overridden (10 characters at least), e.g. the service desk's written agreement.
   * @defaultValue none: required
   */
  readonly reason: string;
}

/** Schema of {@link OverrideReason}. */
export const overrideSchema = z.strictObject({ reason: z.string().trim().min(10, 'give the written reason of the override (10 characters at least)') });

/** A schema's issues as {@link ConfigIssue}s, each path under `prefix`. */
export function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: [...prefix, ...issue.path], message: issue.message }));
}

/**
 * Validates `value` with `schema` and returns the parsed value, or throws a {@link ConfigError}
 * about `what` that names each offending path (under `prefix`).
 */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, what: string, prefix: readonly PropertyKey[] = []): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(issuesOf(result.error, prefix), what);
  return result.data;
}
