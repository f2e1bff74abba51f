/**
 * The five observer factories share one rule for their options: one object, checked when the
 * observer is made; an option whose getter throws is a ConfigError naming its path (with the
 * thrown error as its cause), before any run is followed.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { callbackChannel, ConfigError } from '../../src/index.js';
import { heartbeat } from '../../src/observe/heartbeat.js';
import { notifier } from '../../src/observe/notifier.js';
import { progressTracker } from '../../src/observe/progress.js';
import { progressBar } from '../../src/observe/progress-bar.js';
import { runMetrics } from '../../src/observe/run-metrics.js';

const thrown = new Error('getter exploded');
const boom = (): never => {
  throw thrown;
};
/** `base` with an option `key` whose getter throws. */
const withBrokenGetter = <T extends object>(base: T, key: string): T => Object.defineProperty({ ...base }, key, { get: boom, enumerable: true });

function caught(make: () => unknown): unknown {
  try {
    make();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('observer options: one object, checked when the observer is made', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['heartbeat', () => heartbeat(withBrokenGetter({ target: () => undefined }, 'intervalMs')), 'intervalMs'],
    ['notifier', () => notifier(withBrokenGetter({ channels: [callbackChannel('log', () => undefined)] }, 'runName')), 'runName'],
    ['progressTracker', () => progressTracker(withBrokenGetter({}, 'total')), 'total'],
    ['progressBar', () => progressBar(withBrokenGetter({}, 'plainIntervalMs')), 'plainIntervalMs'],
    ['runMetrics', () => runMetrics(withBrokenGetter({ registry: new Registry() }, 'prefix')), 'prefix'],
  ];
  for (const [name, make, key] of cases) {
    it(`${name}: a getter that throws is a ConfigError naming the option, with the thrown error as cause`, () => {
      const error = caught(make);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual([[key]]);
      expect((error as ConfigError).cause).toBe(thrown);
    });
  }
});
