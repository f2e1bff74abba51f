/**
 * The configuration of one source of a run: its kind (which sets the BCSS policy cap), its cap,
 * the override that allows a cap above the policy, and its call timeout.
 */
import { z } from 'zod';
import { SOURCE_KINDS, type ResolvedCap, type SourceKind } from './caps.js';
import { overrideSchema, positiveInt, positiveMs, type OverrideReason } from '../util/options.js';
import type { Assert, SchemaMatches } from '../util/type-checks.js';

/** One source of a run: its kind, cap (at most the BCSS policy cap unless overridden) and timeout. */
export interface SourceConfig {
  /**
   * The kind of source, which sets its policy cap: `rn` and `bcss` 4, `authentic` 2.
   * @defaultValue none: required
   */
  readonly kind: SourceKind;
  /**
   * Most simultaneous calls to the source; above the policy cap only with `override`.
   * @defaultValue the policy cap of `kind` (4 for `rn` and `bcss`, 2 for `authentic`)
   */
  readonly cap?: number | undefined;
  /**
   * Allows a `cap` above the policy cap, with the written reason (the service desk's agreement).
   * @defaultValue none: the policy cap holds
   */
  readonly override?: OverrideReason | undefined;
  /**
   * Timeout of one call to this source, in ms.
   * @defaultValue the run's `timeoutMs`
   */
  readonly timeoutMs?: number | undefined;
}

/** Schema of one source's configuration. */
export const sourceSchema = z.strictObject({
  kind: z.enum(SOURCE_KINDS, { message: `expected one of ${SOURCE_KINDS.map((k) => `'${k}'`).join(', ')}` }),
  cap: positiveInt.optional(),
  override: overrideSchema.optional(),
  timeoutMs: positiveMs.optional(),
});

type _SourceAgrees = Assert<SchemaMatches<z.input<typeof sourceSchema>, SourceConfig>>;

/** A source after validation: its cap resolved under the policy. */
export interface ResolvedSource extends ResolvedCap {
  readonly name: string;
  readonly kind: SourceKind;
  readonly timeoutMs: number;
}
