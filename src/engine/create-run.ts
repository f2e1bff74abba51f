/** The one way to make a run: {@link createRun}. */
import { BulkRun } from './run.js';
import type { RunOptions } from './config.js';

/**
 * Creates a run. Validates the configuration at once (zod, then the BCSS cap policy); nothing
 * is read or called before `start()`.
 *
 * @throws {ConfigError} a malformed field, with its path.
 * @throws {PolicyError} a cap above the BCSS policy without a written override.
 */
export function createRun<T, R = unknown>(options: RunOptions<T, R>): BulkRun<T, R> {
  return new BulkRun(options);
}
