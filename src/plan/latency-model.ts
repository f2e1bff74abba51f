/**
 * Models of a service's latency, for simulations: fixed, uniform between two bounds, or
 * log-normal (most replies near the median, a long tail of slow ones, as real services have).
 * Pure functions of a random source.
 */
import { z } from 'zod';
import type { Agrees, Assert } from '../util/type-checks.js';

/** Schema of a {@link LatencyModel}. */
export const latencyModelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), ms: z.number().nonnegative() }),
  z
    .strictObject({ kind: z.literal('uniform'), minMs: z.number().nonnegative(), maxMs: z.number().nonnegative() })
    .refine((m) => m.minMs <= m.maxMs, { message: 'minMs must not exceed maxMs', path: ['minMs'] }),
  z.strictObject({ kind: z.literal('lognormal'), medianMs: z.number().positive(), sigma: z.number().nonnegative() }),
]);

/**
 * How long a call takes, in ms. Checked against {@link latencyModelSchema} at compile time.
 * - `fixed`: always `ms`.
 * - `uniform`: evenly spread between `minMs` and `maxMs`.
 * - `lognormal`: `medianMs · e^(sigma · Z)` with `Z` standard normal; half of the calls are
 *   faster than `medianMs`; `sigma` 0.5 puts one call in twenty above 2.3 × the median.
 */
export type LatencyModel =
  | {
      readonly kind: 'fixed';
      /** The latency of every call, in ms (0 or more). */
      readonly ms: number;
    }
  | {
      readonly kind: 'uniform';
      /** Shortest latency, in ms (0 or more, at most `maxMs`). */
      readonly minMs: number;
      /** Longest latency, in ms. */
      readonly maxMs: number;
    }
  | {
      readonly kind: 'lognormal';
      /** The median latency, in ms (more than 0): half of the calls are faster. */
      readonly medianMs: number;
      /** Spread (0 or more): 0.5 puts one call in twenty above 2.3 × the median. */
      readonly sigma: number;
    };

type _LatencyModelAgrees = Assert<Agrees<z.input<typeof latencyModelSchema>, LatencyModel>>;

/** Draws one latency (ms) from a model, using `random` (numbers in [0, 1)). */
export function sampleLatency(model: LatencyModel, random: () => number): number {
  switch (model.kind) {
    case 'fixed':
      return model.ms;
    case 'uniform':
      return model.minMs + (model.maxMs - model.minMs) * random();
    case 'lognormal':
      return model.medianMs * Math.exp(model.sigma * standardNormal(random));
  }
}

/** A standard normal draw (Box–Muller). */
function standardNormal(random: () => number): number {
  const u = 1 - random(); // in (0, 1]: the logarithm stays finite
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
