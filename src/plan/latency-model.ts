/**
 * Models of a service's latency, for simulations: fixed, uniform between two bounds, or
 * log-normal (most replies near the median, a long tail of slow ones, as real services have).
 * Pure functions of a random source.
 */
import { z } from 'zod';

/** Schema of a {@link LatencyModel}. */
export const latencyModelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), ms: z.number().nonnegative() }),
  z
    .strictObject({ kind: z.literal('uniform'), minMs: z.number().nonnegative(), maxMs: z.number().nonnegative() })
    .refine((m) => m.minMs <= m.maxMs, { message: 'minMs must not exceed maxMs', path: ['minMs'] }),
  z.strictObject({ kind: z.literal('lognormal'), medianMs: z.number().positive(), sigma: z.number().nonnegative() }),
]);

/**
 * How long a call takes, in ms.
 * - `fixed`: always `ms`.
 * - `uniform`: evenly spread between `minMs` and `maxMs`.
 * - `lognormal`: `medianMs · e^(sigma · Z)` with `Z` standard normal; half of the calls are
 *   faster than `medianMs`; `sigma` 0.5 puts one call in twenty above 2.3 × the median.
 */
export type LatencyModel = z.infer<typeof latencyModelSchema>;

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
