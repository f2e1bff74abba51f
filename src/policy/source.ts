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
  /**
   * Hard deadline of one call to this source, in ms from its start. At `timeoutMs` the attempt
   * counts as timed out (its item is retried by the retry policy) but the request is not torn
   * down and keeps its slot: the BCSS still counts it. Only when the server has answered or closed
   * the connection is the slot given back; if it has not by this deadline, the call's signal is
   * aborted and the slot is still held for `abortGraceMs`. At least `timeoutMs`.
   * @defaultValue 4 times the source's `timeoutMs`
   */
  readonly hardDeadlineMs?: number | undefined;
  /**
   * How long a call's slot stays taken after the engine aborted it (hard deadline, lost shared
   * lease), in ms: the time the server may need to notice the closed connection.
   * @defaultValue `2000`
   */
  readonly abortGraceMs?: number | undefined;
}

/** Schema of one source's configuration. */
export const sourceSchema = z.strictObject({
  kind: z.enum(SOURCE_KINDS, { message: `expected one of ${SOURCE_KINDS.map((k) => `'${k}'`).join(', ')}` }),
  cap: positiveInt.optional(),
  override: overrideSchema.optional(),
  timeoutMs: positiveMs.optional(),
  hardDeadlineMs: positiveMs.optional(),
  abortGraceMs: z.number().int().min(0).max(600_000).default(2_000),
});

type _SourceAgrees = Assert<SchemaMatches<z.input<typeof sourceSchema>, SourceConfig>>;

/** A source after validation: its cap resolved under the policy. */
export interface ResolvedSource extends ResolvedCap {
  readonly name: string;
  readonly kind: SourceKind;
  readonly timeoutMs: number;
  /** When the engine aborts a call still running, in ms from its start (at least `timeoutMs`). */
  readonly hardDeadlineMs: number;
  /** How long an aborted call's slot stays taken, in ms. */
  readonly abortGraceMs: number;
}

/** Factor of the default hard deadline: `hardDeadlineMs` defaults to this many times `timeoutMs`. */
export const HARD_DEADLINE_FACTOR = 4;
