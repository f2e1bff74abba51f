/**
 * The BCSS parallelism rule as pure functions: at most 4 simultaneous calls for data of the
 * BCSS and of the National Register, at most 2 for every other authentic source.
 */
import type { ConfigIssue } from '../util/errors.js';

/** Kinds of data source, as the BCSS rule distinguishes them. */
export const SOURCE_KINDS = ['bcss', 'rn', 'authentic'] as const;

/** `bcss`: BCSS data; `rn`: National Register data; `authentic`: any other authentic source. */
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** The highest number of simultaneous calls the BCSS allows for each kind of source. */
export const POLICY_CAPS: Readonly<Record<SourceKind, number>> = Object.freeze({
  bcss: 4,
  rn: 4,
  authentic: 2,
});

/** What a source's configuration says about its cap. */
export interface CapRequest {
  readonly kind: SourceKind;
  /** The cap asked for; the policy cap of the kind when absent. */
  readonly cap?: number | undefined;
  /** A written reason that allows a cap above the policy (e.g. an agreement with the BCSS). */
  readonly override?: { readonly reason: string } | undefined;
}

/** The cap a source runs with, and whether it rests on an override. */
export interface ResolvedCap {
  readonly cap: number;
  readonly policyCap: number;
  /** The override's reason when the cap is above the policy cap. */
  readonly overrideReason?: string;
}

/**
 * Resolves the cap of a source under the BCSS policy.
 *
 * @returns the resolved cap, or the issue that refuses it (a cap above the policy without override).
 */
export function resolveCap(
  source: string,
  request: CapRequest,
): { ok: true; value: ResolvedCap } | { ok: false; issue: ConfigIssue } {
  const policyCap = POLICY_CAPS[request.kind];
  const cap = request.cap ?? policyCap;
  if (cap <= policyCap) return { ok: true, value: { cap, policyCap } };
  if (request.override === undefined) {
    return {
      ok: false,
      issue: {
        path: ['sources', source, 'cap'],
        message:
          `cap ${cap} exceeds the BCSS limit of ${policyCap} simultaneous calls for a '${request.kind}' source; ` +
          `lower it, or add override: { reason } with the agreement that allows it`,
      },
    };
  }
  return { ok: true, value: { cap, policyCap, overrideReason: request.override.reason } };
}
